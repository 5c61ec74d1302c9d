// `npm run bench`: the workloads of shared/BENCH.md, one table, bench/results.json.
// Run with `node --expose-gc bench/run.mjs` after `npm run build` (npm run bench does both).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { w1, w2, w3, w4a, w4b, w5 } from './workloads.mjs';
import { r1, r2 } from './remoting.mjs';
import { r2w, r3, r4, w5r } from './scale.mjs';
import { FLEET_SIZES, fleet, fleetKey, fleetRows, generatorKeptUp } from './fleet.mjs';

const quick = process.argv.includes('--quick');
// `--only=R3,W5r` runs just those workloads (ids as in BENCH.md) and merges them into results.json.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? null;
const want = (id) => only === null || only.includes(id);

/** name → { figures, unit, java?, target: (median) => boolean, targetText } */
const results = {};
function record(name, unit, figures, { java, targetText, target } = {}) {
  const sorted = [...figures].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  results[name] = { median, min: sorted[0], max: sorted[sorted.length - 1], unit, java, targetText, met: target ? target(median) : undefined };
  const r = results[name];
  console.error(`  ${name}: ${fmt(r.median)} ${unit} (min ${fmt(r.min)}, max ${fmt(r.max)})`);
}
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

const started = Date.now();
if (want('W5')) {
  console.error('W5 retained heap');
  record('W5 T(10000) heap', 'MiB', w5(10_000), { java: 5.5, targetText: '<= 5.5 MiB', target: (m) => m <= 5.5 });
  if (!quick) record('W5 T(100000) heap', 'MiB', w5(100_000), { java: 47, targetText: '<= 47 MiB', target: (m) => m <= 47 });
  record('W5 T(10000) heap, all routes cached', 'MiB', w5(10_000, true), { java: 5.5, targetText: '<= 5.5 MiB', target: (m) => m <= 5.5 });
  if (!quick) {
    record('W5 T(100000) heap, all routes cached', 'MiB', w5(100_000, true), { java: 47, targetText: '<= 47 MiB', target: (m) => m <= 47 });
  }
}

if (want('W1')) {
  console.error('W1 route lookups');
  record('W1 getRouteInfoByTopic', 'M ops/s', w1(), { java: 2.37, targetText: '>= 11.85 M ops/s (5x)', target: (m) => m >= 2.37 * 5 });
}

if (want('W2')) {
  console.error('W2 registration, new data version');
  record('W2 register fresh registry', 'us', w2(false), { java: 346, targetText: '<= 242 us (0.7x)', target: (m) => m <= 346 * 0.7 });
  record('W2 register on T(10000)', 'us', w2(true), { java: 472, targetText: '<= 330 us (0.7x)', target: (m) => m <= 472 * 0.7 });
  // The same with the table as a plain object (what JSON.parse gives): V8 enumerates large objects slowly.
  record('W2 register fresh, object table', 'us', w2(false, true), { java: 346 });
}

if (want('W3')) {
  console.error('W3 heartbeat, equal data version');
  const w3Sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  for (const n of w3Sizes) {
    record(`W3 heartbeat ${n / 1000}k topics`, 'us', w3(n), { java: n === 10_000 ? 289 : undefined, targetText: '<= 5 us', target: (m) => m <= 5 });
  }
  // A fresh (unsealed) table at an equal version is walked as RocketMQ walks it: for comparison with Java's 289 us.
  record('W3 heartbeat 10k topics, unsealed Map (walked)', 'us', w3(10_000, true), { java: 289 });
}

if (want('W4')) {
  console.error('W4 expiry scans');
  const w4Sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  for (const n of w4Sizes) {
    record(`W4a scan ${n / 1000}k brokers none expired`, 'us', w4a(n), { java: n === 1000 ? 23.5 : undefined, targetText: '<= 2 us', target: (m) => m <= 2 });
  }
  record('W4b scan 1k brokers 100 expired', 'ms', w4b(), { java: 6.4, targetText: '<= 1.28 ms (0.2x)', target: (m) => m <= 6.4 * 0.2 });
}

if (want('R1')) {
  console.error('R1 route lookups over loopback TCP');
  const r1Figures = await r1({ quick });
  record('R1 raw node:net comparator', 'k req/s', r1Figures.raw);
  record('R1 RemotingServer', 'k req/s', r1Figures.server);
  record('R1 ratio server/raw', 'x', r1Figures.ratio, { targetText: '>= 0.8', target: (m) => m >= 0.8 });
}

if (want('R2')) {
  console.error('R2 100 000-topic registration over TCP');
  const r2Figures = await r2({ quick });
  record('R2 register 100k topics JSON', 'ms', r2Figures.json, { targetText: '< 1000 ms', target: (m) => m < 1000 });
  record('R2 register 100k topics zlib', 'ms', r2Figures.zlib, { targetText: '< 1000 ms', target: (m) => m < 1000 });
}

if (want('R2w')) {
  console.error('R2w 10 000-topic registration over TCP vs a bare JSON.parse (2 cores shared: ratios are the signal)');
  const f = await r2w({ quick });
  record('R2w JSON.parse of the body', 'ms', f.parse);
  record('R2w register, decode on the event loop', 'ms', f.inline);
  record('R2w register, decode pool', 'ms', f.pool);
  record('R2w ratio event loop/JSON.parse', 'x', f.inlineRatio);
  record('R2w ratio pool/JSON.parse', 'x', f.poolRatio, { targetText: '<= 1.0', target: (m) => m <= 1.0 });
}

if (want('R3')) {
  console.error('R3 400 connections, one request in flight each');
  const f = await r3({ quick });
  record('R3 raw node:net comparator', 'k req/s', f.raw);
  record('R3 RemotingServer', 'k req/s', f.server);
  record('R3 ratio server/raw', 'x', f.ratio, { targetText: '>= 0.8', target: (m) => m >= 0.8 });
}

if (want('R4')) {
  // "Before" is the server as it runs without a decode pool (bodies decoded on the event loop); "decode pool" is the
  // server with a DecodePool as decodeRegisterBody, the way the CLI is to run it. Both in the same round, same clients.
  console.error('R4 route latency while 8 connections re-register 10 000 topics (before: decode on the event loop; now: decode pool)');
  const f = await r4({ quick });
  record('R4 route p99, decode on the event loop', 'ms', f.inlineP99);
  record('R4 route p50, decode pool', 'ms', f.poolP50);
  record('R4 route p99, decode pool', 'ms', f.poolP99, { targetText: '<= 5 ms', target: (m) => m <= 5 });
  record('R4 route p99 incl. the first registrations, decode pool', 'ms', f.poolP99All);
  record('R4 registrations/s, decode on the event loop', '/s', f.inlineRegs);
  record('R4 registrations/s, decode pool', '/s', f.poolRegs);
  record('R4 registrations/s ratio pool/event loop (now/before)', 'x', f.regsRatio, { targetText: '>= 2', target: (m) => m >= 2 });
}

if (want('W5r')) {
  console.error('W5r T(10000) from decoded bodies, every route looked up');
  record('W5r heap, decodeRegisterBrokerBody', 'MiB', await w5r(false), { java: 5.5, targetText: '<= 4.4 MiB (0.8x)', target: (m) => m <= 4.4 });
  record('W5r heap, decode pool', 'MiB', await w5r(true), { java: 5.5, targetText: '<= 4.4 MiB (0.8x)', target: (m) => m <= 4.4 });
}

if (want('R5')) {
  // At the quick size (about a minute: 30 s of first registrations, then the window); `npm run bench:fleet` runs BENCH.md's size.
  const size = FLEET_SIZES.quick;
  console.error(`R5 fleet: ${size.brokers} brokers, ${size.clients} clients, ${size.seconds} s (npm run bench:fleet for the full size)`);
  const f = await fleet(size);
  if (!generatorKeptUp(f)) console.error(`  R5: WARNING: a generator's event-loop p99 was ${fmt(f.generatorLoopP99Millis)} ms: the machine, not the server, set these figures`);
  for (const row of fleetRows(f)) {
    if (row.value === null) continue;
    record(fleetKey(f, row.name), row.unit, [row.value], { targetText: row.targetText, target: row.met === undefined ? undefined : () => row.met });
  }
}

// One table.
const rows = Object.entries(results).map(([name, r]) => [
  name, `${fmt(r.median)} ${r.unit}`, `${fmt(r.min)}–${fmt(r.max)}`, r.java === undefined ? '' : `${r.java}`, r.targetText ?? '', r.met === undefined ? '' : r.met ? 'PASS' : 'FAIL',
]);
const header = ['figure', 'median', 'min–max', 'Java', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(`\n${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s`);

const resultsFile = fileURLToPath(new URL('./results.json', import.meta.url));
const out = only === null || !existsSync(resultsFile) ? {} : JSON.parse(readFileSync(resultsFile, 'utf8'));
for (const [name, r] of Object.entries(results)) out[name] = { median: r.median, min: r.min, max: r.max, unit: r.unit };
writeFileSync(resultsFile, `${JSON.stringify(out, null, 2)}\n`);
