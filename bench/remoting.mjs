// R1 and R2 of shared/BENCH.md: the registry over loopback TCP.
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { RemotingServer, RemotingClient } from '../dist/remoting/index.js';
import { bodyCrc32, encodeRegisterBrokerBody } from '../dist/experimental/codec.js';
import { RouteRegistry } from '../dist/index.js';
import { buildT, topicConfig } from './workloads.mjs';

/** A JSON-header request frame, as RocketMQ clients send them. */
export function requestFrame(code, opaque, extFields, body = Buffer.alloc(0)) {
  const header = Buffer.from(JSON.stringify({ code, language: 'JAVA', version: 453, opaque, flag: 0, extFields }));
  const frame = Buffer.allocUnsafe(8 + header.length + body.length);
  frame.writeInt32BE(4 + header.length + body.length, 0);
  frame.writeInt32BE(header.length, 4); // serialize type 0 (JSON) in the high byte
  header.copy(frame, 8);
  body.copy(frame, 8 + header.length);
  return frame;
}

/**
 * Runs the pipelining client in a worker thread: a client is another process
 * in real life, and sharing the server's thread would charge its work to the server.
 */
function pipeline(port, frames, total, window = 2048) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./r1-client.mjs', import.meta.url), { workerData: { port, frames, total, window } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** The physical limit: parses frame lengths, answers each with prebuilt bytes, no registry work. */
export function rawServer(response) {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      let count = 0;
      while (pending.length - offset >= 4) {
        const length = pending.readInt32BE(offset);
        if (pending.length - offset < 4 + length) break;
        offset += 4 + length;
        count++;
      }
      pending = pending.subarray(offset);
      if (count === 1) socket.write(response);
      else if (count > 1) socket.write(Buffer.concat(Array(count).fill(response)));
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Captures the exact bytes our server answers to one request. */
export function oneResponse(port, frame) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(frame));
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        socket.destroy();
        resolve(buf.subarray(0, 4 + buf.readInt32BE(0)));
      }
    });
    socket.on('error', reject);
  });
}

export async function r1({ quick = false } = {}) {
  const registry = buildT(10_000);
  const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1' });
  await server.listen();
  const port = server.address().port;
  const frames = [];
  let seed = 7;
  for (let i = 0; i < 4096; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    frames.push(requestFrame(105, i, { topic: `topic-${seed % 10_000}` }));
  }
  const response = await oneResponse(port, frames[0]);
  if (response.length < 200) throw new Error('R1: the route response looks wrong');
  const raw = await rawServer(response);
  const rawPort = raw.address().port;
  const total = quick ? 50_000 : 200_000;
  const rawFigures = [];
  const serverFigures = [];
  const ratios = [];
  // Alternate the two servers round by round so both see the same machine load.
  for (let i = 0; i < (quick ? 3 : 12); i++) {
    const a = await pipeline(rawPort, frames, total);
    const b = await pipeline(port, frames, total);
    if (i === 0) continue; // warm-up
    rawFigures.push(a);
    serverFigures.push(b);
    ratios.push(b / a);
  }
  await server.close();
  await new Promise((resolve) => raw.close(resolve));
  return { raw: rawFigures, server: serverFigures, ratio: ratios };
}

export async function r2({ quick = false } = {}) {
  const figures = { json: [], zlib: [] };
  const n = 100_000;
  const topicConfigTable = {};
  for (let t = 0; t < n; t++) topicConfigTable[`topic-${t}`] = topicConfig(`topic-${t}`);
  const registry = new RouteRegistry();
  const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1' });
  await server.listen();
  const client = new RemotingClient({ host: '127.0.0.1', port: server.address().port });
  await client.connect();
  let counter = 1;
  for (const compressed of [false, true]) {
    const list = compressed ? figures.zlib : figures.json;
    for (let i = 0; i < (quick ? 2 : 6); i++) {
      const dataVersion = { stateVersion: 0, timestamp: 1, counter: counter++ };
      const body = encodeRegisterBrokerBody({ topicConfigSerializeWrapper: { topicConfigTable, dataVersion }, filterServerList: [] }, compressed);
      const start = performance.now();
      const reply = await client.invoke(103, {
        clusterName: 'DefaultCluster', brokerAddr: '10.2.0.1:10911', brokerName: 'broker-r2', brokerId: '0',
        haServerAddr: '10.2.0.1:10912', compressed: String(compressed), bodyCrc32: String(bodyCrc32(body)),
      }, body, { timeoutMillis: 30_000 });
      const ms = performance.now() - start;
      if (reply.code !== 0) throw new Error(`R2: register answered ${reply.code} ${reply.remark}`);
      if (i > 0) list.push(ms); // first one is warm-up
    }
  }
  if (registry.topicCount !== n) throw new Error(`R2: ${registry.topicCount} topics registered`);
  await client.close();
  await server.close();
  return figures;
}
