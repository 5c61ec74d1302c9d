import { afterEach, describe, expect, it } from 'vitest';
import { MQVersion } from '../src/remoting/codes.js';
import { decodeRegisterBrokerBody } from '../src/remoting/codec/register-body.js';
import { DecodePool } from '../src/remoting/decode/decode-pool.js';
import { scanPlainRegisterBody } from '../src/remoting/decode/body-scan.js';
import { UNPACK_SLICE_TOPICS, unpackRegisterBody, unpackRegisterBodySliced } from '../src/remoting/decode/body-unpack.js';

// A registration's rebuild on the event loop must leave room for route
// requests: it yields between slices of topics, and gives the same values.

const LIMIT = 64 * 1024 * 1024;
const OPTIONS = { compressed: false, version: MQVersion.V5_0_0, maxInflatedBytes: LIMIT };
const pools: DecodePool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** A RocketMQ 5 broker's body (fastjson layout) of `count` topics, with one odd config among them. */
function bigBody(count: number): Buffer {
  const topics: string[] = [];
  for (let t = 0; t < count; t++) {
    const name = JSON.stringify(t === 7 ? '__proto__' : `topic-${t}`);
    topics.push(t === 11
      ? `${name}:{"perm":6,"topicName":${name},"extra":[1,2]}`
      : `${name}:{"attributes":{},"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":${name},`
        + '"topicSysFlag":0,"writeQueueNums":8}');
  }
  return Buffer.from('{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"stateVersion":0,'
    + `"timestamp":1700000000000},"topicConfigTable":{${topics.join(',')}}}}`);
}

/** Entries with their fields, in order. */
function entriesOf(table: Map<string, unknown> | Record<string, unknown>): unknown[] {
  const entries = table instanceof Map ? [...table] : Object.entries(table);
  return entries.map(([k, v]) => [k, typeof v === 'object' && v !== null ? Object.entries(v) : v]);
}

/** Counts event-loop turns (immediates) until `promise` settles. */
async function turnsWhile<T>(promise: Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let done = false;
  const tick = (): void => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await promise;
  done = true;
  return { value, turns };
}

describe('rebuilding a scanned body in slices', () => {
  const count = UNPACK_SLICE_TOPICS * 6 + 123;
  const body = bigBody(count);

  it('gives exactly what the one-go rebuild and JSON.parse give', async () => {
    const scan = scanPlainRegisterBody(body);
    expect(scan).not.toBeNull();
    const sliced = await unpackRegisterBodySliced(scan!, body, 500);
    const whole = unpackRegisterBody(scan!, body);
    const parsed = await decodeRegisterBrokerBody(body, OPTIONS);
    expect(entriesOf(sliced.topicConfigSerializeWrapper.topicConfigTable)).toStrictEqual(entriesOf(whole.topicConfigSerializeWrapper.topicConfigTable));
    expect(entriesOf(sliced.topicConfigSerializeWrapper.topicConfigTable))
      .toStrictEqual(entriesOf(parsed.topicConfigSerializeWrapper.topicConfigTable));
    expect(sliced.topicConfigSerializeWrapper.topicConfigTable.size).toBe(count);
    expect(sliced.topicConfigSerializeWrapper.dataVersion).toStrictEqual(parsed.topicConfigSerializeWrapper.dataVersion);
    expect(sliced.filterServerList).toStrictEqual(parsed.filterServerList);
  });

  it('lets the event loop turn between slices: an immediate scheduled during the rebuild runs before it resolves', async () => {
    const scan = scanPlainRegisterBody(body)!;
    const order: string[] = [];
    const rebuilt = unpackRegisterBodySliced(scan, body).then(() => order.push('rebuilt'));
    setImmediate(() => order.push('immediate'));
    const { turns } = await turnsWhile(rebuilt);
    expect(order).toStrictEqual(['immediate', 'rebuilt']);
    // One turn per slice boundary at least.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(count / UNPACK_SLICE_TOPICS) - 1);
  });

  it('a timer due during a big decode on the calling thread fires before the decode resolves', async () => {
    const pool = new DecodePool({ size: 0 });
    pools.push(pool);
    const order: string[] = [];
    const decoded = pool.decode(body, OPTIONS).then(() => order.push('decoded'));
    const timer = new Promise<void>((resolve) => setTimeout(() => {
      order.push('timer');
      resolve();
    }, 0));
    await Promise.all([decoded, timer]);
    expect(order).toStrictEqual(['timer', 'decoded']);
  });

  it('a worker-decoded body is rebuilt in slices too, and bodies of one key still resolve in call order', async () => {
    const pool = new DecodePool({ size: 1, inlineBelowBytes: 0 });
    pools.push(pool);
    const key = {};
    const small = bigBody(3);
    const order: number[] = [];
    const all = [body, small, body, small].map((b, i) => pool.decode(b, { ...OPTIONS, key }).then((r) => {
      order.push(i);
      return r.topicConfigSerializeWrapper.topicConfigTable.size;
    }));
    const { value, turns } = await turnsWhile(Promise.all(all));
    expect(value).toStrictEqual([count, 3, count, 3]);
    expect(order).toStrictEqual([0, 1, 2, 3]);
    expect(pool.stats).toMatchObject({ worker: 4, fallback: 0 });
    expect(turns).toBeGreaterThanOrEqual(2 * (Math.floor(count / UNPACK_SLICE_TOPICS) - 1));
  });
});
