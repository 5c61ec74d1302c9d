// Probe: time per pool.decode of a 10 000-topic body (+ registry apply), partTopics variants vs JSON.parse, interleaved.
import { RouteRegistry } from '../dist/index.js';
import { DecodePool } from '../dist/experimental/codec.js';
import { fastjsonBody } from './scale.mjs';

const names = Array.from({ length: 10_000 }, (_, t) => `topic-${t}`);
const variants = (process.argv[2] ?? '0,1000').split(',').map(Number);
const pools = variants.map((partTopics) => new DecodePool({ size: 1, partTopics }));
const registries = variants.map(() => new RouteRegistry());
const options = { compressed: false, version: 413, maxInflatedBytes: 1 << 26 };
const res = { parse: [] };
for (const v of variants) res[v] = [];
let counter = 1;
for (let round = 0; round < 12; round++) {
  const bodies = Array.from({ length: 6 }, () => fastjsonBody(names, counter++));
  let t = performance.now();
  for (const b of bodies) JSON.parse(b.toString('utf8'));
  const parse = (performance.now() - t) / bodies.length;
  for (let k = 0; k < variants.length; k++) {
    t = performance.now();
    for (const b of bodies) {
      const d = await pools[k].decode(b, options);
      registries[k].registerBroker({ clusterName: 'c', brokerName: 'b', brokerId: 0, brokerAddr: '10.0.0.1:10911', haServerAddr: '10.0.0.1:10912', topicConfigWrapper: d.topicConfigSerializeWrapper });
    }
    const ms = (performance.now() - t) / bodies.length;
    if (round > 1) res[variants[k]].push(ms / parse);
  }
  if (round > 1) res.parse.push(parse);
}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
console.log(`parse ${med(res.parse).toFixed(2)} ms; ` + variants.map((v) => `parts=${v}: ${med(res[v]).toFixed(2)}x`).join(', '));
for (const p of pools) await p.close();
