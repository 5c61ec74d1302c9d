/**
 * The HTTP attacks of test/attack.http.test.ts, run in a process of their
 * own so that the test process, which probes `/health`, measures the server
 * and not its own loop busy attacking. Loopback only. Prints one line per
 * milestone; holds its connections until killed.
 *
 *   bodies <httpPort> <count> <declaredBytes>
 *     `count` connections each POST /brokers declaring `declaredBytes` and
 *     sending one byte less; prints `settled answered=<n>` once every one
 *     was answered, closed, or sent all it had.
 *   watchers <httpPort> <remotingPort> <count> <seconds>
 *     `count` GET /events?routes=1 streams that are never read; prints
 *     `watching`, then registers and unregisters brokers of 200 topics for
 *     `seconds`; prints `churned cycles=<n>`.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { RemotingClient, RequestCode, ResponseCode } from '../../src/remoting/index.js';
import { registerRequest } from './loopback.js';

const MiB = 1024 * 1024;

async function open(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/** Sends the head and `payload` in 1 MiB slices; resolves when answered, closed, or all sent. */
function holdBody(socket: Socket, head: string, payload: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (answered: boolean): void => {
      if (done) return;
      done = true;
      resolve(answered);
    };
    socket.once('data', () => finish(true));
    socket.once('close', () => finish(false));
    socket.write(head);
    const next = (offset: number): void => {
      if (done) return;
      if (offset >= payload.length) return finish(false);
      const end = Math.min(offset + MiB, payload.length);
      socket.write(payload.subarray(offset, end), (err) => (err ? finish(false) : next(end)));
    };
    next(0);
  });
}

async function bodies(httpPort: number, count: number, declared: number): Promise<void> {
  // One buffer for every connection: this process's memory stays small.
  const payload = Buffer.alloc(declared - 1, 0x20);
  const head = `POST /brokers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`;
  const sockets = await Promise.all(Array.from({ length: count }, () => open(httpPort)));
  const outcomes = await Promise.all(sockets.map((s) => holdBody(s, head, payload)));
  process.stdout.write(`settled answered=${outcomes.filter(Boolean).length}\n`);
}

async function watchers(httpPort: number, remotingPort: number, count: number, seconds: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const s = await open(httpPort);
    // Never read: the server's writes to it back up.
    s.pause();
    s.write('GET /events?routes=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
  }
  process.stdout.write('watching\n');
  const client = await RemotingClient.connect(remotingPort, '127.0.0.1');
  const topics = Array.from({ length: 200 }, (_, i) => `ChurnTopic-${i}-${'x'.repeat(40)}`);
  const until = performance.now() + seconds * 1000;
  let cycles = 0;
  while (performance.now() < until) {
    const spec = { brokerName: `churn-${cycles % 4}`, brokerAddr: `10.9.0.${cycles % 4}:10911`, topics, counter: cycles + 1 };
    const { ext, body } = registerRequest(spec);
    const reg = await client.invoke(RequestCode.REGISTER_BROKER, ext, body, { timeoutMillis: 60_000 });
    if (reg.code !== ResponseCode.SUCCESS) throw new Error(`registration refused: ${reg.code} ${reg.remark ?? ''}`);
    await client.invoke(RequestCode.UNREGISTER_BROKER, {
      clusterName: 'DefaultCluster', brokerName: spec.brokerName, brokerAddr: spec.brokerAddr, brokerId: '0',
    }, null, { timeoutMillis: 60_000 });
    cycles++;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await client.close();
  process.stdout.write(`churned cycles=${cycles}\n`);
}

const [mode, ...args] = process.argv.slice(2);
const n = args.map(Number);
if (mode === 'bodies') await bodies(n[0] as number, n[1] as number, n[2] as number);
else if (mode === 'watchers') await watchers(n[0] as number, n[1] as number, n[2] as number, n[3] as number);
else throw new Error(`unknown mode ${String(mode)}`);
// Hold every connection until the test kills this process.
setInterval(() => {}, 1_000);
