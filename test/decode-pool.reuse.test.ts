import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { MQVersion } from '../src/remoting/codes.js';
import { decodeRegisterBrokerBody, encodeRegisterBrokerBody } from '../src/remoting/codec/register-body.js';
import type { TopicConfig } from '../src/core/types.js';
import { DecodePool } from '../src/remoting/decode/decode-pool.js';
import { isSealedTopicTable } from '../src/core/registration/topic-table.js';

// A broker re-sends its unchanged topic table every 30 s, usually with a new
// data version. The pool hands the key's (connection's) last table back
// instead of rebuilding it; everything else, and any table whose bytes
// differ, must still be exactly what the general decoder gives.

const LIMIT = 64 * 1024 * 1024;
const PLAIN = { compressed: false, version: MQVersion.V5_0_0, maxInflatedBytes: LIMIT };
const pools: DecodePool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function pool(): DecodePool {
  const p = new DecodePool({ size: 1, inlineBelowBytes: 0, partTopics: 100 });
  pools.push(p);
  return p;
}

function table(count: number, perm: (t: number) => number = () => 6): Record<string, TopicConfig> {
  const out: Record<string, TopicConfig> = {};
  for (let t = 0; t < count; t++) {
    out[`topic-${t}`] = {
      topicName: `topic-${t}`, readQueueNums: 8, writeQueueNums: 8, perm: perm(t), topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false,
    } as TopicConfig;
  }
  return out;
}

function body(topics: Record<string, TopicConfig>, counter: number, compressed = false, filters = ['10.0.0.9:7000']): Buffer {
  return encodeRegisterBrokerBody({
    topicConfigSerializeWrapper: { topicConfigTable: topics, dataVersion: { stateVersion: 0, timestamp: 1700000000000, counter } },
    filterServerList: filters,
  }, compressed);
}

async function expectDecoderValues(got: Awaited<ReturnType<DecodePool['decode']>>, b: Buffer, options: typeof PLAIN): Promise<void> {
  const expected = await decodeRegisterBrokerBody(b, options);
  expect([...got.topicConfigSerializeWrapper.topicConfigTable]).toStrictEqual(Object.entries(expected.topicConfigSerializeWrapper.topicConfigTable));
  expect(got.topicConfigSerializeWrapper.dataVersion).toStrictEqual(expected.topicConfigSerializeWrapper.dataVersion);
  expect(got.filterServerList).toStrictEqual(expected.filterServerList);
}

describe('an unchanged topic table re-sent on one connection', () => {
  it('returns the same Map with the new data version (plain JSON)', async () => {
    const p = pool();
    const key = {};
    const topics = table(500);
    const first = await p.decode(body(topics, 1), { ...PLAIN, key });
    const again = body(topics, 2, false, ['10.0.0.9:7001']);
    const second = await p.decode(again, { ...PLAIN, key });
    expect(second.topicConfigSerializeWrapper.topicConfigTable).toBe(first.topicConfigSerializeWrapper.topicConfigTable);
    expect(second.topicConfigSerializeWrapper.dataVersion.counter).toBe(2);
    await expectDecoderValues(second, again, PLAIN);
    expect(p.stats.reused).toBe(1);
  });

  it('returns the same Map for a compressed body too', async () => {
    const p = pool();
    const key = {};
    const topics = table(500);
    const options = { ...PLAIN, compressed: true };
    const first = await p.decode(body(topics, 1, true), { ...options, key });
    const again = body(topics, 2, true);
    const second = await p.decode(again, { ...options, key });
    expect(second.topicConfigSerializeWrapper.topicConfigTable).toBe(first.topicConfigSerializeWrapper.topicConfigTable);
    await expectDecoderValues(second, again, options);
    expect(p.stats.reused).toBe(1);
  });

  it('gives the new table when one byte of one topic changed', async () => {
    const p = pool();
    const key = {};
    const first = await p.decode(body(table(500), 1), { ...PLAIN, key });
    const changed = body(table(500, (t) => (t === 321 ? 4 : 6)), 2);
    expect(changed.length).toBe(body(table(500), 2).length);
    const second = await p.decode(changed, { ...PLAIN, key });
    expect(second.topicConfigSerializeWrapper.topicConfigTable).not.toBe(first.topicConfigSerializeWrapper.topicConfigTable);
    expect(second.topicConfigSerializeWrapper.topicConfigTable.get('topic-321')?.perm).toBe(4);
    await expectDecoderValues(second, changed, PLAIN);
    // The changed table is the key's one now: sent again, it comes back.
    const third = await p.decode(body(table(500, (t) => (t === 321 ? 4 : 6)), 3), { ...PLAIN, key });
    expect(third.topicConfigSerializeWrapper.topicConfigTable).toBe(second.topicConfigSerializeWrapper.topicConfigTable);
    expect(p.stats.reused).toBe(1);
  });

  it('never shares a table between keys, nor without a key', async () => {
    const p = pool();
    const topics = table(300);
    const a = await p.decode(body(topics, 1), { ...PLAIN, key: {} });
    const b = await p.decode(body(topics, 1), { ...PLAIN, key: {} });
    const c = await p.decode(body(topics, 1), PLAIN);
    const d = await p.decode(body(topics, 1), PLAIN);
    const maps = [a, b, c, d].map((r) => r.topicConfigSerializeWrapper.topicConfigTable);
    expect(new Set(maps).size).toBe(4);
    expect(p.stats.reused).toBe(0);
  });

  it('keeps results in order for bodies of one key decoded concurrently', async () => {
    const p = pool();
    const key = {};
    const topics = table(400);
    const changed = table(400, (t) => (t === 7 ? 2 : 6));
    const bodies = [body(topics, 1), body(topics, 2), body(changed, 3), body(topics, 4), body(topics, 5)];
    const results = await Promise.all(bodies.map((b) => p.decode(b, { ...PLAIN, key })));
    for (let k = 0; k < bodies.length; k++) await expectDecoderValues(results[k]!, bodies[k]!, PLAIN);
  });

  it('hands a keyed table out sealed: it refuses changes, so the registry may trust it unchanged', async () => {
    const p = pool();
    const got = await p.decode(body(table(300), 1), { ...PLAIN, key: {} });
    const map = got.topicConfigSerializeWrapper.topicConfigTable;
    expect(isSealedTopicTable(map)).toBe(true);
    expect(() => map.set('other', map.get('topic-0') as TopicConfig)).toThrow(TypeError);
    expect(() => map.delete('topic-0')).toThrow(TypeError);
    expect(() => map.clear()).toThrow(TypeError);
    expect(map.size).toBe(300);
    // Without a key there is nothing to recognize later: the caller's Map stays an ordinary one.
    const unkeyed = await p.decode(body(table(300), 1), PLAIN);
    expect(isSealedTopicTable(unkeyed.topicConfigSerializeWrapper.topicConfigTable)).toBe(false);
  });

  it('decodes a body in shared memory, at an offset, plain or compressed', async () => {
    const p = pool();
    for (const compressed of [false, true]) {
      const plain = body(table(400), 5, compressed);
      const shared = Buffer.from(new SharedArrayBuffer(plain.length + 100), 50, plain.length);
      plain.copy(shared);
      const options = { ...PLAIN, compressed };
      await expectDecoderValues(await p.decode(shared, { ...options, key: {} }), plain, options);
    }
    expect(p.stats.worker).toBe(2);
  });

  it('lets a key whose connection is gone be collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const p = pool();
    let key: object | null = {};
    const ref = new WeakRef(key);
    await p.decode(body(table(200), 1), { ...PLAIN, key });
    key = null;
    for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    expect(ref.deref()).toBeUndefined();
  });
});
