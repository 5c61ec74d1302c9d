import { bodyCrc32 } from '../src/remoting/codec/crc32.js';
import { afterEach, describe, expect, it } from 'vitest';
import { MQVersion } from '../src/remoting/codes.js';
import { decodeRegisterBrokerBody } from '../src/remoting/codec/register-body.js';
import { DecodePool } from '../src/remoting/decode/decode-pool.js';
import { scanPlainRegisterBody, type BodyScan } from '../src/remoting/decode/body-scan.js';
import { UnpackStream, unpackRegisterBody } from '../src/remoting/decode/body-unpack.js';
import { NameCache } from '../src/remoting/decode/name-cache.js';

// A worker posts a big body's topics in parts while it scans, and the main
// thread rebuilds each part meanwhile: the result must be exactly the
// general decoder's, and a body the scanner gives up on after some parts
// must still decode (or fail) exactly as the general decoder says.

const LIMIT = 64 * 1024 * 1024;
const OPTIONS = { compressed: false, version: MQVersion.V5_0_0, maxInflatedBytes: LIMIT };
const pools: DecodePool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function pool(): DecodePool {
  const p = new DecodePool({ size: 1, inlineBelowBytes: 0 });
  pools.push(p);
  return p;
}

/** A topic record as a RocketMQ 5 broker writes it, with a few odd ones. */
function topic(t: number, name = `topic-${t}`): string {
  const q = JSON.stringify(name);
  if (t % 997 === 11) return `${q}:{"perm":7,"topicName":${q},"extra":[1,2],"unknown${t % 3}":"v"}`;
  if (t % 991 === 5) return `${q}:{"attributes":{"+a":"b"},"order":true,"perm":6,"readQueueNums":4,"topicFilterType":"MULTI_TAG","topicName":"other-${t}","topicSysFlag":1,"writeQueueNums":4}`;
  return `${q}:{"attributes":{},"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":${q},`
    + '"topicSysFlag":0,"writeQueueNums":8}';
}

function body(records: string[], tail = ''): Buffer {
  return Buffer.from('{"filterServerList":["10.0.0.9:7000"],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"stateVersion":0,'
    + `"timestamp":1700000000000},"topicConfigTable":{${records.join(',')}}}${tail}}`);
}

function entriesOf(table: Map<string, unknown> | Record<string, unknown>): unknown[] {
  const entries = table instanceof Map ? [...table] : Object.entries(table);
  return entries.map(([k, v]) => [k, typeof v === 'object' && v !== null ? Object.entries(v) : v]);
}

function records(count: number, name: (t: number) => string = (t) => `topic-${t}`): string[] {
  return Array.from({ length: count }, (_, t) => topic(t, name(t)));
}

async function expectSameAsDecoder(p: DecodePool, b: Buffer): Promise<void> {
  const expected = await decodeRegisterBrokerBody(b, OPTIONS);
  const got = await p.decode(b, OPTIONS);
  expect(entriesOf(got.topicConfigSerializeWrapper.topicConfigTable)).toStrictEqual(entriesOf(expected.topicConfigSerializeWrapper.topicConfigTable));
  expect(got.topicConfigSerializeWrapper.dataVersion).toStrictEqual(expected.topicConfigSerializeWrapper.dataVersion);
  expect(got.filterServerList).toStrictEqual(expected.filterServerList);
}

describe('a body scanned and rebuilt in parts', () => {
  it('parts rebuilt one after another give what the whole scan gives', async () => {
    const b = body(records(2_345, (t) => (t === 7 ? '__proto__' : t === 1500 ? 'tópico-ü' : `topic-${t}`)));
    const parts: { scan: BodyScan; topics: number }[] = [];
    const last = scanPlainRegisterBody(b, (ints, end, topics, names, values) => {
      parts.push({ scan: { ints: ints.slice(8, end), names: names.slice(), values: values.slice() }, topics });
    }, 500);
    expect(last).not.toBeNull();
    expect(parts.map((p) => p.topics)).toStrictEqual([500, 500, 500, 500]);
    const stream = new UnpackStream(new NameCache());
    for (const part of parts) await stream.part(part.scan, part.topics, b, 128);
    const streamed = await stream.finish(last!, b, 128);
    const whole = unpackRegisterBody(scanPlainRegisterBody(b)!, b);
    expect(entriesOf(streamed.topicConfigSerializeWrapper.topicConfigTable)).toStrictEqual(entriesOf(whole.topicConfigSerializeWrapper.topicConfigTable));
    expect(streamed.topicConfigSerializeWrapper.dataVersion).toStrictEqual(whole.topicConfigSerializeWrapper.dataVersion);
    expect(streamed.filterServerList).toStrictEqual(whole.filterServerList);
    expect(streamed.topicConfigSerializeWrapper.topicConfigTable.size).toBe(2_345);
  });

  it('the pool decodes a body of many parts exactly as decodeRegisterBrokerBody, on its worker', async () => {
    const p = pool();
    await expectSameAsDecoder(p, body(records(4_321)));
    // A topic repeated in a later part: first position, last value, as JSON.parse keeps it.
    const repeated = records(3_000);
    repeated.push(topic(991 + 5, 'topic-10'));
    await expectSameAsDecoder(p, body(repeated));
    expect(p.stats).toMatchObject({ worker: 2, fallback: 0 });
  });

  it('a body given up on after some parts decodes as the general decoder says (values or error)', async () => {
    const p = pool();
    // A second wrapper after a big first one: JSON.parse keeps the second; the scanner gives up after posting parts.
    const twice = body(records(3_500), `,"topicConfigSerializeWrapper":{"topicConfigTable":{${records(3, (t) => `late-${t}`).join(',')}}}`);
    await expectSameAsDecoder(p, twice);
    // Broken after the table: the general decoder's error.
    const broken = body(records(3_500), ',"filterServerList":');
    const expected = await decodeRegisterBrokerBody(broken, OPTIONS).then(() => null, (err: unknown) => err);
    expect(expected).toBeInstanceOf(Error);
    // The general decoder ran on the worker: its error comes back by class and message.
    await expect(p.decode(broken, OPTIONS)).rejects.toMatchObject({ name: 'BodyDecodeError', message: (expected as Error).message });
    expect(p.stats).toMatchObject({ worker: 2, fallback: 1, inline: 0 });
    // The pool still decodes the next body on its worker.
    await expectSameAsDecoder(p, body(records(2_100)));
    expect(p.stats).toMatchObject({ worker: 3, fallback: 1, inline: 0 });
  });

  it('bodies decoded one after another and side by side in reused body memory stay each their own', async () => {
    const p = new DecodePool({ size: 2, inlineBelowBytes: 0 });
    pools.push(p);
    // Growing, shrinking and concurrent: memory answered by one job is handed to the next ones.
    const sizes = [1_200, 300, 2_500, 2_400, 50, 2_600, 1_100, 1_100];
    for (let round = 0; round < 2; round++) {
      const bodies = sizes.map((n, k) => body(records(n, (t) => `r${round}-b${k}-${t}`)));
      const expected = await Promise.all(bodies.map((b) => decodeRegisterBrokerBody(b, OPTIONS)));
      const got = await Promise.all(bodies.map((b) => p.decode(b, OPTIONS)));
      got.forEach((g, k) => {
        expect(entriesOf(g.topicConfigSerializeWrapper.topicConfigTable))
          .toStrictEqual(entriesOf(expected[k]!.topicConfigSerializeWrapper.topicConfigTable));
      });
      for (const b of bodies) await expectSameAsDecoder(p, b);
    }
    expect(p.stats).toMatchObject({ worker: 32, fallback: 0 });
  });

  it('a big body whose CRC does not match is refused on the worker, as the general decoder refuses it', async () => {
    const p = pool();
    const b = body(records(3_200));
    const right = bodyCrc32(b);
    const wrong = { ...OPTIONS, bodyCrc32: right === 1 ? 2 : 1 };
    const expected = await decodeRegisterBrokerBody(b, wrong).then(() => null, (err: unknown) => err);
    expect(expected).toBeInstanceOf(Error);
    await expect(p.decode(b, wrong)).rejects.toMatchObject({ name: 'BodyDecodeError', message: (expected as Error).message });
    const got = await p.decode(b, { ...OPTIONS, bodyCrc32: right });
    expect(got.topicConfigSerializeWrapper.topicConfigTable.size).toBe(3_200);
    expect(p.stats).toMatchObject({ worker: 2, fallback: 0, inline: 0 });
  });
});
