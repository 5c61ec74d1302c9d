/**
 * Hostile peers over the remoting protocol: oversized frames, headers and
 * bodies, zip bombs, invalid topic names, names aimed at prototypes, and
 * random requests. Each is refused (or answered) without hurting other
 * connections or the registry.
 */
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NamesrvError } from '../src/index.js';
import { FrameDecodeError, FrameTooLargeError, RemotingClient, RequestCode, ResponseCode, SerializeType } from '../src/remoting/index.js';
import { bodyCrc32, encodeBinaryHeader, encodeFrame } from '../src/remoting/codec/index.js';
import { brokerClient, int32, loopbackFixtures, registerFrame, registerRequest, requestFrame, waitFor } from './helpers/loopback.js';

const { start, peer, client, defer } = loopbackFixtures();

/** A raw JSON-header frame: the header text exactly as given. */
function jsonFrame(headerText: string, body: Buffer | null = null): Buffer {
  const header = Buffer.from(headerText);
  const bodyBytes = body?.length ?? 0;
  return Buffer.concat([int32(4 + header.length + bodyBytes), int32(header.length), header, body ?? Buffer.alloc(0)]);
}

describe('size limits', () => {
  it('a frame over maxFrameBytes closes its connection as soon as its length arrives; others are unaffected', async () => {
    const s = await start({ server: { maxFrameBytes: 4_096 } });
    const bystander = await client(s.port);
    const attacker = await peer(s.port);
    // Only the length field: the server must not wait for (or buffer) the 2 GiB it announces.
    attacker.write(int32(0x7ffffff0));
    await attacker.waitClosed(2_000);
    expect(s.events.protocolError).toEqual([expect.any(FrameTooLargeError)]);
    const big = await peer(s.port);
    big.write(requestFrame(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, { pad: 'x'.repeat(5_000) }));
    await big.waitClosed(2_000);
    expect(big.frames).toEqual([]);
    expect((await bystander.invoke(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)).code).toBe(ResponseCode.SUCCESS);
  });

  it('a frame exactly at maxFrameBytes is served', async () => {
    const s = await start({ server: { maxFrameBytes: 4_096 } });
    const p = await peer(s.port);
    const empty = requestFrame(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, { pad: '' });
    const frame = requestFrame(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, { pad: 'x'.repeat(4_096 - empty.length) });
    expect(frame.length).toBe(4_096);
    expect((await p.request(frame)).code).toBe(ResponseCode.SUCCESS);
  });

  it('a header length beyond its frame, an unknown serialize type or a malformed header closes only that connection', async () => {
    const s = await start();
    const bystander = await client(s.port);
    const bad = [
      Buffer.concat([int32(8), int32(100), int32(0)]),
      Buffer.concat([int32(8), int32((7 << 24) | 4), Buffer.from('{}{}')]),
      jsonFrame('{"code":'),
      jsonFrame('[1,2]'),
      Buffer.concat([int32(8), int32((1 << 24) | 4), int32(0)]),
      Buffer.concat([int32(4), int32(0)]).subarray(0, 8),
      Buffer.concat([int32(3), int32(0)]),
    ];
    for (const bytes of bad) {
      const p = await peer(s.port);
      p.write(bytes);
      await p.waitClosed(2_000);
      expect(p.frames).toEqual([]);
    }
    expect(s.events.protocolError).toHaveLength(bad.length);
    for (const err of s.events.protocolError) expect(err).toBeInstanceOf(NamesrvError);
    expect((await bystander.invoke(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)).code).toBe(ResponseCode.SUCCESS);
  });

  it('deeply nested JSON in a header closes that connection with a typed protocol error', async () => {
    const s = await start();
    const p = await peer(s.port);
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    p.write(jsonFrame(`{"code":105,"opaque":1,"remark":${deep},"extFields":{"topic":"T"}}`));
    await waitFor(() => p.closed || p.frames.length > 0, 2_000, 'an answer or a close');
    // Refusing it is fine, answering it is fine; what must not happen is an untyped error (a stack overflow).
    for (const err of s.events.protocolError) expect(err).toBeInstanceOf(FrameDecodeError);
  });

  it('a header over maxHeaderBytes or with more than maxExtFields entries closes only its connection', async () => {
    const s = await start({ server: { maxHeaderBytes: 16_000_000 } });
    const bystander = await client(s.port);
    const ext: Record<string, string> = {};
    for (let i = 0; i < 300; i++) ext[`k${i}`] = 'v';
    const tooMany = await peer(s.port);
    tooMany.write(requestFrame(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, ext));
    await tooMany.waitClosed(2_000);
    expect(tooMany.frames).toHaveLength(0);

    const small = await start({ server: { maxHeaderBytes: 1024 } });
    const tooLong = await peer(small.port);
    tooLong.write(requestFrame(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, { topic: 'x'.repeat(2048) }));
    await tooLong.waitClosed(2_000);
    expect((await bystander.invoke(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)).code).toBe(ResponseCode.SUCCESS);
  });

  it('with the limits raised, a header with 50 000 extFields costs bounded time and does not stall other connections', async () => {
    const s = await start({ server: { maxHeaderBytes: 16_000_000, maxExtFields: 100_000 } });
    const bystander = await client(s.port);
    const ext: Record<string, string> = {};
    for (let i = 0; i < 50_000; i++) ext[`k${i}`] = 'v';
    const p = await peer(s.port);
    const started = performance.now();
    const pending = p.request(requestFrame(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, ext), 3_000);
    const [answer] = await Promise.all([pending, bystander.invoke(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)]);
    expect(answer.code).toBe(ResponseCode.SUCCESS);
    expect(performance.now() - started).toBeLessThan(2_000);
    // The same in the binary serialization.
    const binHeader = encodeBinaryHeader({ code: RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, language: 0, version: 479, opaque: 2, flag: 0, remark: null, extFields: ext });
    const bin = Buffer.concat([int32(4 + binHeader.length), int32((SerializeType.ROCKETMQ << 24) | binHeader.length), binHeader]);
    expect((await p.request(bin, 3_000)).code).toBe(ResponseCode.SUCCESS);
  });

  it('a compressed registration that inflates past the limit (zip bomb) is refused; the connection and registry stay fine', async () => {
    const s = await start({ server: { maxFrameBytes: 64 * 1024 } });
    const p = await peer(s.port);
    const bomb = deflateSync(Buffer.alloc(48 << 20), { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024 - 1_024);
    const { ext } = registerRequest({ compressed: true });
    ext['bodyCrc32'] = String(bodyCrc32(bomb));
    const heapBefore = process.memoryUsage().arrayBuffers;
    const res = await p.request(encodeFrame({ code: RequestCode.REGISTER_BROKER, language: 0, version: 479, opaque: 1, flag: 0, remark: null, extFields: ext }, bomb));
    expect(res.code).toBe(ResponseCode.SYSTEM_ERROR);
    // Inflating stopped at 8 frames' worth (512 KiB), far from the 48 MiB the bomb holds.
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(32 << 20);
    expect(s.registry.liveBrokerCount).toBe(0);
    expect((await p.request(registerFrame({}, 2))).code).toBe(ResponseCode.SUCCESS);
  });
});

describe('topic names created over the wire (REGISTER_TOPIC_IN_NAMESRV)', () => {
  /** RocketMQ's TopicValidator: `^[%|a-zA-Z0-9_-]+$`, at most 127 characters, retry and DLQ topics at most 255. */
  const invalid = ['', ' ', 'a b', 'topic/x', 'тема', 'x'.repeat(128), `%RETRY%${'g'.repeat(249)}`, `%DLQ%${'g'.repeat(251)}`, 'a\u0000b', 'a\nb'];
  const valid = ['T', 'x'.repeat(127), `%RETRY%${'g'.repeat(248)}`, `%DLQ%${'g'.repeat(250)}`, 'a|b%c_d-e', '__proto__', 'constructor'];

  async function registerTopic(c: RemotingClient, topic: string): Promise<number> {
    const body = Buffer.from(JSON.stringify({
      queueDatas: [{ brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }], brokerDatas: [],
    }));
    return (await c.invoke(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic }, body)).code;
  }

  it('accepts names RocketMQ accepts', async () => {
    const s = await start();
    const c = await brokerClient(s.port, { brokerName: 'broker-a' });
    defer(() => c.close());
    for (const topic of valid) {
      expect(await registerTopic(c, topic), topic.slice(0, 20)).toBe(ResponseCode.SUCCESS);
      expect(s.registry.getRouteInfoByTopic(topic), topic.slice(0, 20)).not.toBeNull();
    }
  });

  it('refuses names RocketMQ refuses, creating no route', async () => {
    const s = await start();
    const c = await brokerClient(s.port, { brokerName: 'broker-a' });
    defer(() => c.close());
    const before = s.registry.getAllTopicList().sort();
    for (const topic of invalid) {
      expect(await registerTopic(c, topic), JSON.stringify(topic.slice(0, 20))).not.toBe(ResponseCode.SUCCESS);
    }
    expect(s.registry.getAllTopicList().sort()).toEqual(before);
  });
});

describe('names aimed at prototypes', () => {
  const hostile = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

  it('__proto__ and friends as cluster, broker, address, topic, KV namespace and key are ordinary names', async () => {
    const s = await start();
    const c = await client(s.port);
    const { ext, body } = registerRequest({ clusterName: '__proto__', brokerName: '__proto__', brokerAddr: 'constructor', topics: hostile });
    expect((await c.invoke(RequestCode.REGISTER_BROKER, ext, body)).code).toBe(ResponseCode.SUCCESS);
    for (const topic of hostile) {
      const res = await c.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
      expect(res.code, topic).toBe(ResponseCode.SUCCESS);
      const route = JSON.parse(res.body?.toString() ?? 'null') as { brokerDatas: Array<{ brokerName: string; cluster: string }> };
      expect(route.brokerDatas[0]).toMatchObject({ brokerName: '__proto__', cluster: '__proto__' });
    }
    const info = await c.invoke(RequestCode.GET_BROKER_CLUSTER_INFO);
    const parsed = JSON.parse(info.body?.toString() ?? '{}') as { brokerAddrTable: object; clusterAddrTable: object };
    expect(Object.keys(parsed.brokerAddrTable)).toEqual(['__proto__']);
    expect(Object.keys(parsed.clusterAddrTable)).toEqual(['__proto__']);

    expect((await c.invoke(RequestCode.PUT_KV_CONFIG, { namespace: '__proto__', key: '__proto__', value: 'v' })).code).toBe(ResponseCode.SUCCESS);
    expect((await c.invoke(RequestCode.PUT_KV_CONFIG, { namespace: '__proto__', key: 'constructor', value: 'w' })).code).toBe(ResponseCode.SUCCESS);
    const kv = await c.invoke(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: '__proto__' });
    const table = (JSON.parse(kv.body?.toString() ?? '{}') as { table: object }).table;
    expect(Object.entries(table)).toEqual([['__proto__', 'v'], ['constructor', 'w']]);
    expect((await c.invoke(RequestCode.GET_KV_CONFIG, { namespace: 'toString', key: 'valueOf' })).code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect((await c.invoke(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'constructor' })).code).toBe(ResponseCode.QUERY_NOT_FOUND);
    expect((await c.invoke(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'toString' })).body?.toString()).toBe('{"topicList":[]}');

    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('v');
  });

  it('__proto__ keys in headers and bodies, JSON and binary, reach no prototype', async () => {
    const s = await start();
    const p = await peer(s.port);
    const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    // JSON header whose extFields carry __proto__ (as an object and as a string).
    const lookup = await p.request(jsonFrame('{"code":105,"opaque":7,"version":479,"extFields":{"__proto__":{"polluted":"yes"},"topic":"__proto__"}}'));
    expect(lookup.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    // A registration body with __proto__ at every level.
    const body = Buffer.from(`{"__proto__":{"polluted":"body"},"filterServerList":[],"topicConfigSerializeWrapper":{"__proto__":{"polluted":"w"},
      "dataVersion":{"counter":1,"timestamp":1,"__proto__":{"polluted":"v"}},
      "topicConfigTable":{"__proto__":{"topicName":"__proto__","perm":6,"readQueueNums":1,"writeQueueNums":1,"__proto__":{"polluted":"t"}},
        "constructor":{"topicName":"constructor","perm":6,"readQueueNums":1,"writeQueueNums":1}}}}`);
    const { ext } = registerRequest({ brokerName: 'b' });
    ext['bodyCrc32'] = String(bodyCrc32(body));
    const reg = await p.request(encodeFrame({ code: RequestCode.REGISTER_BROKER, language: 0, version: 479, opaque: 8, flag: 0, remark: null,
      extFields: ext }, body));
    expect(reg.code).toBe(ResponseCode.SUCCESS);
    expect(s.registry.getRouteInfoByTopic('__proto__')?.queueDatas).toHaveLength(1);
    // Binary header with a __proto__ key.
    const ext2: Record<string, string> = {};
    Object.defineProperty(ext2, '__proto__', { value: 'x', enumerable: true });
    ext2['topic'] = '__proto__';
    const bin = encodeFrame({ code: RequestCode.GET_ROUTEINFO_BY_TOPIC, language: 0, version: 479, opaque: 9, flag: 0, remark: null, extFields: ext2 },
      null, SerializeType.ROCKETMQ);
    expect((await p.request(bin)).code).toBe(ResponseCode.SUCCESS);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeys);
  });
});

describe('random requests', () => {
  it('every well-formed request gets an answer; failures are typed; the connection stays open', async () => {
    const s = await start();
    const p = await peer(s.port);
    const codes = [100, 101, 102, 103, 104, 105, 106, 205, 206, 216, 217, 219, 224, 304, 311, 312, 313, 322, 327, 901, 904, 0, -1, 9999];
    const names = ['topic', 'clusterName', 'brokerName', 'brokerAddr', 'brokerId', 'haServerAddr', 'namespace', 'key', 'value', 'cluster',
      'compressed', 'bodyCrc32', 'heartbeatTimeoutMillis', 'enableActingMaster', 'acceptStandardJsonOnly', '__ZONE_NAME', '__proto__'];
    const value = fc.oneof(fc.constantFrom('0', '-1', '1', 'true', 'false', '99999999999999999999', '1.5', '', '__proto__', 'T'),
      fc.string({ maxLength: 8 }));
    const body = fc.oneof(
      fc.constant(null),
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v))),
      fc.constantFrom('{"queueDatas":[{"brokerName":"b","perm":6}]}', '{"counter":1,"timestamp":2}', '{0:"a"}', '{"queueDatas":"x"}')
        .map((t) => Buffer.from(t)),
      fc.constant(registerRequest({}).body),
    );
    let opaque = 100;
    await fc.assert(fc.asyncProperty(fc.constantFrom(...codes), fc.dictionary(fc.constantFrom(...names), value), body,
      fc.constantFrom(SerializeType.JSON, SerializeType.ROCKETMQ), fc.constantFrom(0, 30, 400, 479), async (code, ext, b, type, version) => {
        const extFields: Record<string, string> = {};
        for (const [k, v] of Object.entries(ext)) Object.defineProperty(extFields, k, { value: v, enumerable: true, writable: true });
        const frame = encodeFrame({ code, language: 0, version, opaque: ++opaque, flag: 0, remark: null, extFields }, b, type);
        const answer = await p.request(frame, 3_000);
        expect(answer.opaque).toBe(opaque);
        expect(answer.flag & 1).toBe(1);
        expect(answer.serializeType).toBe(type);
        expect(Number.isInteger(answer.code)).toBe(true);
      }), { numRuns: 400 });
    expect(p.closed).toBe(false);
    expect(s.events.protocolError).toEqual([]);
    // What failed was refused with a typed error (answered SYSTEM_ERROR), not a crash inside a handler.
    for (const err of s.events.requestError) expect(err, `${err.name}: ${err.message}`).toBeInstanceOf(NamesrvError);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
