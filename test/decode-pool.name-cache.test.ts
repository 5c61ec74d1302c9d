import { describe, expect, it } from 'vitest';
import { MQVersion } from '../src/remoting/codes.js';
import { DecodePool } from '../src/remoting/decode/decode-pool.js';
import { NameCache } from '../src/remoting/decode/name-cache.js';
import { decodeRegisterBrokerBody } from '../src/remoting/codec/register-body.js';

/** Names packed into one buffer, with their ranges. */
function packed(names: string[]): { buf: Buffer; ranges: Array<[number, number]> } {
  const buf = Buffer.from(names.join(''), 'latin1');
  const ranges: Array<[number, number]> = [];
  let at = 0;
  for (const n of names) {
    ranges.push([at, at + n.length]);
    at += n.length;
  }
  return { buf, ranges };
}

describe('NameCache', () => {
  it('always gives the exact text of the bytes, through collisions and evictions of a tiny cache', () => {
    // 4 slots for hundreds of names: nearly every lookup collides or evicts.
    const cache = new NameCache(2);
    const names = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `t${i}` : i % 3 === 1 ? `topic-${i}-x` : `%RETRY%group-${i}`));
    const { buf, ranges } = packed([...names, ...names.slice().reverse(), 'a'.repeat(200), '', 'ab', 'ba']);
    const expected = [...names, ...names.slice().reverse(), 'a'.repeat(200), '', 'ab', 'ba'];
    for (let round = 0; round < 3; round++) {
      ranges.forEach(([s, e], i) => expect(cache.ascii(buf, s, e)).toBe(expected[i]));
    }
  });

  it('names of the same length and bytes in another order are told apart', () => {
    const cache = new NameCache(1);
    const { buf, ranges } = packed(['abc', 'cba', 'bac', 'abc']);
    expect(ranges.map(([s, e]) => cache.ascii(buf, s, e))).toEqual(['abc', 'cba', 'bac', 'abc']);
  });
});

describe('DecodePool with its name cache', () => {
  it('re-registrations of the same and of changed names decode exactly as decodeRegisterBrokerBody', async () => {
    const pool = new DecodePool({ size: 0 });
    const options = { compressed: false, version: MQVersion.V5_0_0, maxInflatedBytes: 1 << 24 };
    const body = (names: string[]): Buffer => Buffer.from(JSON.stringify({
      filterServerList: [],
      topicConfigSerializeWrapper: {
        dataVersion: { counter: 1, stateVersion: 0, timestamp: 1 },
        topicConfigTable: Object.fromEntries(names.map((n) => [n, { perm: 6, readQueueNums: 8, topicName: n, topicSysFlag: 0, writeQueueNums: 8 }])),
      },
    }));
    const first = Array.from({ length: 3000 }, (_, i) => `topic-${i}`);
    const second = first.map((n, i) => (i % 7 === 0 ? `${n}-renamed` : n)).reverse();
    for (const names of [first, second, first]) {
      const got = await pool.decode(body(names), options);
      const want = await decodeRegisterBrokerBody(body(names), options);
      expect([...got.topicConfigSerializeWrapper.topicConfigTable]).toEqual(Object.entries(want.topicConfigSerializeWrapper.topicConfigTable));
    }
    await pool.close();
  });
});
