import { deflateSync, inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { TopicConfig } from '../src/core/types.js';
import { MQVersion } from '../src/remoting/codes.js';
import { bodyCrc32 } from '../src/remoting/codec/crc32.js';
import { DecodePool, type MappedRegisterBrokerBody } from '../src/remoting/decode/decode-pool.js';
import { BodyDecodeError } from '../src/remoting/errors.js';
import { decodeRegisterBrokerBody, encodeRegisterBrokerBody } from '../src/remoting/codec/register-body.js';

const V5 = MQVersion.V5_0_0;
const V4 = MQVersion.V4_9_4;
const LIMIT = 64 * 1024 * 1024;
const pools: DecodePool[] = [];

function pool(options: ConstructorParameters<typeof DecodePool>[0] = {}): DecodePool {
  // inlineBelowBytes 0: every body goes through a worker.
  const p = new DecodePool({ size: 1, inlineBelowBytes: 0, ...options });
  pools.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** What a RocketMQ 5 broker writes (fastjson: sorted fields, attributes, mapping sections). */
function fastjsonBody(names: string[], extra: (name: string) => string = () => '{}'): Buffer {
  const topics = names.map((name) => `${JSON.stringify(name)}:{"attributes":${extra(name)},"order":false,"perm":6,"readQueueNums":8,`
    + `"topicFilterType":"SINGLE_TAG","topicName":${JSON.stringify(name)},"topicSysFlag":0,"writeQueueNums":8}`);
  return Buffer.from('{"filterServerList":["10.0.0.9:7000"],"topicConfigSerializeWrapper":{"dataVersion":{"counter":2,"stateVersion":0,'
    + `"timestamp":1700000000000},"mappingDataVersion":{"counter":0,"stateVersion":0,"timestamp":0},"topicConfigTable":{${topics.join(',')}},`
    + '"topicQueueMappingDetailMap":{},"topicQueueMappingInfoMap":{}}}');
}

function table(names: string[]): Map<string, TopicConfig> {
  return new Map(names.map((name) => [name, { topicName: name, readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 }]));
}

const manyNames = Array.from({ length: 2000 }, (_, t) => `topic-${t}`);

/** Entries with their fields in order: equal only when every key and value, and their order, match. */
function canonical(body: { topicConfigSerializeWrapper: { topicConfigTable: unknown; dataVersion: unknown }; filterServerList: unknown }): unknown {
  const t = body.topicConfigSerializeWrapper.topicConfigTable;
  const entries = t instanceof Map ? [...(t as Map<string, unknown>)] : Object.entries(t as Record<string, unknown>);
  const sortedByKey = entries.map(([k, v]) => [k, typeof v === 'object' && v !== null ? Object.entries(v) : v]);
  return { table: sortedByKey, dataVersion: body.topicConfigSerializeWrapper.dataVersion, filterServerList: body.filterServerList };
}

async function expectSameAsDecoder(p: DecodePool, body: Buffer, compressed: boolean, version: number = V5): Promise<MappedRegisterBrokerBody> {
  const options = { compressed, version, maxInflatedBytes: LIMIT };
  const expected = await decodeRegisterBrokerBody(body, options);
  const got = await p.decode(body, options);
  expect(got.topicConfigSerializeWrapper.topicConfigTable).toBeInstanceOf(Map);
  expect(canonical(got)).toStrictEqual(canonical(expected));
  return got;
}

describe('DecodePool: the same values as decodeRegisterBrokerBody', () => {
  it('decodes a plain body as the package encodes it', async () => {
    const body = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: { topicConfigTable: table(manyNames), dataVersion: { stateVersion: 0, timestamp: 5, counter: 3 } },
      filterServerList: [],
    });
    const p = pool();
    const got = await expectSameAsDecoder(p, body, false);
    expect(got.topicConfigSerializeWrapper.topicConfigTable.size).toBe(2000);
    expect(p.stats).toEqual({ worker: 1, fallback: 0, inline: 0, reused: 0 });
  });

  it('decodes a RocketMQ 5 broker body: sorted fields, attributes, mapping sections, filter servers', async () => {
    const body = fastjsonBody(manyNames, (name) => (name === 'topic-7' ? '{"+message.type":"FIFO"}' : '{}'));
    const p = pool();
    const got = await expectSameAsDecoder(p, body, false);
    expect(p.stats.fallback).toBe(0);
    expect(got.topicConfigSerializeWrapper.topicConfigTable.get('topic-7')?.attributes).toEqual({ '+message.type': 'FIFO' });
    expect(got.filterServerList).toEqual(['10.0.0.9:7000']);
  });

  it('keeps __proto__, non-ASCII and escaped names as data', async () => {
    const names = ['__proto__', 'tópico-ü', 'quote"d', 'tab\tname', ...manyNames.slice(0, 50)];
    const p = pool();
    const got = await expectSameAsDecoder(p, fastjsonBody(names), false);
    expect(p.stats.fallback).toBe(0);
    const t = got.topicConfigSerializeWrapper.topicConfigTable;
    expect(t.get('__proto__')?.topicName).toBe('__proto__');
    expect(t.get('tópico-ü')?.topicName).toBe('tópico-ü');
    expect(t.get('quote"d')?.topicName).toBe('quote"d');
    expect(Object.getPrototypeOf(t.get('__proto__'))).toBe(Object.prototype);
  });

  it('matches on pretty-printed JSON, unusual values and unknown fields', async () => {
    const parsed = JSON.parse(fastjsonBody(manyNames.slice(0, 20)).toString()) as Record<string, Record<string, Record<string, unknown>>>;
    const t = parsed.topicConfigSerializeWrapper!.topicConfigTable as Record<string, Record<string, unknown>>;
    t['topic-1']!.perm = 6.5;
    t['topic-2']!.readQueueNums = -3;
    t['topic-3']!.futureField = { nested: [1, 2] };
    t['topic-4']!.order = null;
    t['topic-5'] = 'not an object' as never;
    Object.defineProperty(t['topic-6'], '__proto__', { value: 1, enumerable: true });
    const p = pool();
    await expectSameAsDecoder(p, Buffer.from(JSON.stringify(parsed, null, 2)), false);
    await expectSameAsDecoder(p, Buffer.from(JSON.stringify(parsed)), false);
    // The scanner carries all of that itself; only a duplicated structural key needs the general parser.
    expect(p.stats).toEqual({ worker: 2, fallback: 0, inline: 0, reused: 0 });
    const duplicated = Buffer.from(`{"filterServerList":[],${JSON.stringify(parsed).slice(1, -1)},"filterServerList":null}`);
    await expectSameAsDecoder(p, duplicated, false);
    expect(p.stats.fallback).toBe(1);
  });

  it('decodes compressed bodies in the 5.x and 4.x layouts', async () => {
    const wrapper = { topicConfigTable: table(manyNames), dataVersion: { stateVersion: 0, timestamp: 9, counter: 4 } };
    const v5 = encodeRegisterBrokerBody({ topicConfigSerializeWrapper: wrapper, filterServerList: ['10.0.0.1:1'] }, true);
    const p = pool();
    await expectSameAsDecoder(p, v5, true, V5);
    // 4.x brokers end after the filter server list.
    const raw = inflateSync(v5);
    const v4 = deflateSync(raw.subarray(0, raw.length - 4));
    const got = await expectSameAsDecoder(p, v4, true, V4);
    expect(p.stats).toEqual({ worker: 2, fallback: 0, inline: 0, reused: 0 });
    expect(got.topicConfigSerializeWrapper.topicConfigTable.get('topic-5')).toEqual({
      topicName: 'topic-5', readQueueNums: 8, writeQueueNums: 8, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false,
      attributes: {},
    });
  });

  it('decodes small and old-version bodies on the calling thread, with the same result', async () => {
    const p = new DecodePool({ size: 1 });
    pools.push(p);
    await expectSameAsDecoder(p, fastjsonBody(['a', 'b']), false);
    await expectSameAsDecoder(p, Buffer.from('{"topicConfigTable":{"a":{"topicName":"a"}},"dataVersion":{"counter":1}}'), false,
      MQVersion.V3_0_11 - 1);
    expect(p.threadCount).toBe(0);
    const empty = await p.decode(null, { compressed: false, version: V5, maxInflatedBytes: LIMIT });
    expect(empty.topicConfigSerializeWrapper.topicConfigTable.size).toBe(0);
  });
});

describe('DecodePool: errors are decodeRegisterBrokerBody errors', () => {
  async function expectSameError(p: DecodePool, body: Buffer, compressed: boolean, maxInflatedBytes = LIMIT): Promise<void> {
    const options = { compressed, version: V5, maxInflatedBytes };
    const expected = await decodeRegisterBrokerBody(body, options).then(() => null, (err: unknown) => err as Error);
    expect(expected).toBeInstanceOf(BodyDecodeError);
    const got = await p.decode(body, options).then(() => null, (err: unknown) => err as Error);
    expect(got).toBeInstanceOf(BodyDecodeError);
    expect(got?.message).toBe(expected?.message);
  }

  it('refuses garbage, truncated JSON and a broken compressed body', async () => {
    const p = pool();
    await expectSameError(p, Buffer.from('not json at all'), false);
    await expectSameError(p, fastjsonBody(manyNames).subarray(0, 5000), false);
    await expectSameError(p, Buffer.from('[1,2,3]'), false);
    await expectSameError(p, Buffer.from('garbage, not deflate'), true);
    const raw = inflateSync(encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: { topicConfigTable: table(manyNames), dataVersion: { stateVersion: 0, timestamp: 1, counter: 1 } },
      filterServerList: [],
    }, true));
    await expectSameError(p, deflateSync(raw.subarray(0, 3000)), true);
  });

  it('refuses a compressed body that inflates beyond the cap', async () => {
    const body = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: { topicConfigTable: table(manyNames), dataVersion: { stateVersion: 0, timestamp: 1, counter: 1 } },
      filterServerList: [],
    }, true);
    await expectSameError(pool(), body, true, 10_000);
  });

  it('refuses a body whose CRC does not match, and accepts the right one', async () => {
    const body = fastjsonBody(manyNames);
    const p = pool();
    const options = { compressed: false, version: V5, maxInflatedBytes: LIMIT };
    await expect(p.decode(body, { ...options, bodyCrc32: (bodyCrc32(body) + 1) & 0x7fffffff })).rejects.toThrow('crc32 not match');
    const good = await p.decode(body, { ...options, bodyCrc32: bodyCrc32(body) });
    expect(good.topicConfigSerializeWrapper.topicConfigTable.size).toBe(2000);
    const inline = new DecodePool({ size: 0 });
    await expect(inline.decode(body, { ...options, bodyCrc32: 1 })).rejects.toBeInstanceOf(BodyDecodeError);
  });
});

describe('DecodePool: order, bounds and lifecycle', () => {
  it('resolves one caller\'s decodes in call order, a small inline one after a big one', async () => {
    const p = new DecodePool({ size: 2, inlineBelowBytes: 1024 });
    pools.push(p);
    const key = {};
    const options = { compressed: false, version: V5, maxInflatedBytes: LIMIT, key };
    const order: string[] = [];
    const big = p.decode(fastjsonBody(manyNames), options).then(() => order.push('big'));
    const small = p.decode(fastjsonBody(['x']), options).then(() => order.push('small'));
    const other = p.decode(fastjsonBody(['y']), { ...options, key: {} }).then(() => order.push('other'));
    await Promise.all([big, small, other]);
    expect(order.indexOf('big')).toBeLessThan(order.indexOf('small'));
    // A failure does not stall the caller's next decode.
    const bad = p.decode(Buffer.from('{'), options);
    const after = p.decode(fastjsonBody(['z']), options);
    await expect(bad).rejects.toBeInstanceOf(BodyDecodeError);
    expect((await after).topicConfigSerializeWrapper.topicConfigTable.has('z')).toBe(true);
  });

  it('serves keys round robin: a backlog on one key does not delay another key\'s body', async () => {
    const body = fastjsonBody(manyNames);
    const p = pool();
    const options = { compressed: false, version: V5, maxInflatedBytes: LIMIT };
    const flooder = {};
    const broker = {};
    const done: string[] = [];
    const backlog = Array.from({ length: 8 }, (_, k) => p.decode(body, { ...options, key: flooder }).then(() => done.push(`flood-${k}`)));
    // Nothing is refused for want of room: all eight wait for their key's turn.
    expect(p.pending).toBe(8);
    const mine = p.decode(fastjsonBody(['mine', 'other']), { ...options, key: broker }).then(() => done.push('broker'));
    await Promise.all([...backlog, mine]);
    // The broker's body went second (after the flooder's first), not ninth.
    expect(done.indexOf('broker')).toBeLessThanOrEqual(2);
    expect(done.filter((d) => d.startsWith('flood'))).toEqual(Array.from({ length: 8 }, (_, k) => `flood-${k}`));
    expect(p.pending).toBe(0);
  });

  it('refuses a body past maxTopics while scanning, plain and compressed, naming the limit', async () => {
    const p = pool({ maxTopics: 1000 });
    const options = { compressed: false, version: V5, maxInflatedBytes: LIMIT };
    await expect(p.decode(fastjsonBody(manyNames), options)).rejects.toThrow(/maxTopicsPerRegistration \(1000\)/);
    const compressed = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: { topicConfigTable: table(manyNames), dataVersion: { counter: 1, timestamp: 1 } }, filterServerList: [],
    }, true);
    await expect(p.decode(compressed, options)).rejects.toThrow(/maxTopicsPerRegistration \(1000\)/);
    // At the limit: decoded.
    const atLimit = await p.decode(fastjsonBody(manyNames.slice(0, 1000)), options);
    expect(atLimit.topicConfigSerializeWrapper.topicConfigTable.size).toBe(1000);
  });

  it('close() stops every worker, refuses the body in flight and decodes later ones inline', async () => {
    const p = pool({ size: 2 });
    const options = { compressed: false, version: V5, maxInflatedBytes: LIMIT };
    await p.decode(fastjsonBody(manyNames), options);
    expect(p.threadCount).toBe(1);
    const inFlight = p.decode(fastjsonBody(manyNames), options);
    inFlight.catch(() => {});
    await p.close();
    expect(p.threadCount).toBe(0);
    await expect(inFlight).rejects.toBeInstanceOf(BodyDecodeError);
    expect((await p.decode(fastjsonBody(['a']), options)).topicConfigSerializeWrapper.topicConfigTable.has('a')).toBe(true);
    expect(p.threadCount).toBe(0);
    expect(p.pending).toBe(0);
  });

  it('validates its options', () => {
    expect(() => new DecodePool({ size: -1 })).toThrow(/size/);
    expect(() => new DecodePool({ maxTopics: Number.NaN })).toThrow(/maxTopics/);
  });
});
