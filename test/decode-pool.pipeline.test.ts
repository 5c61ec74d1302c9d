import { afterEach, describe, expect, it } from 'vitest';
import type { TopicConfig } from '../src/core/types.js';
import { MQVersion } from '../src/remoting/codes.js';
import { DecodePool } from '../src/remoting/decode/decode-pool.js';
import { decodeRegisterBrokerBody, encodeRegisterBrokerBody } from '../src/remoting/codec/register-body.js';

// A worker given one body at a time idles from its answer until the event
// loop takes it (a turn of the loop, long under a fleet's load): the pool
// gives each worker a few bodies of different keys at once.

const OPTIONS = { compressed: false, version: MQVersion.V5_0_0, maxInflatedBytes: 1 << 26 };
const pools: DecodePool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function pool(jobsPerWorker?: number): DecodePool {
  const p = new DecodePool({ size: 1, inlineBelowBytes: 0, ...(jobsPerWorker === undefined ? {} : { jobsPerWorker }) });
  pools.push(p);
  return p;
}

function body(broker: number): Buffer {
  const topicConfigTable: Record<string, TopicConfig> = {};
  for (let t = 0; t < 200; t++) {
    const topicName = `b${broker}-topic-${t}`;
    topicConfigTable[topicName] = { topicName, readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0, order: false };
  }
  return encodeRegisterBrokerBody({ topicConfigSerializeWrapper: { topicConfigTable, dataVersion: { stateVersion: 0, timestamp: 1, counter: broker } }, filterServerList: [] }, false);
}

describe('jobsPerWorker', () => {
  it('gives one worker several bodies of different keys at once, each decoded as the general decoder does', async () => {
    const p = pool(3);
    p.start();
    const bodies = [0, 1, 2, 3].map(body);
    const decoding = bodies.map((b) => p.decode(b, { ...OPTIONS, key: {} }));
    expect(p.onWorkers).toBe(3);
    expect(p.pending).toBe(4);
    const results = await Promise.all(decoding);
    for (const [k, result] of results.entries()) {
      const expected = await decodeRegisterBrokerBody(bodies[k]!, OPTIONS);
      expect([...result.topicConfigSerializeWrapper.topicConfigTable]).toStrictEqual(Object.entries(expected.topicConfigSerializeWrapper.topicConfigTable));
      expect(result.topicConfigSerializeWrapper.dataVersion.counter).toBe(k);
    }
    expect(p.onWorkers).toBe(0);
  });

  it('still gives a worker one body of a key at a time, in order', async () => {
    const p = pool(4);
    p.start();
    const key = {};
    const decoding = [5, 6, 7].map((b) => p.decode(body(b), { ...OPTIONS, key }));
    expect(p.onWorkers).toBe(1);
    const counters = (await Promise.all(decoding)).map((r) => r.topicConfigSerializeWrapper.dataVersion.counter);
    expect(counters).toStrictEqual([5, 6, 7]);
  });

  it('refuses 0', () => {
    expect(() => new DecodePool({ jobsPerWorker: 0 })).toThrow(/jobsPerWorker/);
  });

  it('is one body at a time with 1, and 4 by default', () => {
    const one = pool(1);
    const byDefault = pool();
    one.start();
    byDefault.start();
    for (let k = 0; k < 6; k++) {
      // Refused when the pools close after the test: nobody waits for them.
      one.decode(body(k), { ...OPTIONS, key: {} }).catch(() => undefined);
      byDefault.decode(body(k), { ...OPTIONS, key: {} }).catch(() => undefined);
    }
    expect(one.onWorkers).toBe(1);
    expect(byDefault.onWorkers).toBe(4);
  });
});
