#!/usr/bin/env node
// How many REGISTER_BROKER bodies per second the decode pool hands back while
// the event loop is busy: heartbeats of R5's plain 1 008-topic body (each
// key's table unchanged, so the pool answers `same`), all sent at once from
// `--keys` connections, while every turn of the event loop also runs
// `--turn-ms` of other work (what thousands of sockets' reads and answers
// take in a fleet). If the pool hands back about one body per turn, its
// throughput is 1000 / turn-ms bodies/s, whatever the CPU left.
//   npm run build && node scripts/decode-lane-probe.mjs [--keys 200] [--turn-ms 0,5,20,50] [--jobs-per-worker 4]
import { parseArgs } from 'node:util';
import { DecodePool } from '../dist/experimental/codec.js';
import { brokerTopics, fleetShape, registerBody } from '../bench/fleet-topology.mjs';

const { values } = parseArgs({ options: { keys: { type: 'string' }, 'turn-ms': { type: 'string' }, 'jobs-per-worker': { type: 'string' } } });
const KEYS = Number(values.keys ?? 200);
const TURNS = (values['turn-ms'] ?? '0,5,20,50').split(',').map(Number);
const shape = fleetShape(2000);
const bodies = Array.from({ length: KEYS }, (_, k) => registerBody(shape, 2 * k, brokerTopics(shape, 2 * k), { counter: 1, timestamp: 1 }).body);
const options = { compressed: false, version: 479, maxInflatedBytes: 1 << 26 };

/** Busy-waits `ms` once per event-loop turn until stopped. */
function loadTurns(ms) {
  let on = true;
  const turn = () => {
    if (!on) return;
    const end = performance.now() + ms;
    while (performance.now() < end);
    setImmediate(turn);
  };
  if (ms > 0) setImmediate(turn);
  return () => {
    on = false;
  };
}

const pool = new DecodePool(values['jobs-per-worker'] === undefined ? {} : { jobsPerWorker: Number(values['jobs-per-worker']) });
const keys = bodies.map(() => ({}));
// Each key's first body: a whole new table (scan and rebuild); not measured.
await Promise.all(bodies.map((body, k) => pool.decode(body, { ...options, key: keys[k] })));
for (const ms of TURNS) {
  const stop = loadTurns(ms);
  const start = performance.now();
  await Promise.all(bodies.map((body, k) => pool.decode(body, { ...options, key: keys[k] })));
  const seconds = (performance.now() - start) / 1000;
  stop();
  console.log(`turn ${ms} ms: ${KEYS} unchanged bodies in ${seconds.toFixed(2)} s = ${(KEYS / seconds).toFixed(0)} bodies/s`
    + (ms > 0 ? ` (one per turn would be ${(1000 / ms).toFixed(0)}/s)` : ''));
}
console.log(JSON.stringify(pool.stats));
await pool.close();
