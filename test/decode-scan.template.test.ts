import { describe, expect, it } from 'vitest';
import { scanPlainRegisterBody, type BodyScan } from '../src/remoting/decode/body-scan.js';
import { UnpackStream, unpackRegisterBody } from '../src/remoting/decode/body-unpack.js';
import { NameCache } from '../src/remoting/decode/name-cache.js';

// The scanner copies the fields of a topic record that repeats an earlier
// one byte for byte but for its name, instead of scanning them. Near misses
// (one byte off before or after the name, a name that is not the key, other
// spacing, escapes) must be scanned properly: whatever the mix, the result
// is exactly JSON.parse's.

/** A small deterministic generator (tests never depend on Math.random). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

const NAMES = ['t', 'topic-1', 'topic-10', 'topic-1x', '__proto__', 'tópico', 'a\\"b', 'SINGLE_TAG', '8', 'x,"y"'];

function record(name: string, variant: number): string {
  const q = JSON.stringify(name);
  switch (variant) {
    case 0: return `${q}:{"attributes":{},"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":${q},"topicSysFlag":0,"writeQueueNums":8}`;
    case 1: return `${q}:{"attributes":{},"order":false,"perm":6,"readQueueNums":16,"topicFilterType":"SINGLE_TAG","topicName":${q},"topicSysFlag":0,"writeQueueNums":8}`;
    case 2: return `${q}:{"attributes":{},"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":${q},"topicSysFlag":0,"writeQueueNums":9}`;
    case 3: return `${q}:{"attributes":{},"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":${JSON.stringify(`${name}x`)},"topicSysFlag":0,"writeQueueNums":8}`;
    case 4: return `${q} : { "attributes" : { } , "order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":${q},"topicSysFlag":0,"writeQueueNums":8 }`;
    case 5: return `${q}:{"topicName":${q},"readQueueNums":8,"writeQueueNums":8,"perm":6,"topicFilterType":"SINGLE_TAG","topicSysFlag":0,"order":false}`;
    case 6: return `${q}:{"attributes":{"k":${q}},"order":false,"perm":6,"readQueueNums":8,"topicFilterType":${q},"topicName":${q},"topicSysFlag":0,"writeQueueNums":8}`;
    case 7: return `${q}:{"perm":6,"topicName":${q},"note":"${name.length}","extra":1.5e3}`;
    case 8: return `${q}:{"attributes":{},"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":${q},"topicSysFlag":0,"writeQueueNums":8,"x":null}`;
    default: return `${q}:{"attributes":{},"order":true,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":${q},"topicSysFlag":0,"writeQueueNums":8}`;
  }
}

/** Entries by key (a plain object lists integer-like keys such as "8" first; the Map keeps body order), fields in order. */
function entriesOf(table: Map<string, unknown> | Record<string, unknown>): unknown[] {
  const entries = table instanceof Map ? [...table] : Object.entries(table);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.map(([k, v]) => [k, typeof v === 'object' && v !== null ? Object.entries(v) : v]);
}

describe('records repeating an earlier one but for the name', () => {
  it('give exactly what JSON.parse gives, whole and in parts, whatever the mix of near misses', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = rng(seed);
      const records: string[] = [];
      const count = 5 + Math.floor(next() * 300);
      for (let t = 0; t < count; t++) {
        const pick = next();
        const name = pick < 0.5 ? `topic-${t}` : pick < 0.6 ? `topic-${Math.floor(next() * 40)}` : NAMES[Math.floor(next() * NAMES.length)] as string;
        records.push(record(name, next() < 0.7 ? 0 : Math.floor(next() * 10)));
      }
      const body = Buffer.from(`{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":${seed}},"topicConfigTable":{${records.join(',')}}}}`);
      const parsed = JSON.parse(body.toString('utf8')) as { topicConfigSerializeWrapper: { topicConfigTable: Record<string, unknown> } };
      const expected = entriesOf(parsed.topicConfigSerializeWrapper.topicConfigTable);

      const scan = scanPlainRegisterBody(body);
      expect(scan, `seed ${seed}`).not.toBeNull();
      expect(entriesOf(unpackRegisterBody(scan!, body).topicConfigSerializeWrapper.topicConfigTable), `seed ${seed}`).toStrictEqual(expected);

      const parts: { scan: BodyScan; topics: number }[] = [];
      const every = 1 + Math.floor(next() * 50);
      const last = scanPlainRegisterBody(body, (ints, end, topics, names, values) => {
        parts.push({ scan: { ints: ints.slice(8, end), names: names.slice(), values: values.slice() }, topics });
      }, every);
      const stream = new UnpackStream(new NameCache(8));
      for (const part of parts) await stream.part(part.scan, part.topics, body);
      const streamed = await stream.finish(last!, body);
      expect(entriesOf(streamed.topicConfigSerializeWrapper.topicConfigTable), `seed ${seed} in parts of ${every}`).toStrictEqual(expected);
    }
  });

  it('a repeated record cut short at the end of the body is refused, as JSON.parse refuses it', () => {
    const whole = `{"topicConfigSerializeWrapper":{"topicConfigTable":{${record('a', 0)},${record('b', 0)}}}}`;
    for (let cut = whole.length - 12; cut < whole.length; cut++) {
      const body = Buffer.from(whole.slice(0, cut));
      expect(() => JSON.parse(body.toString('utf8'))).toThrow();
      expect(scanPlainRegisterBody(body)).toBeNull();
    }
  });
});
