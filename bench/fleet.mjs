#!/usr/bin/env node
// R5 of shared/BENCH.md: a fleet on one instance, real pacing. Starts the built
// CLI (bin/rocketmq-namesrv.mjs, default options) as its own process, drives it
// from two generator processes (bench/fleet-generator.mjs), and measures a
// window of --seconds after every broker's first registration.
//
//   npm run bench:fleet -- --brokers 2000 --clients 10000 --seconds 90
//   npm run bench:fleet -- --quick            (200 brokers, 1 000 clients, 15 s)
//   npm run bench:fleet -- --brokers 1000 --clients 5000 --seconds 60 --cpu-prof /tmp/prof
//   npm run bench:fleet -- --brokers 500 --clients 2500 --seconds 60 --compare
//
// --compare runs bench/fleet-raw-server.mjs (prebuilt answers, no work) under
// the same fleet before each run of ours: the floor of a shared machine at
// that moment. --rounds N repeats; --server-arg passes a flag to the CLI;
// --server-log FILE keeps its log; --interval-seconds shortens the 30 s period
// to try the bench out (not R5).
//
// Larger fleets run unattended too (npm run bench:fleet -- --brokers 5000 --clients 10000):
// the descriptor limit asked for grows with the fleet (a run past the server's
// connection cap stops with the reason), and past 4 000 000 route entries the
// server gets --max-route-entries raised.
//
// Prints one table and merges the figures into bench/results.json under R5 keys.
// Server CPU and RSS are read from /proc (Linux; elsewhere they are not reported).
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseFastjson } from '../dist/experimental/codec.js';
import { GET_BROKER_CLUSTER_INFO, onFrames, requestHead } from './fleet-topology.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GENERATOR = fileURLToPath(new URL('./fleet-generator.mjs', import.meta.url));
const RAW_SERVER = fileURLToPath(new URL('./fleet-raw-server.mjs', import.meta.url));
/** File descriptors the server and generators may open: 12 000 sockets at the default size, with room. */
const FD_LIMIT = 20_000;

/** The CLI's default `maxRouteEntries`. */
const DEFAULT_MAX_ROUTE_ENTRIES = 4_000_000;

/** Route entries a fleet holds: one per topic per broker (its user topics plus 8 system ones), one per live broker. */
const routeEntriesOf = (brokers, topicsPerBroker) => brokers * (topicsPerBroker + 8) + brokers;

/** The file-descriptor limit a run asks for: {@link FD_LIMIT}, or more for a fleet past it (every socket, a quarter more). */
export const fdLimitFor = (brokers, clients) => Math.max(FD_LIMIT, Math.ceil((brokers + clients) * 1.25) + 1_000);

/** The sizes: BENCH.md's R5, and a quick one for CI-like runs. */
export const FLEET_SIZES = Object.freeze({
  default: { brokers: 2_000, clients: 10_000, seconds: 90 },
  quick: { brokers: 200, clients: 1_000, seconds: 15 },
});

/** Java 5.3.3's R5 figures at the default size (BENCH.md), and the targets derived from them. */
const JAVA = { cpuSeconds: 66, rssMiB: 1_150 };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `node …` through a shell that first raises the file-descriptor limit (the process keeps the shell's pid: exec). */
function spawnNode(args, { ipc = false, env = process.env, fdLimit = FD_LIMIT } = {}) {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  // Raising the hard limit needs root (or a hard limit already that high); otherwise the hard limit is what there is.
  const script = `ulimit -n ${fdLimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec '${process.execPath}' ${quoted}`;
  return spawn('sh', ['-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])] });
}

/** The CLI with default options on `port`, HOME in a scratch folder so its KV file is its own; resolves once it boots. */
async function startServer(port, { cpuProfDir, serverArgs, serverLog, raw, fdLimit }) {
  const home = mkdtempSync(join(os.tmpdir(), 'fleet-namesrv-'));
  const nodeArgs = cpuProfDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
  const main = raw ? [RAW_SERVER] : ['bin/rocketmq-namesrv.mjs', ...serverArgs];
  const child = spawnNode([...nodeArgs, ...main, '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...process.env, HOME: home }, fdLimit,
  });
  const lines = [];
  let startLine = null;
  const booted = new Promise((resolve, reject) => {
    const onLine = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (line === '') continue;
        lines.push(line);
        if (lines.length > 200) lines.shift();
        if (startLine === null && line.includes('boot success')) {
          startLine = line;
          resolve();
        }
      }
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    if (serverLog !== null) {
      const file = createWriteStream(serverLog);
      child.stdout.pipe(file);
      child.stderr.pipe(file);
    }
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it booted:\n${lines.join('\n')}`)));
  });
  await booted;
  let exit = null;
  child.once('exit', (code, signal) => {
    exit = `the server exited (${signal ?? code}) during the run; its last lines:\n${lines.slice(-30).join('\n')}`;
  });
  return {
    pid: child.pid,
    startLine,
    lines,
    /** Throws when the server is gone: the figures of a run it did not survive mean nothing. */
    check() {
      if (exit !== null) throw new Error(exit);
    },
    async stop() {
      if (exit !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) of a process so far, all threads, or of one thread (its main thread: tid = pid); null without /proc. */
function cpuSeconds(pid, tid = null) {
  const path = tid === null ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  if (!existsSync(path)) return null;
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** A field of /proc/<pid>/status in MiB (VmRSS now, VmHWM the peak so far); null without /proc. */
function statusMiB(pid, field) {
  const path = `/proc/${pid}/status`;
  if (!existsSync(path)) return null;
  const match = readFileSync(path, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return match === null ? null : Number(match[1]) / 1024;
}

/** Brokers the server lists in GET_BROKER_CLUSTER_INFO (106), asked on a connection of its own. */
async function brokersInClusterInfo(port) {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const answer = new Promise((resolve) => onFrames(socket, (code, _opaque, body) => resolve({ code, body })));
  socket.write(requestHead(GET_BROKER_CLUSTER_INFO, 1, {}));
  const { code, body } = await Promise.race([answer, new Promise((resolve) => setTimeout(() => resolve({ code: -1 }), 10_000))]);
  socket.destroy();
  if (code !== 0) return -1;
  const table = parseFastjson(body.toString('utf8')).brokerAddrTable ?? {};
  return Object.values(table).filter((data) => Object.keys(data.brokerAddrs ?? {}).length > 0).length;
}

/** Two generator processes, each with every other pair of brokers (so each has plain and compressed ones) and half the clients. */
async function startGenerators(port, o) {
  const generators = [0, 1].map((half) => {
    const child = spawnNode([GENERATOR], { ipc: true, fdLimit: o.fdLimit });
    child.stdout.pipe(process.stderr);
    child.stderr.pipe(process.stderr);
    const brokerIds = Array.from({ length: o.brokers }, (_, g) => g).filter((g) => (g >> 1) % 2 === half);
    const clientIds = Array.from({ length: o.clients }, (_, k) => k).filter((k) => k % 2 === half);
    return { child, options: { port, brokerIds, clientIds, ...o, totalClients: o.clients } };
  });
  const next = (g, type) => new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m.type !== type) return;
      g.child.off('message', onMessage);
      resolve(m);
    };
    g.child.on('message', onMessage);
    g.child.once('exit', (code) => reject(new Error(`a fleet generator exited (${code})`)));
  });
  await Promise.all(generators.map((g) => {
    const ready = next(g, 'ready');
    g.child.send({ type: 'prepare', options: g.options });
    return ready;
  }));
  return {
    /** Starts the fleet; resolves once every broker registered successfully, or (false) after `deadlineMillis` regardless. */
    async start(deadlineMillis) {
      const firstDone = generators.map((g) => next(g, 'firstDone'));
      const t0 = Date.now() + 200;
      for (const g of generators) g.child.send({ type: 'start', t0 });
      let timer;
      const late = new Promise((resolve) => {
        timer = setTimeout(() => resolve(false), deadlineMillis);
      });
      const done = await Promise.race([Promise.all(firstDone).then(() => true), late]);
      clearTimeout(timer);
      return done;
    },
    window: () => generators.forEach((g) => g.child.send({ type: 'window' })),
    async stop() {
      const stats = await Promise.all(generators.map((g) => {
        const s = next(g, 'stats');
        g.child.send({ type: 'stop' });
        return s;
      }));
      return stats.map((m) => m.stats);
    },
    kill: () => generators.forEach((g) => g.child.kill()),
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))];
}

function summary(lists) {
  const sorted = Float64Array.from(lists.flat()).sort();
  return { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN };
}

/**
 * One R5 run: resolves its figures. Options: brokers, clients, seconds,
 * topicsPerBroker (1 000), intervalMillis and spreadMillis (30 000),
 * routesPerPoll (10), cpuProfDir (null), serverArgs ([]), log (stderr lines).
 */
export async function fleet(options) {
  const o = { topicsPerBroker: 1_000, intervalMillis: 30_000, spreadMillis: 30_000, routesPerPoll: 10, cpuProfDir: null, serverArgs: [], serverLog: null, raw: false, ...options };
  const log = o.log ?? ((line) => process.stderr.write(`${line}\n`));
  o.fdLimit = fdLimitFor(o.brokers, o.clients);
  const entries = routeEntriesOf(o.brokers, o.topicsPerBroker);
  if (!o.raw && entries > DEFAULT_MAX_ROUTE_ENTRIES && !o.serverArgs.some((a) => a.startsWith('--max-route-entries'))) {
    // R5 measures the fleet, not the cap: past the default an operator raises it too (README "Limits").
    o.serverArgs = [...o.serverArgs, '--max-route-entries', String(Math.ceil(entries * 1.1))];
    log(`  ${entries} route entries are past the default maxRouteEntries (${DEFAULT_MAX_ROUTE_ENTRIES}): the server runs with --max-route-entries ${Math.ceil(entries * 1.1)}`);
  }
  const port = await freePort();
  const server = await startServer(port, o);
  let gens = null;
  try {
    log(`  server: ${server.startLine.replace(/^\S+\s+/, '')}`);
    // The server derives its connection cap from its descriptor limit: a fleet past it would be refused at accept.
    const cap = Number(/maxConnections=(\d+)/.exec(server.startLine)?.[1] ?? Infinity);
    if (!o.raw && cap < o.brokers + o.clients + 1) {
      throw new Error(`the server takes ${cap} connections (its descriptor limit; \`ulimit -Hn\` here is the ceiling without root's `
        + `CAP_SYS_RESOURCE) but this fleet opens ${o.brokers + o.clients}: use fewer clients or raise the hard limit`);
    }
    gens = await startGenerators(port, {
      brokers: o.brokers, clients: o.clients, topicsPerBroker: o.topicsPerBroker, intervalMillis: o.intervalMillis,
      spreadMillis: o.spreadMillis, routesPerPoll: o.routesPerPoll, fdLimit: o.fdLimit,
    });
    log(`  ${o.brokers} brokers and ${o.clients} clients connected; first registrations over ${o.spreadMillis / 1000} s`);
    const started = performance.now();
    // Every broker's first registration spreads over one period; two more periods for those refused or late.
    const all = await gens.start(o.spreadMillis + 2 * o.intervalMillis);
    const after = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    log(all ? `  every broker registered after ${after}; measuring ${o.seconds} s`
      : `  NOT every broker registered after ${after}; measuring ${o.seconds} s anyway (their routes answer 17 meanwhile)`);
    return await measure(o, port, server, gens);
  } finally {
    gens?.kill();
    await server.stop();
  }
}

/** The window: server CPU and RSS from /proc, the generators' latencies, brokers in 106 at its end. */
async function measure(o, port, server, gens) {
  gens.window();
  const cpuStart = cpuSeconds(server.pid);
  // The event loop's thread alone: how close it runs to a whole core (everything on it waits behind everything else).
  const loopCpuStart = cpuSeconds(server.pid, server.pid);
  let rssWindowMax = 0;
  const sampler = setInterval(() => {
    rssWindowMax = Math.max(rssWindowMax, statusMiB(server.pid, 'VmRSS') ?? 0);
  }, 1_000);
  await new Promise((resolve) => setTimeout(resolve, o.seconds * 1_000));
  const cpuEnd = cpuSeconds(server.pid);
  const loopCpuEnd = cpuSeconds(server.pid, server.pid);
  clearInterval(sampler);
  server.check();
  // Asked before the generators stop: a broker's closed connection unregisters it, as in RocketMQ.
  const brokersListed = o.raw ? null : await brokersInClusterInfo(port);
  const stats = await gens.stop();
  const rssPeak = statusMiB(server.pid, 'VmHWM');
  server.check();
  const errors = {};
  for (const s of stats) for (const [kind, n] of Object.entries(s.errors)) errors[kind] = (errors[kind] ?? 0) + n;
  return {
    brokers: o.brokers, clients: o.clients, seconds: o.seconds, raw: o.raw,
    routes: summary(stats.map((s) => s.routes)),
    registrations: summary(stats.map((s) => s.registrations)),
    cpuSeconds: cpuStart === null ? null : cpuEnd - cpuStart,
    loopCpuSeconds: loopCpuStart === null ? null : loopCpuEnd - loopCpuStart,
    rssPeakMiB: rssPeak,
    rssWindowMaxMiB: rssWindowMax || null,
    errors,
    errorCount: Object.values(errors).reduce((a, b) => a + b, 0),
    earlyRouteMisses: stats.reduce((a, s) => a + s.earlyRouteMisses, 0),
    unregisteredAtWindow: stats.reduce((a, s) => a + s.unregisteredAtWindow, 0),
    brokersInClusterInfo: brokersListed,
    generatorLoopP99Millis: Math.max(...stats.map((s) => s.loopP99Millis)),
    generatorLoopMaxMillis: Math.max(...stats.map((s) => s.loopMaxMillis)),
    generatorCpuSeconds: stats.map((s) => s.cpuSeconds),
    startLine: server.startLine,
  };
}

/** The figures of a run as named rows: [name, value, unit, target text, met], targets only at BENCH.md's size. */
export function fleetRows(f) {
  const atDefault = f.brokers === FLEET_SIZES.default.brokers && f.clients === FLEET_SIZES.default.clients;
  const cpuTarget = 0.6 * JAVA.cpuSeconds * (f.seconds / 90);
  const rows = [
    ['route p50', f.routes.p50, 'ms'],
    ['route p99', f.routes.p99, 'ms', '<= 5 ms', f.routes.p99 <= 5],
    ['route max', f.routes.max, 'ms'],
    ['registration p50', f.registrations.p50, 'ms'],
    ['registration p99', f.registrations.p99, 'ms', '<= 50 ms', f.registrations.p99 <= 50],
    ['registration max', f.registrations.max, 'ms'],
    ['server CPU', f.cpuSeconds, `s per ${f.seconds} s`, atDefault ? `<= ${cpuTarget.toFixed(1)} s (0.6x Java)` : undefined,
      atDefault && f.cpuSeconds !== null ? f.cpuSeconds <= cpuTarget : undefined],
    ['server event-loop thread CPU', f.loopCpuSeconds, `s per ${f.seconds} s`],
    ['server RSS peak', f.rssPeakMiB, 'MiB', atDefault ? `<= ${0.6 * JAVA.rssMiB} MiB (0.6x Java)` : undefined,
      atDefault && f.rssPeakMiB !== null ? f.rssPeakMiB <= 0.6 * JAVA.rssMiB : undefined],
    ['errors', f.errorCount, '', '0', f.errorCount === 0],
    ['brokers in 106', f.brokersInClusterInfo, `of ${f.brokers}`, `${f.brokers}`, f.brokersInClusterInfo === f.brokers],
    ['generator event-loop p99', f.generatorLoopP99Millis, 'ms'],
  ];
  return rows.map(([name, value, unit, targetText, met]) => ({ name, value, unit, targetText, met }));
}

/** The results.json key of a row: R5, the size, the figure. */
export const fleetKey = (f, name) => `R5 ${f.brokers} brokers ${f.clients} clients${f.raw ? ' raw comparator' : ''}: ${name}`;

const fmt = (x) => (x === null || Number.isNaN(x) ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

function printTable(runs, raws) {
  const f = runs[0];
  const header = ['figure', ...runs.map((_, i) => (runs.length === 1 ? 'value' : `run ${i + 1}`)), ...raws.map((_, i) => `raw ${i + 1}`), 'unit', 'target', ''];
  const rows = fleetRows(f).map((row, r) => {
    const values = runs.map((run) => fleetRows(run)[r]);
    const met = values.every((v) => v.met === undefined) ? '' : values.every((v) => v.met) ? 'PASS' : 'FAIL';
    return [row.name, ...values.map((v) => fmt(v.value)), ...raws.map((raw) => fmt(fleetRows(raw)[r].value)), row.unit, row.targetText ?? '', met];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`R5 fleet: ${f.brokers} brokers (1 000 topics each + 8 system, half compressed), ${f.clients} clients, ${f.seconds} s measured`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  if (raws.length > 0) {
    const ratio = (key) => runs.map((run, i) => fmt(run[key].p99 / raws[i][key].p99)).join(', ');
    console.log(`raw: a bare node:net server answering prebuilt bytes under the same fleet, alternating with ours (the floor this machine gives now); `
      + `p99 ours/raw: route ${ratio('routes')}, registration ${ratio('registrations')}`);
  }
  for (const run of [...runs, ...raws].filter((r) => !generatorKeptUp(r))) {
    console.log(`WARNING: a generator's event-loop p99 was ${fmt(run.generatorLoopP99Millis)} ms (over ${GENERATOR_LOOP_P99_LIMIT_MILLIS} ms) in the `
      + `${run.raw ? 'comparator' : 'server'} run: the machine could not generate this load, its figures do not measure ${run.raw ? 'it' : 'the server'} `
      + '(not written to results.json)');
  }
  for (const [i, run] of [...runs, ...raws].entries()) {
    const errors = Object.entries(run.errors).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none';
    console.log(`run ${i + 1}: ${run.routes.count} routes, ${run.registrations.count} registrations measured; errors: ${errors}; `
      + `route misses before the window: ${run.earlyRouteMisses}; brokers not yet registered when it opened: ${run.unregisteredAtWindow}; RSS max in the window ${fmt(run.rssWindowMaxMiB)} MiB; `
      + `generator CPU ${run.generatorCpuSeconds.map(fmt).join(' + ')} s, event-loop max ${fmt(run.generatorLoopMaxMillis)} ms`);
  }
  console.log(`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; start line: ${f.startLine}`);
}

/** Past this, a generator's own event loop was too late for its latencies to measure the server (R5: "the generator shown not to be the bottleneck"). */
export const GENERATOR_LOOP_P99_LIMIT_MILLIS = 100;

/** Whether a run measured the server: its generators kept up. */
export const generatorKeptUp = (f) => f.generatorLoopP99Millis <= GENERATOR_LOOP_P99_LIMIT_MILLIS;

/** Merges the runs' figures (median, min, max over runs) into bench/results.json; runs whose generators fell behind are left out. */
export function writeFleetResults(runs) {
  runs = runs.filter(generatorKeptUp);
  if (runs.length === 0) return;
  const file = fileURLToPath(new URL('./results.json', import.meta.url));
  const out = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  for (const [r, row] of fleetRows(runs[0]).entries()) {
    const values = runs.map((run) => fleetRows(run)[r].value).filter((v) => v !== null).sort((a, b) => a - b);
    if (values.length === 0) continue;
    out[fleetKey(runs[0], row.name)] = { median: values[Math.floor(values.length / 2)], min: values[0], max: values[values.length - 1], unit: row.unit };
  }
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string' }, clients: { type: 'string' }, seconds: { type: 'string' }, quick: { type: 'boolean' },
      rounds: { type: 'string' }, 'topics-per-broker': { type: 'string' }, 'cpu-prof': { type: 'string' },
      'server-arg': { type: 'string', multiple: true }, 'server-log': { type: 'string' }, raw: { type: 'boolean' }, compare: { type: 'boolean' }, 'no-write': { type: 'boolean' }, 'interval-seconds': { type: 'string' },
    },
  });
  const size = values.quick ? FLEET_SIZES.quick : FLEET_SIZES.default;
  const o = {
    brokers: Number(values.brokers ?? size.brokers),
    clients: Number(values.clients ?? size.clients),
    seconds: Number(values.seconds ?? size.seconds),
    topicsPerBroker: Number(values['topics-per-broker'] ?? 1_000),
    cpuProfDir: values['cpu-prof'] ?? null,
    serverArgs: values['server-arg'] ?? [],
    serverLog: values['server-log'] ?? null,
    raw: values.raw === true,
    // Not R5 (which is 30 s): a shorter period to try the bench out quickly.
    intervalMillis: Number(values['interval-seconds'] ?? 30) * 1_000,
  };
  o.spreadMillis = o.intervalMillis;
  const runs = [];
  const raws = [];
  for (let i = 0; i < Number(values.rounds ?? 1); i++) {
    if (values.compare) {
      console.error(`R5 fleet raw comparator run ${i + 1}: ${o.brokers} brokers, ${o.clients} clients, ${o.seconds} s`);
      raws.push(await fleet({ ...o, raw: true }));
    }
    console.error(`R5 fleet run ${i + 1}${o.raw ? ' (raw comparator)' : ''}: ${o.brokers} brokers, ${o.clients} clients, ${o.seconds} s`);
    runs.push(await fleet(o));
  }
  printTable(runs, raws);
  if (!values['no-write']) {
    writeFleetResults(runs);
    if (raws.length > 0) writeFleetResults(raws);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
