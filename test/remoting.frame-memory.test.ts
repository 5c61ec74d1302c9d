import { describe, expect, it } from 'vitest';
import type { RegisterBrokerBody } from '../src/remoting/codec/register-body.js';
import { decodeRegisterBrokerBody } from '../src/remoting/codec/register-body.js';
import { DecodePool } from '../src/remoting/decode/decode-pool.js';
import { FrameMemory } from '../src/remoting/frame-memory.js';
import { loopbackFixtures, registerBroker } from './helpers/loopback.js';

// Large frames (a broker's full registration) are assembled in shared memory
// that is lent to the frame until its request is answered and then serves the
// next one: re-registering brokers allocate nothing, and a decode pool reads
// the body where it arrived.

const net = loopbackFixtures();
const MANY_TOPICS = Array.from({ length: 3_000 }, (_, t) => `topic-${t}`);

describe('FrameMemory', () => {
  it('lends shared memory of the asked size and takes it back for the next frame', () => {
    const memory = new FrameMemory(8 << 20);
    const first = memory.take(300_000);
    expect(first.length).toBe(300_000);
    expect(first.buffer).toBeInstanceOf(SharedArrayBuffer);
    // The budget counts the frame's length: its memory is at most an eighth more.
    expect(first.buffer.byteLength).toBeLessThanOrEqual(300_000 * 1.125);
    memory.giveBack(first.subarray(1000, 2000));
    expect(memory.keptBytes).toBe(first.buffer.byteLength);
    const second = memory.take(290_000);
    expect(second.buffer).toBe(first.buffer);
    expect(memory.keptBytes).toBe(0);
  });

  it('takes back only memory it lent, once', () => {
    const memory = new FrameMemory(8 << 20);
    memory.giveBack(Buffer.alloc(100_000));
    memory.giveBack(new Uint8Array(new SharedArrayBuffer(100_000)));
    expect(memory.keptBytes).toBe(0);
    const lent = memory.take(100_000);
    memory.giveBack(lent);
    memory.giveBack(lent);
    expect(memory.keptBytes).toBe(lent.buffer.byteLength);
    // Given back twice, it is still lent out once only.
    const a = memory.take(100_000);
    const b = memory.take(100_000);
    expect(a.buffer).not.toBe(b.buffer);
  });

  it('keeps no more idle memory than its bound', () => {
    const memory = new FrameMemory(1 << 20);
    const frames = [memory.take(600_000), memory.take(600_000), memory.take(600_000)];
    for (const f of frames) memory.giveBack(f);
    expect(memory.keptBytes).toBeLessThanOrEqual(1 << 20);
    expect(memory.keptBytes).toBeGreaterThan(0);
  });

  it('does not lend a small frame kept memory of more than twice its size', () => {
    const memory = new FrameMemory(8 << 20);
    const large = memory.take(1_000_000);
    memory.giveBack(large);
    const small = memory.take(100_000);
    expect(small.buffer).not.toBe(large.buffer);
    expect(memory.take(600_000).buffer).toBe(large.buffer);
  });

  it('hands out a frame larger than any kept memory as new memory', () => {
    const memory = new FrameMemory(8 << 20);
    const small = memory.take(100_000);
    memory.giveBack(small);
    const large = memory.take(2_000_000);
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.length).toBe(2_000_000);
    expect(memory.keptBytes).toBe(small.buffer.byteLength);
  });
});

describe('large frames over a connection', () => {
  it('reuses one frame memory for registrations sent one after another, each decoded intact', async () => {
    const seen: Array<{ memory: ArrayBufferLike; counter: number }> = [];
    const decodeRegisterBody = async (body: Buffer | null, options: Parameters<typeof decodeRegisterBrokerBody>[1]): Promise<RegisterBrokerBody> => {
      const decoded = await decodeRegisterBrokerBody(body, options);
      if (body !== null) seen.push({ memory: body.buffer, counter: decoded.topicConfigSerializeWrapper.dataVersion.counter });
      return decoded;
    };
    const { registry, client } = await net.harness({ server: { decodeRegisterBody } });
    for (let counter = 1; counter <= 3; counter++) {
      const res = await registerBroker(client, { topics: MANY_TOPICS, counter });
      expect(res.code).toBe(0);
    }
    expect(seen.map((s) => s.counter)).toStrictEqual([1, 2, 3]);
    expect(seen[0]?.memory).toBeInstanceOf(SharedArrayBuffer);
    expect(seen[1]?.memory).toBe(seen[0]?.memory);
    expect(seen[2]?.memory).toBe(seen[0]?.memory);
    expect(registry.getRouteInfoByTopic('topic-2999')?.queueDatas).toHaveLength(1);
  });

  it('hands a decode pool bodies assembled in frame memory: tables decode right, and an unchanged one is reused', async () => {
    const pool = new DecodePool({ size: 1 });
    net.defer(() => pool.close());
    const { registry, client } = await net.harness({
      server: { decodeRegisterBody: (body, o) => pool.decode(body, { ...o, key: o.signal }) },
    });
    expect((await registerBroker(client, { topics: MANY_TOPICS, counter: 1 })).code).toBe(0);
    expect((await registerBroker(client, { topics: MANY_TOPICS, counter: 2 })).code).toBe(0);
    expect(pool.stats.worker).toBe(2);
    expect(pool.stats.reused).toBe(1);
    expect(registry.topicCount).toBe(3_000);
    // A changed table on the same connection is decoded again, not reused.
    const changed = MANY_TOPICS.map((t) => (t === 'topic-7' ? 'topic-renamed' : t));
    expect((await registerBroker(client, { topics: changed, counter: 3 })).code).toBe(0);
    expect(registry.getRouteInfoByTopic('topic-renamed')?.queueDatas).toHaveLength(1);
    expect(pool.stats).toMatchObject({ worker: 3, reused: 1, fallback: 0 });
  });
});
