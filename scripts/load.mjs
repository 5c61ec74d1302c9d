#!/usr/bin/env node
// Load test of the BUILT package (dist/): a RemotingServer (in a child
// process by default, so the load generator does not share its event loop)
// with 1 000 brokers re-registering over a few dozen TCP connections and 200
// clients polling routes (GET_ROUTEINFO_BY_TOPIC) over a few more, for
// --duration seconds. Loopback only; stops by itself.
//
//   npm run build && node --expose-gc scripts/load.mjs [--duration 60] [--max-p99 10]
//   npm run test:load   (CI: 5 s, figures reported, only errors fail it: --max-p99 0)
//
// Prints requests served, errors, latency percentiles and the server's heap
// (after GC) before and after; exits 1 when any request failed or p99 is at
// or above --max-p99 milliseconds. `runLoad(options)` does the same for a
// test and returns the figures instead of exiting.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const DIST = new URL('../dist/', import.meta.url);

/** Defaults: what `node scripts/load.mjs` runs. */
export const LOAD_DEFAULTS = Object.freeze({
  durationSeconds: 60,
  brokers: 1_000,
  brokerConnections: 50,
  topicsPerBroker: 4,
  /** Distinct topics; brokers share them, so a route lists several brokers. */
  topicPool: 1_000,
  /** Each broker re-registers this often (RocketMQ brokers: every 30 s; shorter makes a short run meaningful). */
  registerIntervalMillis: 1_000,
  /** Share of registrations that carry a new data version (a changed topic table), exercising route rebuilds. */
  churn: 0.01,
  clients: 200,
  clientConnections: 20,
  /** Each client asks for a route this often. */
  pollIntervalMillis: 100,
  /** Fail when p99 is at or above this many milliseconds; 0: no latency bound, figures reported only (CI on shared cores). */
  maxP99Millis: 10,
  /** Run the server in this process instead of a child (its heap figures then include the load generator). */
  inProcess: false,
  timeoutMillis: 3_000,
});

async function loadDist() {
  const remotingUrl = new URL('remoting/index.js', DIST);
  if (!existsSync(fileURLToPath(remotingUrl))) {
    throw new Error(`${fileURLToPath(remotingUrl)} is missing: run \`npm run build\` first`);
  }
  const core = await import(new URL('index.js', DIST).href);
  const remoting = await import(remotingUrl.href);
  const codec = await import(new URL('experimental/codec.js', DIST).href);
  return { ...core, ...remoting, ...codec };
}

function heapAfterGc() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  return process.memoryUsage().heapUsed;
}

// ------------------------------------------------------------------ server side

/** Starts a server; `heap()` measures after GC, `close()` stops it. */
async function startServer(lib) {
  const registry = new lib.RouteRegistry();
  registry.start();
  const server = new lib.RemotingServer(registry, { port: 0, host: '127.0.0.1' });
  const errors = [];
  server.on('protocolError', (e) => errors.push(`protocol: ${e.error.message}`));
  server.on('requestError', (e) => errors.push(`request ${e.code}: ${e.error.message}`));
  server.on('error', (e) => errors.push(`server: ${e.message}`));
  const { port } = await server.listen();
  return {
    port,
    stats: () => ({ heap: heapAfterGc(), liveBrokers: registry.liveBrokerCount, topics: registry.topicCount, errors: errors.slice(0, 20), errorCount: errors.length }),
    async close() {
      await server.close();
      registry.close();
    },
  };
}

/** Child mode: serve, answer `stats` and `close` messages from the parent. */
async function serveChild() {
  const lib = await loadDist();
  const server = await startServer(lib);
  process.on('message', async (msg) => {
    if (msg === 'stats') process.send({ stats: server.stats() });
    if (msg === 'close') {
      await server.close();
      process.send({ closed: true }, () => process.disconnect());
    }
  });
  process.send({ port: server.port });
}

/** A server in a child process, driven over IPC. */
async function childServer() {
  const child = fork(SELF, ['--serve'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = async (msg, key) => {
    const reply = new Promise((resolve, reject) => {
      const onMessage = (m) => {
        if (m && key in m) {
          child.off('message', onMessage);
          resolve(m[key]);
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`load server exited (${code})`)));
    });
    if (msg !== null) child.send(msg);
    return reply;
  };
  const port = await ask(null, 'port');
  return {
    port,
    stats: () => ask('stats', 'stats'),
    async close() {
      const exited = once(child, 'exit');
      await ask('close', 'closed').catch(() => undefined);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

// ------------------------------------------------------------------ load side

function topicTable(lib, broker, o) {
  const table = new Map();
  for (let k = 0; k < o.topicsPerBroker; k++) {
    const topicName = `LoadTopic-${(broker * o.topicsPerBroker + k) % o.topicPool}`;
    table.set(topicName, { topicName, readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 });
  }
  return table;
}

/** A REGISTER_BROKER request as a broker sends it: a JSON RegisterBrokerBody and its CRC. */
function registration(lib, broker, counter, o) {
  const brokerAddr = `10.${(broker >> 8) & 255}.${broker & 255}.1:10911`;
  const body = lib.encodeRegisterBrokerBody({
    topicConfigSerializeWrapper: { topicConfigTable: topicTable(lib, broker, o), dataVersion: { stateVersion: 0, timestamp: 1_700_000_000_000, counter } },
    filterServerList: [],
  }, false);
  const ext = {
    clusterName: `LoadCluster-${broker % 4}`, brokerName: `load-broker-${broker}`, brokerAddr, brokerId: '0',
    haServerAddr: brokerAddr.replace(/:\d+$/, ':10912'), enableActingMaster: 'false', compressed: 'false',
    heartbeatTimeoutMillis: '120000', bodyCrc32: String(lib.bodyCrc32(body)),
  };
  return { ext, body };
}

/** Latencies in microseconds, bucketed: memory stays flat however long the run. */
class Histogram {
  // 1 µs resolution up to 100 ms, then one overflow bucket with the maximum tracked.
  counts = new Uint32Array(100_001);
  n = 0;
  max = 0;

  record(ms) {
    const us = Math.round(ms * 1_000);
    this.counts[Math.min(us, 100_000)]++;
    this.n++;
    if (ms > this.max) this.max = ms;
  }

  merge(other) {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.n += other.n;
    this.max = Math.max(this.max, other.max);
  }

  percentile(p) {
    if (this.n === 0) return 0;
    const rank = Math.ceil((p / 100) * this.n);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i === 100_000 ? this.max : i / 1_000;
    }
    return this.max;
  }
}

/**
 * Runs the load and returns its figures. Options: see {@link LOAD_DEFAULTS}.
 * Needs `npm run build` first.
 */
export async function runLoad(options = {}) {
  const o = { ...LOAD_DEFAULTS, ...options };
  const lib = await loadDist();
  const server = o.inProcess ? await startServer(lib) : await childServer();
  const sockets = [];
  const timers = [];
  try {
    const heapStart = (await server.stats()).heap;
    const connect = () => lib.RemotingClient.connect(server.port, '127.0.0.1', { timeoutMillis: o.timeoutMillis });
    const brokerConns = await Promise.all(Array.from({ length: o.brokerConnections }, connect));
    const clientConns = await Promise.all(Array.from({ length: o.clientConnections }, connect));
    sockets.push(...brokerConns, ...clientConns);

    const brokers = Array.from({ length: o.brokers }, (_, i) => ({
      conn: brokerConns[i % brokerConns.length], counter: 1, request: registration(lib, i, 1, o), index: i,
    }));
    // Warm-up, not measured: every broker registered once, so every route exists.
    for (let i = 0; i < brokers.length; i += 100) {
      await Promise.all(brokers.slice(i, i + 100).map(async (b) => {
        const res = await b.conn.invoke(lib.RequestCode.REGISTER_BROKER, b.request.ext, b.request.body);
        if (res.code !== 0) throw new Error(`warm-up registration refused: ${res.code} ${res.remark}`);
      }));
    }
    const warm = await server.stats();
    if (warm.liveBrokers !== o.brokers) throw new Error(`warm-up: ${warm.liveBrokers} live brokers, expected ${o.brokers}`);

    const registrations = new Histogram();
    const lookups = new Histogram();
    const failures = [];
    let errors = 0;
    let inFlight = 0;
    let running = true;
    const fail = (what) => {
      errors++;
      if (failures.length < 20) failures.push(what);
    };
    const timed = (conn, code, ext, body, histogram, check) => {
      inFlight++;
      const started = performance.now();
      conn.invoke(code, ext, body).then((res) => {
        histogram.record(performance.now() - started);
        if (res.code !== 0) fail(`${code}: answer ${res.code} ${res.remark ?? ''}`);
        else if (check !== undefined) check(res);
      }, (err) => fail(`${code}: ${err.message}`)).finally(() => inFlight--);
    };

    // Each broker and client runs on its own timer, phases spread over one interval.
    for (const b of brokers) {
      const tick = () => {
        if (!running) return;
        if (Math.random() < o.churn) b.request = registration(lib, b.index, ++b.counter, o);
        timed(b.conn, lib.RequestCode.REGISTER_BROKER, b.request.ext, b.request.body, registrations);
      };
      timers.push(setTimeout(() => {
        tick();
        timers.push(setInterval(tick, o.registerIntervalMillis));
      }, Math.random() * o.registerIntervalMillis));
    }
    const checkRoute = (res) => {
      if (res.body === null || res.body.length === 0) fail('105: empty route body');
    };
    for (let c = 0; c < o.clients; c++) {
      const conn = clientConns[c % clientConns.length];
      const tick = () => {
        if (!running) return;
        const topic = `LoadTopic-${Math.floor(Math.random() * Math.min(o.topicPool, o.brokers * o.topicsPerBroker))}`;
        timed(conn, lib.RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }, null, lookups, checkRoute);
      };
      timers.push(setTimeout(() => {
        tick();
        timers.push(setInterval(tick, o.pollIntervalMillis));
      }, Math.random() * o.pollIntervalMillis));
    }

    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, o.durationSeconds * 1_000));
    running = false;
    for (const t of timers) clearTimeout(t);
    const deadline = performance.now() + o.timeoutMillis + 1_000;
    while (inFlight > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const elapsed = (performance.now() - started) / 1_000;
    if (inFlight > 0) fail(`${inFlight} requests still unanswered at the end`);

    const end = await server.stats();
    if (end.errorCount > 0) {
      errors += end.errorCount;
      failures.push(...end.errors);
    }
    if (end.liveBrokers !== o.brokers) fail(`${end.liveBrokers} live brokers at the end, expected ${o.brokers}`);
    const all = new Histogram();
    all.merge(registrations);
    all.merge(lookups);
    const ms = (h) => ({ p50: h.percentile(50), p99: h.percentile(99), max: h.max });
    return {
      options: o,
      seconds: elapsed,
      served: all.n,
      registrations: registrations.n,
      lookups: lookups.n,
      ratePerSecond: all.n / elapsed,
      errors,
      failures,
      latencyMillis: { all: ms(all), registrations: ms(registrations), lookups: ms(lookups) },
      heapBytes: { start: heapStart, afterWarmUp: warm.heap, end: end.heap },
      server: o.inProcess ? 'in-process' : 'child process',
      passed: errors === 0 && (o.maxP99Millis === 0 || all.percentile(99) < o.maxP99Millis),
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    await Promise.all(sockets.map((s) => s.close().catch(() => undefined)));
    await server.close();
  }
}

/** A human-readable summary of {@link runLoad}'s figures. */
export function formatLoadResult(r) {
  const o = r.options;
  const mib = (b) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
  const f = (x) => x.toFixed(x < 10 ? 2 : 1);
  const l = r.latencyMillis;
  return [
    `load: ${o.brokers} brokers over ${o.brokerConnections} connections (re-register every ${o.registerIntervalMillis} ms, ${o.topicsPerBroker} topics each), `
      + `${o.clients} clients over ${o.clientConnections} connections (a route every ${o.pollIntervalMillis} ms), ${f(r.seconds)} s, server in a ${r.server}`,
    `served: ${r.served} requests (${Math.round(r.ratePerSecond)}/s): ${r.registrations} registrations, ${r.lookups} route lookups`,
    `errors: ${r.errors}${r.failures.length > 0 ? `\n  ${r.failures.join('\n  ')}` : ''}`,
    `latency: p50 ${f(l.all.p50)} ms, p99 ${f(l.all.p99)} ms, max ${f(l.all.max)} ms `
      + `(registrations p50 ${f(l.registrations.p50)} / p99 ${f(l.registrations.p99)} ms; route lookups p50 ${f(l.lookups.p50)} / p99 ${f(l.lookups.p99)} ms)`,
    `server heap after GC: ${mib(r.heapBytes.start)} at start, ${mib(r.heapBytes.afterWarmUp)} after warm-up, ${mib(r.heapBytes.end)} at the end`,
    `${r.passed ? 'PASS' : 'FAIL'}: errors must be 0${o.maxP99Millis === 0 ? ' (latency reported, not bounded)' : ` and p99 below ${o.maxP99Millis} ms`}`,
  ].join('\n');
}

function parseArgs(argv) {
  const options = {};
  const numbers = {
    '--duration': 'durationSeconds', '--brokers': 'brokers', '--broker-connections': 'brokerConnections', '--topics-per-broker': 'topicsPerBroker',
    '--topic-pool': 'topicPool', '--register-interval': 'registerIntervalMillis', '--churn': 'churn', '--clients': 'clients',
    '--client-connections': 'clientConnections', '--poll-interval': 'pollIntervalMillis', '--max-p99': 'maxP99Millis',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--in-process') options.inProcess = true;
    else if (arg === '--json') options.json = true;
    else if (arg in numbers) {
      const value = Number(argv[++i]);
      if (!Number.isFinite(value) || value < 0) throw new Error(`${arg} needs a non-negative number`);
      options[numbers[arg]] = value;
    } else throw new Error(`unknown option ${arg}; options: ${Object.keys(numbers).join(' ')} --in-process --json`);
  }
  return options;
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  if (process.argv.includes('--serve')) {
    await serveChild();
  } else {
    const { json, ...options } = parseArgs(process.argv.slice(2));
    if (typeof globalThis.gc !== 'function' && options.inProcess) console.error('note: run with --expose-gc for heap figures after GC');
    const result = await runLoad(options);
    console.log(json ? JSON.stringify(result, null, 2) : formatLoadResult(result));
    process.exitCode = result.passed ? 0 : 1;
  }
}
