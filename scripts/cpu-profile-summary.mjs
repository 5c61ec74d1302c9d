#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): where the thread's time went,
// and what held it in its longest busy stretches (what others waited behind).
//
//   node scripts/cpu-profile-summary.mjs <file.cpuprofile> [--top 25] [--stalls 8] [--stall-ms 20] [--from S] [--to S]
//
// Prints: busy share (everything but (idle)); the top functions by self time
// and by inclusive time (each function counted once per sample, however deep
// it recurses); self time by source file; GC's share; then the longest runs of
// consecutive non-idle samples, each with its top inclusive frames. A run of
// samples without idle is time the event loop could not answer anything else.
// --from/--to keep the samples between those seconds of the profile (e.g. a
// bench's measured window). The name server's own categories (registration
// decode, registry apply, route answers, socket writes, …) are given per sample
// by the innermost frame that names one.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string' }, stalls: { type: 'string' }, 'stall-ms': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
  },
});
if (positionals.length !== 1) {
  console.error('usage: node scripts/cpu-profile-summary.mjs <file.cpuprofile> [--top 25] [--stalls 8] [--stall-ms 20]');
  process.exit(2);
}
const TOP = Number(values.top ?? 25);
const STALLS = Number(values.stalls ?? 8);
const STALL_MS = Number(values['stall-ms'] ?? 20);
const FROM_MS = Number(values.from ?? 0) * 1000;
const TO_MS = values.to === undefined ? Infinity : Number(values.to) * 1000;

/** [category, function names that put a sample in it]: the innermost frame of a sample that names one decides. */
const CATEGORIES = [
  ['GC', ['(garbage collector)']],
  ['socket writes (write syscalls; on loopback they deliver to the peer too)', ['writeBuffer', 'writeUtf8String', 'writev', 'writeLatin1String']],
  ['compressed body: inflate (JS side of zlib)', ['processChunk', 'processCallback', 'zlibOnError']],
  ['register body decode on the event loop (decodeRegisterBrokerBody)', ['decodeTopicConfig', 'decodeInflatedBody', 'decodePlainBody', 'decodeRegisterBrokerBody', 'parseFastjson', 'setOwn', 'checkBodyCrc32']],
  ['decode pool, main-thread side (post, unpack, rebuild)', ['postMessage', 'unpackTopic', 'unpackWithTable', 'unpackRegisterBodySliced', 'ascii', 'decode']],
  ['route build (first lookup after the route changed)', ['buildRoute', 'sharedRouteOf', 'sameElements', 'snapshotOf']],
  ['registry apply of a registration', ['registerBroker', 'planTable', 'apply', 'put', 'remove']],
  ['route answer (lookup, reply bytes)', ['getRouteInfoByTopic', 'get']],
  ['connection close / unregister', ['onChannelDestroy', '#unregister', '#drop']],
  ['frame read and dispatch', ['#feed', '#onData', '#onRequest', '#process', '#decode', 'push']],
  ['socket reads (libuv, streams)', ['onStreamRead', 'Readable.push', 'onconnection']],
];
const CATEGORY_OF = new Map(CATEGORIES.flatMap(([name, fns]) => fns.map((f) => [f, name])));

const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n) => {
  const f = n.callFrame;
  const file = f.url === '' ? '' : ` ${basename(f.url)}:${f.lineNumber + 1}`;
  return `${f.functionName || '(anonymous)'}${file}`;
};
const fileOf = (n) => (n.callFrame.url === '' ? `(${n.callFrame.functionName || 'native'})` : basename(n.callFrame.url));
/** The node's stack, root first, as labels (each label once). */
const stackCache = new Map();
function stackOf(id) {
  let s = stackCache.get(id);
  if (s !== undefined) return s;
  const labels = [];
  for (let at = id; at !== undefined; at = parent.get(at)) labels.push(label(byId.get(at)));
  s = [...new Set(labels.reverse())];
  stackCache.set(id, s);
  return s;
}

const samples = profile.samples;
const deltas = profile.timeDeltas;
const profiled = (profile.endTime - profile.startTime) / 1000;
const self = new Map();
const inclusive = new Map();
const files = new Map();
let idle = 0;
let gc = 0;
const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
// A sample's time is the delta to the next sample.
const msOf = (i) => (deltas[i + 1] ?? 0) / 1000;
const isIdle = (n) => n.callFrame.functionName === '(idle)';
const at = [];
for (let i = 0, t = 0; i < samples.length; i++) at.push(t += deltas[i] / 1000);
const inRange = (i) => at[i] >= FROM_MS && at[i] < TO_MS;
const categories = new Map();
/** The sample's category: the innermost frame naming one. */
function categoryOf(id) {
  for (let n = id; n !== undefined; n = parent.get(n)) {
    const c = CATEGORY_OF.get(byId.get(n).callFrame.functionName);
    if (c !== undefined) return c;
  }
  return 'other';
}
for (let i = 0; i < samples.length; i++) {
  if (!inRange(i)) continue;
  const n = byId.get(samples[i]);
  const ms = msOf(i);
  if (isIdle(n)) {
    idle += ms;
    continue;
  }
  if (n.callFrame.functionName === '(garbage collector)') gc += ms;
  add(self, label(n), ms);
  add(files, fileOf(n), ms);
  add(categories, categoryOf(samples[i]), ms);
  for (const l of stackOf(samples[i])) add(inclusive, l, ms);
}
const total = Math.min(profiled, TO_MS) - FROM_MS;
const busy = total - idle;
const pct = (ms, of = busy) => `${((100 * ms) / of).toFixed(1)} %`.padStart(7);
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);

console.log(`${basename(positionals[0])}: ${(total / 1000).toFixed(1)} s of ${(profiled / 1000).toFixed(1)} s profiled, busy ${(busy / 1000).toFixed(1)} s (${pct(busy, total).trim()}), GC ${(gc / 1000).toFixed(2)} s (${pct(gc).trim()} of busy)`);
console.log(`\nBy category (innermost frame naming one; share of busy):`);
for (const [c, ms] of top(categories, CATEGORIES.length + 1)) console.log(`${pct(ms)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${c}`);
console.log(`\nSelf time (share of busy):`);
for (const [l, ms] of top(self, TOP)) console.log(`${pct(ms)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${l}`);
console.log(`\nInclusive time (share of busy):`);
for (const [l, ms] of top(inclusive, TOP)) console.log(`${pct(ms)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${l}`);
console.log(`\nSelf time by file:`);
for (const [f, ms] of top(files, 15)) console.log(`${pct(ms)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${f}`);

// Busy stretches: consecutive non-idle samples.
const stretches = [];
let start = -1;
let length = 0;
for (let i = 0; i <= samples.length; i++) {
  const busySample = i < samples.length && inRange(i) && !isIdle(byId.get(samples[i]));
  if (busySample) {
    if (start < 0) {
      start = i;
      length = 0;
    }
    length += msOf(i);
  } else if (start >= 0) {
    stretches.push({ start, end: i, ms: length });
    start = -1;
  }
}
stretches.sort((a, b) => b.ms - a.ms);
const long = stretches.filter((s) => s.ms >= STALL_MS);
const longMs = long.reduce((a, s) => a + s.ms, 0);
console.log(`\nBusy stretches without an idle sample: ${stretches.length}; ${long.length} of ${STALL_MS} ms or more, ${(longMs / 1000).toFixed(2)} s in all (${pct(longMs).trim()} of busy)`);
const inLong = new Map();
for (const s of long) {
  for (let i = s.start; i < s.end; i++) for (const l of stackOf(samples[i])) add(inLong, l, msOf(i));
}
console.log(`What the stretches of ${STALL_MS} ms or more spent (inclusive, share of those stretches):`);
for (const [l, ms] of top(inLong, TOP)) console.log(`${pct(ms, longMs)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${l}`);
console.log(`\nThe ${STALLS} longest:`);
for (const s of stretches.slice(0, STALLS)) {
  const within = new Map();
  for (let i = s.start; i < s.end; i++) for (const l of stackOf(samples[i])) add(within, l, msOf(i));
  const frames = top(within, 12).filter(([l]) => !l.startsWith('(root)')).slice(0, 6);
  console.log(`  ${s.ms.toFixed(0)} ms at ${(at[s.start] / 1000).toFixed(1)} s: ${frames.map(([l, ms]) => `${l} ${((100 * ms) / s.ms).toFixed(0)}%`).join(' | ')}`);
}
