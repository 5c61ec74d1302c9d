/**
 * Issue 20's HTTP rows, against the CLI (from source) in a child process:
 * - H4: an access file without `tokens` refuses HTTP writes (401) and says so
 *   at start; with ACL on a port that accepts plaintext, the start warns
 *   that signatures can be replayed (H7);
 * - H5: 150 `POST /brokers` each holding a 16 MiB body one byte short keep
 *   the server's resident memory ≤ 768 MiB (bodies are charged to the
 *   remoting memory budget) and `/health` answering;
 * - H9: 2,000 `/events?routes=1` clients that never read, with brokers
 *   registering and leaving, keep `/health` p99 ≤ 500 ms and RSS ≤ 768 MiB.
 * Loopback only; every phase bounded; a sample over a memory limit kills the
 * child and fails at once.
 */
import { type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemotingClient, RequestCode, ResponseCode } from '../src/remoting/index.js';
import { sampleRss, startCli, type CliChild } from './helpers/child-rss.js';
import { registerRequest } from './helpers/loopback.js';

const MiB = 1024 * 1024;
const PROBE_TIMEOUT_MS = 5_000;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'namesrv-http-attack-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function cli(args: readonly string[] = []): Promise<CliChild> {
  const dir = await scratch();
  const started = await startCli(['--kv-config', join(dir, 'kv.json'), ...args]);
  cleanups.push(() => kill(started.child));
  return started;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

/** One HTTP request on a fresh connection; resolves status and time taken (a time-out counts as PROBE_TIMEOUT_MS). */
function call(port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; millis: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, timeout: PROBE_TIMEOUT_MS,
      headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, millis: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, millis: Math.max(performance.now() - started, PROBE_TIMEOUT_MS) }));
    req.end(body);
  });
}

/** Probes `GET /health` every 100 ms until stopped; resolves the answer times. */
function healthProbe(port: number): { stop: () => Promise<{ p99: number; failures: number; count: number }> } {
  const times: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await call(port, 'GET', '/health');
      times.push(r.millis);
      if (r.status !== 200) failures++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const sorted = [...times].sort((a, b) => a - b);
      return { p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Infinity, failures, count: times.length };
    },
  };
}

/** Fails (and kills the child) as soon as its RSS passes `limit`. */
function watchMemory(child: ChildProcess, limit: number): { peak: () => number; exceeded: Promise<never>; stop: () => void } {
  let fail: (err: Error) => void = () => {};
  const exceeded = new Promise<never>((_, reject) => (fail = reject));
  exceeded.catch(() => {});
  const sampler = sampleRss(child.pid!, limit, (rss) => {
    child.kill('SIGKILL');
    fail(new Error(`RSS reached ${Math.round(rss / MiB)} MiB (limit ${limit / MiB} MiB)`));
  });
  return { peak: sampler.peak, exceeded, stop: sampler.stop };
}

async function rawSocket(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  cleanups.push(() => socket.destroy());
  await once(socket, 'connect');
  return socket;
}

/** With ATTACK_REPORT set, prints a phase's figures (for issue notes and benchmarks). */
function report(what: string, peak: number, health: { p99: number; failures: number; count: number }): void {
  if (process.env['ATTACK_REPORT'] === undefined) return;
  console.info(`${what}: peak RSS ${Math.round(peak / MiB)} MiB, /health p99 ${Math.round(health.p99)} ms over ${health.count} probes, ${health.failures} failed`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('H4/H7: an access file closes HTTP writes and warns about plaintext signatures', () => {
  it('an access file without tokens: PUT /kv, POST /brokers, DELETE /topics answer 401 and the start line says so', async () => {
    const dir = await scratch();
    const access = join(dir, 'access.yml');
    await writeFile(access, 'accounts:\n  - { accessKey: ops, secretKey: "s3cret-ops-key", roles: [admin, broker, client] }\n');
    const { httpPort, output } = await cli(['--access-file', access]);
    expect(output()).toMatch(/HTTP writes refused: the access file lists no tokens/);
    expect(output()).toMatch(/replayed/);
    const broker = JSON.stringify({ clusterName: 'c', brokerName: 'b', brokerAddr: '10.0.0.1:10911', brokerId: 0 });
    expect((await call(httpPort, 'PUT', '/kv/ns/k', '{"value":"v"}')).status).toBe(401);
    expect((await call(httpPort, 'POST', '/brokers', broker)).status).toBe(401);
    expect((await call(httpPort, 'POST', '/brokers/heartbeat', broker)).status).toBe(401);
    expect((await call(httpPort, 'DELETE', '/topics/TopicA')).status).toBe(401);
    // Nothing was written, and the probes still answer.
    expect((await call(httpPort, 'GET', '/health')).status).toBe(200);
  }, 30_000);

  it('with tokens, writes need an admin (or broker) token; TLS enforcing silences the replay warning', async () => {
    const dir = await scratch();
    const access = join(dir, 'access.yml');
    await writeFile(access, [
      'tokens:',
      '  - { token: "admin-token-0123456789", roles: [admin] }',
      '  - { token: "reader-token-0123456789", roles: [client] }',
      '',
    ].join('\n'));
    const { httpPort, output } = await cli(['--access-file', access, '-Dtls.server.mode=enforcing', '-Dtls.test.mode.enable=true']);
    expect(output()).not.toMatch(/HTTP writes refused/);
    expect(output()).not.toMatch(/replayed/);
    const admin = { authorization: 'Bearer admin-token-0123456789' };
    const reader = { authorization: 'Bearer reader-token-0123456789' };
    expect((await call(httpPort, 'PUT', '/kv/ns/k', '{"value":"v"}')).status).toBe(401);
    expect((await call(httpPort, 'PUT', '/kv/ns/k', '{"value":"v"}', reader)).status).toBe(403);
    expect((await call(httpPort, 'PUT', '/kv/ns/k', '{"value":"v"}', admin)).status).toBe(204);
  }, 30_000);
});

describe('H5/H9: HTTP attacks keep memory bounded and /health answering (child process, RSS sampled)', () => {
  it('150 POST /brokers each holding a 16 MiB body one byte short: peak RSS ≤ 768 MiB, /health p99 ≤ 500 ms', async () => {
    const { child, httpPort } = await cli();
    const memory = watchMemory(child, 768 * MiB);
    const probe = healthProbe(httpPort);
    const declared = 16 * MiB;
    // One buffer written to every socket: the attacker's own memory stays small.
    const payload = Buffer.alloc(declared - 1, 0x20);
    const head = `POST /brokers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`;
    try {
      const sockets = await Promise.all(Array.from({ length: 150 }, () => rawSocket(httpPort)));
      // Each is done when the server has taken all its bytes, answered or closed it. Written in 1 MiB
      // slices, so this process's loop (which also probes) is not blocked copying 2.4 GB at once.
      const settled = sockets.map((s) => new Promise<void>((resolve) => {
        let done = false;
        const finish = (): void => {
          done = true;
          resolve();
        };
        s.once('data', finish);
        s.once('close', finish);
        s.write(head);
        const next = (offset: number): void => {
          if (done) return;
          if (offset >= payload.length) return finish();
          const end = Math.min(offset + MiB, payload.length);
          s.write(payload.subarray(offset, end), (err) => (err ? finish() : next(end)));
        };
        next(0);
      }));
      await Promise.race([Promise.all(settled), memory.exceeded, sleep(60_000)]);
      // Hold the unfinished bodies a while longer, probing.
      await Promise.race([sleep(2_000), memory.exceeded]);
      for (const s of sockets) s.destroy();
    } finally {
      memory.stop();
    }
    const health = await probe.stop();
    report('H5', memory.peak(), health);
    expect(memory.peak()).toBeLessThanOrEqual(768 * MiB);
    expect(health.count).toBeGreaterThan(5);
    expect(health.failures).toBe(0);
    expect(health.p99).toBeLessThan(500);
    // Afterwards: a real registration over HTTP works.
    const broker = JSON.stringify({ clusterName: 'c', brokerName: 'b', brokerAddr: '10.0.0.1:10911', brokerId: 0,
      topicConfigSerializeWrapper: { topicConfigTable: { T1: { topicName: 'T1' }, T2: { topicName: 'T2' } } } });
    expect((await call(httpPort, 'POST', '/brokers', broker)).status).toBe(200);
  }, 120_000);

  it('2,000 /events?routes=1 clients that never read, with broker churn: /health p99 ≤ 500 ms, peak RSS ≤ 768 MiB', async () => {
    const { child, port, httpPort } = await cli();
    const memory = watchMemory(child, 768 * MiB);
    const client = await RemotingClient.connect(port, '127.0.0.1');
    cleanups.push(() => client.close());
    const sockets: Socket[] = [];
    for (let i = 0; i < 2_000; i++) {
      const s = await rawSocket(httpPort);
      // Never read: the server's writes to it back up.
      s.pause();
      s.write('GET /events?routes=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
      sockets.push(s);
    }
    const probe = healthProbe(httpPort);
    const topics = Array.from({ length: 200 }, (_, i) => `ChurnTopic-${i}-${'x'.repeat(40)}`);
    const churnUntil = performance.now() + 10_000;
    let cycles = 0;
    try {
      const churn = (async () => {
        while (performance.now() < churnUntil) {
          const spec = { brokerName: `churn-${cycles % 4}`, brokerAddr: `10.9.0.${cycles % 4}:10911`, topics, counter: cycles + 1 };
          const { ext, body } = registerRequest(spec);
          expect((await client.invoke(RequestCode.REGISTER_BROKER, ext, body, { timeoutMillis: 60_000 })).code).toBe(ResponseCode.SUCCESS);
          await client.invoke(RequestCode.UNREGISTER_BROKER, {
            clusterName: 'DefaultCluster', brokerName: spec.brokerName, brokerAddr: spec.brokerAddr, brokerId: '0',
          }, null, { timeoutMillis: 60_000 });
          cycles++;
          await sleep(20);
        }
      })();
      await Promise.race([churn, memory.exceeded]);
    } finally {
      memory.stop();
    }
    const health = await probe.stop();
    for (const s of sockets) s.destroy();
    report(`H9 (${cycles} churn cycles)`, memory.peak(), health);
    expect(cycles).toBeGreaterThan(10);
    expect(memory.peak()).toBeLessThanOrEqual(768 * MiB);
    expect(health.count).toBeGreaterThan(10);
    expect(health.p99).toBeLessThanOrEqual(500);
  }, 180_000);
});
