#!/usr/bin/env node
// What an instance holds for R5's fleet once it settled, without the load
// that makes R5's RSS move (backlogs when the machine is busy): every broker
// of bench/fleet-topology.mjs registered through the decode pool as the server
// does (one key per broker, its connection), then re-registered with the same
// table bytes (a heartbeat: the pool's `same` answer), then every topic's
// route looked up. Prints the heap after a full GC, by what holds it.
//   npm run build && node --expose-gc scripts/fleet-memory-probe.mjs [--brokers 2000] [--heap-snapshot FILE]
import { writeHeapSnapshot } from 'node:v8';
import { parseArgs } from 'node:util';
import { RouteRegistry } from '../dist/index.js';
import { DecodePool } from '../dist/experimental/codec.js';
import { brokerTopics, fleetShape, registerBody, registerFields, V5_3_3 } from '../bench/fleet-topology.mjs';

const { values } = parseArgs({ options: { brokers: { type: 'string' }, 'heap-snapshot': { type: 'string' } } });
const BROKERS = Number(values.brokers ?? 2000);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const mib = (bytes) => (bytes / 1048576).toFixed(1);
function heap(label) {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  console.log(`${label.padEnd(34)} heap used ${mib(m.heapUsed).padStart(7)} MiB, external ${mib(m.external).padStart(6)} MiB, RSS ${mib(m.rss).padStart(7)} MiB`);
  return m;
}

const shape = fleetShape(BROKERS);
const options = { compressed: false, version: V5_3_3, maxInflatedBytes: 1 << 26 };
const pool = new DecodePool();
// R5's fleet past 4 000 000 route entries (about 3 960 brokers) needs the cap raised, as bench:fleet does.
const registry = new RouteRegistry({ maxRouteEntries: Math.max(4_000_000, Math.ceil(BROKERS * 1_009 * 1.1)) });
const keys = Array.from({ length: BROKERS }, () => ({}));
const base = heap('empty');

/** Registers every broker at `counter` through the pool, a few at a time (as connections would). */
async function registerAll(counter) {
  for (let g0 = 0; g0 < BROKERS; g0 += 50) {
    await Promise.all(Array.from({ length: Math.min(50, BROKERS - g0) }, async (_, i) => {
      const g = g0 + i;
      const { body, crc } = registerBody(shape, g, brokerTopics(shape, g), { counter, timestamp: 1 });
      const fields = registerFields(shape, g, crc);
      const decoded = await pool.decode(body, { ...options, bodyCrc32: crc, key: keys[g] });
      registry.registerBroker({
        clusterName: fields.clusterName, brokerName: fields.brokerName, brokerAddr: fields.brokerAddr, brokerId: 0,
        haServerAddr: fields.haServerAddr, enableActingMaster: false, channel: keys[g],
        topicConfigWrapper: decoded.topicConfigSerializeWrapper, filterServerList: decoded.filterServerList,
      });
    }));
  }
}

await registerAll(1);
const registered = heap(`${BROKERS} brokers registered`);
await registerAll(2);
heap('each re-registered (same table)');
let routes = 0;
for (let i = 0; i < shape.userTopics; i++) if (registry.getRouteInfoByTopic(shape.topicAt(i)) !== null) routes++;
const looked = heap(`${routes} routes looked up`);
console.log(`pool: ${JSON.stringify(pool.stats)}; per broker: ${((registered.heapUsed - base.heapUsed) / BROKERS / 1024).toFixed(1)} KiB registered, `
  + `${((looked.heapUsed - base.heapUsed) / BROKERS / 1024).toFixed(1)} KiB with routes; ${registry.topicCount} topics`);
if (values['heap-snapshot'] !== undefined) console.log(`heap snapshot: ${writeHeapSnapshot(values['heap-snapshot'])}`);
await pool.close();
