// R2w, R3, R4 and W5r of shared/BENCH.md: registrations that must not stall
// routes, many connections with one request in flight, memory of decoded names.
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { RouteRegistry } from '../dist/index.js';
import { RemotingServer } from '../dist/remoting/index.js';
import { DecodePool, decodeRegisterBrokerBody } from '../dist/experimental/codec.js';
import { rawServer, oneResponse, requestFrame } from './remoting.mjs';
import { brokerTables, buildT } from './workloads.mjs';

const CLUSTER = 'DefaultCluster';
const REGISTER_BROKER = 103;
const GET_ROUTEINFO_BY_TOPIC = 105;
const V5 = 413;

/** A RegisterBrokerBody as a RocketMQ 5 broker writes it (fastjson: sorted fields, attributes, mapping sections). */
export function fastjsonBody(names, counter) {
  let s = '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":' + counter
    + ',"stateVersion":0,"timestamp":1700000000000},"mappingDataVersion":{"counter":0,"stateVersion":0,"timestamp":0},"topicConfigTable":{';
  for (let i = 0; i < names.length; i++) {
    const q = JSON.stringify(names[i]);
    s += (i > 0 ? ',' : '') + q + ':{"attributes":{},"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":'
      + q + ',"topicSysFlag":0,"writeQueueNums":8}';
  }
  return Buffer.from(s + '},"topicQueueMappingDetailMap":{},"topicQueueMappingInfoMap":{}}}');
}

const TOPICS = Array.from({ length: 10_000 }, (_, t) => `topic-${t}`);

/** A REGISTER_BROKER frame of 10 000 topics with `counter` as data version, `bodyCrc32` set. */
function registerFrame(brokerName, host, counter, opaque = counter) {
  const body = fastjsonBody(TOPICS, counter);
  return requestFrame(REGISTER_BROKER, opaque, {
    clusterName: CLUSTER, brokerName, brokerAddr: `${host}:10911`, brokerId: '0', haServerAddr: `${host}:10912`,
    compressed: 'false', bodyCrc32: String(crc32(body) & 0x7fffffff),
  }, body);
}

function routeFrames(count = 4096) {
  const frames = [];
  let seed = 11;
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    frames.push(requestFrame(GET_ROUTEINFO_BY_TOPIC, i, { topic: `topic-${seed % 10_000}` }));
  }
  return frames;
}

/**
 * A server as a user writes it (`withPool`: the default, which decodes on its own workers), or with
 * `decodeWorkers: 0` (every body decoded on the event loop, the "before"), and how to stop it.
 */
async function startServer(registry, withPool) {
  const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1', ...(withPool ? {} : { decodeWorkers: 0 }) });
  await server.listen();
  return {
    port: server.address().port,
    pool: { get stats() { return server.decodeStats; } },
    close: () => server.close(),
  };
}

/** One socket, one request at a time: resolves with the response frame. */
async function sequentialClient(port) {
  const socket = await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
  let pending = Buffer.alloc(0);
  let waiter = null;
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const frame = pending.subarray(0, 4 + pending.readInt32BE(0));
      pending = pending.subarray(frame.length);
      const w = waiter;
      waiter = null;
      w(frame);
    }
  });
  return {
    request: (frame) => new Promise((resolve) => {
      waiter = resolve;
      socket.write(frame);
    }),
    close: () => socket.destroy(),
  };
}

/** Response code of a JSON-header response frame. */
function responseCode(frame) {
  const headerLength = frame.readInt32BE(4) & 0xffffff;
  return JSON.parse(frame.toString('utf8', 8, 8 + headerLength)).code;
}

/**
 * R2w: time per REGISTER_BROKER of 10 000 topics (new data version each
 * request) over loopback, without and with the decode pool, each as a ratio
 * to a bare JSON.parse of the same bodies in the same round.
 */
export async function r2w({ quick = false } = {}) {
  const out = { parse: [], inline: [], pool: [], inlineRatio: [], poolRatio: [] };
  const servers = [await startServer(new RouteRegistry(), false), await startServer(new RouteRegistry(), true)];
  const clients = await Promise.all(servers.map((s) => sequentialClient(s.port)));
  const perRound = quick ? 4 : 8;
  let counter = 1;
  for (let round = 0; round < (quick ? 3 : 6); round++) {
    const frames = Array.from({ length: perRound }, () => registerFrame('broker-r2w', '10.3.0.1', counter++));
    const bodies = frames.map((f) => f.subarray(8 + (f.readInt32BE(4) & 0xffffff)));
    let start = performance.now();
    let check = 0;
    for (const body of bodies) check += JSON.parse(body.toString('utf8')).topicConfigSerializeWrapper.dataVersion.counter;
    const parse = (performance.now() - start) / perRound;
    if (check === 0) throw new Error('R2w: JSON.parse gave nothing');
    const times = [];
    for (const client of clients) {
      start = performance.now();
      for (const frame of frames) {
        const answer = await client.request(frame);
        if (responseCode(answer) !== 0) throw new Error(`R2w: register answered ${responseCode(answer)}`);
      }
      times.push((performance.now() - start) / perRound);
    }
    if (round === 0) continue; // warm-up
    out.parse.push(parse);
    out.inline.push(times[0]);
    out.pool.push(times[1]);
    out.inlineRatio.push(times[0] / parse);
    out.poolRatio.push(times[1] / parse);
  }
  if (servers[1].pool.stats.fallback !== 0 || servers[1].pool.stats.worker === 0) {
    throw new Error(`R2w: the pool did not decode on its workers (${JSON.stringify(servers[1].pool.stats)})`);
  }
  for (const c of clients) c.close();
  for (const s of servers) await s.close();
  return out;
}

function runClient(job, transfer) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./scale-client.mjs', import.meta.url), { workerData: job, transferList: transfer });
    worker.once('message', (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** R3: 400 connections, one route request in flight on each, against the raw node:net comparator. */
export async function r3({ quick = false } = {}) {
  const registry = buildT(10_000);
  const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1' });
  await server.listen();
  const port = server.address().port;
  const frames = routeFrames();
  const response = await oneResponse(port, frames[0]);
  const raw = await rawServer(response);
  const rawPort = raw.address().port;
  const job = { mode: 'r3', frames, connections: 400, total: quick ? 40_000 : 100_000 };
  const out = { raw: [], server: [], ratio: [] };
  for (let i = 0; i < (quick ? 3 : 6); i++) {
    const a = await runClient({ ...job, port: rawPort });
    const b = await runClient({ ...job, port });
    if (i === 0) continue; // warm-up
    out.raw.push(a);
    out.server.push(b);
    out.ratio.push(b / a);
  }
  await server.close();
  await new Promise((resolve) => raw.close(resolve));
  return out;
}

function percentile(sorted, p) {
  // No answer at all in the window (a loop blocked throughout): unbounded, not a crash of the report.
  if (sorted.length === 0) return Infinity;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/**
 * R4: route latency (a request every 2 ms) while 8 connections re-register
 * 10 000-topic brokers back to back, without and with the decode pool. The
 * window opens once each connection's first registration (a whole new table)
 * was answered; the p99 over the whole run, first registrations included, is
 * reported too.
 */
export async function r4({ quick = false } = {}) {
  const registerFrames = Array.from({ length: 8 }, (_, k) => [1, 2].map((c) => registerFrame(`broker-r4-${k}`, `10.4.${k}.1`, c)));
  const routes = routeFrames();
  const variants = [];
  for (const withPool of [false, true]) variants.push(await startServer(buildT(10_000), withPool));
  const out = { inlineP99: [], poolP99: [], poolP50: [], poolP99All: [], inlineRegs: [], poolRegs: [], regsRatio: [] };
  const durationMillis = quick ? 1000 : 2000;
  for (let i = 0; i < (quick ? 3 : 6); i++) {
    const figures = [];
    for (const v of variants) {
      const r = await runClient({ mode: 'r4', port: v.port, routeFrames: routes, registerFrames, registrars: 8, durationMillis });
      const sorted = r.latencies.sort((a, b) => a - b);
      const all = r.allLatencies.sort((a, b) => a - b);
      figures.push({ p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), p99All: percentile(all, 0.99), regs: r.registrationsPerSecond });
    }
    if (i === 0) continue; // warm-up
    out.inlineP99.push(figures[0].p99);
    out.poolP99.push(figures[1].p99);
    out.poolP50.push(figures[1].p50);
    out.poolP99All.push(figures[1].p99All);
    out.inlineRegs.push(figures[0].regs);
    out.poolRegs.push(figures[1].regs);
    out.regsRatio.push(figures[1].regs / figures[0].regs);
  }
  for (const v of variants) await v.close();
  return out;
}

/**
 * W5r: retained heap (MiB, after GC) of T(10 000) whose every registration
 * was decoded from its own body, so each broker brings its own name strings;
 * every route looked up. `viaPool` decodes as the pool does (names shared
 * between a topic's key and its topicName), else as decodeRegisterBrokerBody does.
 */
export async function w5r(viaPool) {
  if (typeof globalThis.gc !== 'function') throw new Error('W5r needs node --expose-gc');
  const gc = () => {
    for (let i = 0; i < 4; i++) globalThis.gc();
  };
  const pool = new DecodePool({ size: 0 });
  const names = brokerTables(10_000).map((table) => [...table.keys()]);
  const figures = [];
  for (let round = 0; round < 6; round++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    let registry = new RouteRegistry();
    for (let b = 0; b < 100; b++) {
      for (const id of [0, 1]) {
        const body = fastjsonBody(names[b], 1);
        const options = { compressed: false, version: V5, maxInflatedBytes: 1 << 26 };
        const decoded = viaPool ? await pool.decode(body, options) : await decodeRegisterBrokerBody(body, options);
        registry.registerBroker({
          clusterName: CLUSTER, brokerName: `broker-${b}`, brokerId: id, brokerAddr: `10.0.${b}.${id + 1}:10911`,
          haServerAddr: `10.0.${b}.${id + 1}:10912`, topicConfigWrapper: decoded.topicConfigSerializeWrapper,
        });
      }
    }
    for (let t = 0; t < 10_000; t++) registry.getRouteInfoByTopic(`topic-${t}`);
    gc();
    const after = process.memoryUsage().heapUsed;
    if (registry.topicCount !== 10_000) throw new Error('W5r built the wrong topology');
    registry = null;
    if (round > 0) figures.push((after - before) / 1048576);
  }
  return figures;
}
