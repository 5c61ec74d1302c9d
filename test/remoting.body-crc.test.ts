/**
 * REGISTER_BROKER's `bodyCrc32` over the wire: the decoder checks it where it
 * decodes (the event loop for the default decoder, a worker for a decode
 * pool), and every path answers a mismatch as RocketMQ does (SYSTEM_ERROR,
 * remark "crc32 not match"), registering nothing.
 */
import { describe, expect, it } from 'vitest';
import { RequestCode, ResponseCode, type RemotingServerOptions } from '../src/remoting/index.js';
import { DecodePool } from '../src/remoting/decode/decode-pool.js';
import { decodeRegisterBrokerBody, type DecodeRegisterBrokerBodyOptions } from '../src/remoting/codec/register-body.js';
import { BodyDecodeError } from '../src/remoting/errors.js';
import { MQVersion } from '../src/remoting/codes.js';
import { loopbackFixtures, registerRequest } from './helpers/loopback.js';

const { harness, defer } = loopbackFixtures();

/** A pool that sends every body, however small, to its worker. */
function workerPool(): DecodePool {
  const pool = new DecodePool({ size: 1, inlineBelowBytes: 0 });
  defer(() => pool.close());
  return pool;
}

const variants: Array<{ name: string; server: () => RemotingServerOptions; pool?: () => DecodePool }> = [
  { name: 'default decoder', server: () => ({}) },
  {
    name: 'decode pool (worker)',
    server: () => {
      const pool = workerPool();
      return { decodeRegisterBody: (body, options) => pool.decode(body, options) };
    },
  },
  {
    name: 'decode pool without workers',
    server: () => {
      const pool = new DecodePool({ size: 0 });
      defer(() => pool.close());
      return { decodeRegisterBody: (body, options) => pool.decode(body, options) };
    },
  },
];

describe.each(variants)('bodyCrc32 with the $name', ({ server }) => {
  it.each([false, true])('compressed=%s: a mismatch is refused as RocketMQ does, a match or 0 is applied', async (compressed) => {
    const h = await harness({ server: server() });
    const topics = Array.from({ length: 50 }, (_, i) => `crc-${i}`);
    const request = registerRequest({ compressed, topics });
    const wrong = String((Number(request.ext.bodyCrc32) + 1) & 0x7fffffff);

    const refused = await h.client.invoke(RequestCode.REGISTER_BROKER, { ...request.ext, bodyCrc32: wrong }, request.body);
    expect(refused).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'crc32 not match' });
    expect(h.registry.getRouteInfoByTopic('crc-0')).toBeNull();
    expect(h.registry.getLiveBrokers()).toEqual([]);

    const applied = await h.client.invoke(RequestCode.REGISTER_BROKER, request.ext, request.body);
    expect(applied.code).toBe(ResponseCode.SUCCESS);
    expect(h.registry.getRouteInfoByTopic('crc-49')?.queueDatas[0]?.writeQueueNums).toBe(8);

    // 0 means "not checked", as in RocketMQ.
    const other = registerRequest({ compressed, topics: ['crc-unchecked'], counter: 2, brokerAddr: '127.0.0.1:10911' });
    const unchecked = await h.client.invoke(RequestCode.REGISTER_BROKER, { ...other.ext, bodyCrc32: '0' }, other.body);
    expect(unchecked.code).toBe(ResponseCode.SUCCESS);
    expect(h.registry.getRouteInfoByTopic('crc-unchecked')).not.toBeNull();
  });
});

describe('bodyCrc32 through the decoder seam', () => {
  it('a decode pool checks it on its worker', async () => {
    const pool = workerPool();
    const h = await harness({ server: { decodeRegisterBody: (body, options) => pool.decode(body, options) } });
    const request = registerRequest({ topics: Array.from({ length: 20 }, (_, i) => `w-${i}`) });
    expect((await h.client.invoke(RequestCode.REGISTER_BROKER, request.ext, request.body)).code).toBe(ResponseCode.SUCCESS);
    expect(pool.stats).toMatchObject({ worker: 1, fallback: 0, inline: 0 });
  });

  it('a custom decoder gets the header\'s bodyCrc32, and its "crc32 not match" is answered as RocketMQ does', async () => {
    const seen: Array<number | undefined> = [];
    const h = await harness({
      server: {
        decodeRegisterBody: async (body, options) => {
          seen.push(options.bodyCrc32);
          if (options.bodyCrc32 === 7) throw new BodyDecodeError('crc32 not match');
          return decodeRegisterBrokerBody(body, options);
        },
      },
    });
    const request = registerRequest({ topics: ['c-1', 'c-2'] });
    const refused = await h.client.invoke(RequestCode.REGISTER_BROKER, { ...request.ext, bodyCrc32: '7' }, request.body);
    expect(refused).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'crc32 not match' });
    expect((await h.client.invoke(RequestCode.REGISTER_BROKER, request.ext, request.body)).code).toBe(ResponseCode.SUCCESS);
    expect(seen).toEqual([7, Number(request.ext.bodyCrc32)]);
  });

  it('other decode errors keep their own answer', async () => {
    const h = await harness();
    const body = Buffer.from('{oops');
    const { ext } = registerRequest();
    const res = await h.client.invoke(RequestCode.REGISTER_BROKER, { ...ext, bodyCrc32: '0' }, body);
    expect(res.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(res.remark).not.toBe('crc32 not match');
  });
});

describe('decodeRegisterBrokerBody with bodyCrc32', () => {
  const options: DecodeRegisterBrokerBodyOptions = { compressed: false, version: MQVersion.V5_0_0, maxInflatedBytes: 1 << 20 };

  it.each([false, true])('compressed=%s: refuses a mismatch before decoding, decodes a match', async (compressed) => {
    const { ext, body } = registerRequest({ compressed, topics: ['d-1'] });
    const crc = Number(ext.bodyCrc32);
    await expect(decodeRegisterBrokerBody(body, { ...options, bodyCrc32: (crc + 1) & 0x7fffffff }))
      .rejects.toThrow(new BodyDecodeError('crc32 not match'));
    const decoded = await decodeRegisterBrokerBody(body, { ...options, bodyCrc32: crc });
    expect(Object.keys(decoded.topicConfigSerializeWrapper.topicConfigTable)).toEqual(['d-1']);
  });

  it('a missing body has checksum 0, as UtilAll.crc32(null)', async () => {
    await expect(decodeRegisterBrokerBody(null, { ...options, bodyCrc32: 5 })).rejects.toBeInstanceOf(BodyDecodeError);
    await expect(decodeRegisterBrokerBody(null, { ...options, bodyCrc32: 0 })).resolves.toBeDefined();
  });
});
