/**
 * `FakeBroker`: registers like a RocketMQ broker (system topics, heartbeats,
 * several name servers), answers producers' requests as a broker does, and
 * leaves as asked (stop: unregistered; crash: connections cut).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { RemotingClient, RequestCode, ResponseCode, SerializeType, type SerializeTypeValue } from '../src/remoting/index.js';
import type { BrokerUnregisteredEvent } from '../src/index.js';
import {
  BrokerRegistrationError, FakeBroker, buildRegisterBrokerRequest, createOffsetMessageId, decodeBatchMessages, decodeMessageProperties,
  encodeBatchMessages, encodeMessageProperties, findBrokers,
  startTestNamesrv, type FakeBrokerOptions, type TestNamesrv,
} from '../src/testing/index.js';

const opened: Array<{ close(): Promise<void> } | FakeBroker> = [];
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await (x instanceof FakeBroker ? x.crash() : x.close());
});

async function ns(): Promise<TestNamesrv> {
  const n = await startTestNamesrv();
  opened.push(n);
  return n;
}

async function broker(options: FakeBrokerOptions): Promise<FakeBroker> {
  const b = await FakeBroker.start(options);
  opened.push(b);
  return b;
}

async function producer(b: FakeBroker): Promise<RemotingClient> {
  const client = await RemotingClient.connect(b.port);
  opened.push(client);
  return client;
}

/** A SEND_MESSAGE_V2 as RocketMQ's Java producer builds it. */
function sendV2(
  client: RemotingClient, topic: string, queueId: number, body: Buffer, properties: Record<string, string>,
  options: { sysFlag?: number; code?: number; serializeType?: SerializeTypeValue } = {},
) {
  return client.invoke(options.code ?? 310, {
    a: 'GID_TEST', b: topic, c: 'TBW102', d: 4, e: queueId, f: options.sysFlag ?? 0, g: Date.now(), h: 0,
    i: encodeMessageProperties(properties), j: 0, k: false, m: options.code === 320,
  }, body, { serializeType: options.serializeType ?? SerializeType.JSON });
}

describe('FakeBroker registration', () => {
  it('registers a single topic, with its system topics, as a master at its own address', async () => {
    const n = await ns();
    const b = await broker({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['Orders'] });
    expect(b.address).toBe(`127.0.0.1:${b.port}`);
    const route = n.registry.getRouteInfoByTopic('Orders');
    expect(route?.queueDatas).toEqual([{ brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 }]);
    expect(route?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: b.address });
    expect(route?.brokerDatas[0]?.cluster).toBe('DefaultCluster');
    const topics = n.registry.getAllTopicList();
    expect(topics).toEqual(expect.arrayContaining(['Orders', 'broker-a', 'DefaultCluster']));
  });

  it('takes topic configs by name, and any name (__proto__ included)', async () => {
    const n = await ns();
    await broker({
      namesrvAddr: n.address, brokerName: 'b', clusterName: 'C1',
      topics: { Slow: { readQueueNums: 2, writeQueueNums: 1, perm: 4 }, ['__proto__']: {} },
    });
    expect(n.registry.getRouteInfoByTopic('Slow')?.queueDatas[0]).toMatchObject({ readQueueNums: 2, writeQueueNums: 1, perm: 4 });
    expect(n.registry.getRouteInfoByTopic('__proto__')?.queueDatas[0]).toMatchObject({ readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    expect(n.registry.getTopicsByCluster('C1')).toEqual(expect.arrayContaining(['Slow', '__proto__', 'C1', 'b']));
  });

  it('registers with every name server of "a;b" and of an array, and stop() unregisters from each', async () => {
    const [n1, n2] = [await ns(), await ns()];
    const events: BrokerUnregisteredEvent[] = [];
    for (const n of [n1, n2]) n.registry.on('brokerUnregistered', (e) => events.push(e));
    const b = await broker({ namesrvAddr: `${n1.address};${n2.address}`, brokerName: 'broker-a', topics: ['T'] });
    const c = await broker({ namesrvAddr: [n1.address, n2.address], brokerName: 'broker-b', topics: ['T'] });
    for (const n of [n1, n2]) expect(n.registry.getRouteInfoByTopic('T')?.brokerDatas.map((d) => d.brokerName)).toEqual(['broker-a', 'broker-b']);
    await b.stop();
    expect(events.map((e) => [e.brokerName, e.reason])).toEqual([['broker-a', 'unregister'], ['broker-a', 'unregister']]);
    for (const n of [n1, n2]) expect(findBrokers(n, 'broker-a')).toEqual([]);
    await c.crash();
    expect(events.slice(2).map((e) => [e.brokerName, e.reason])).toEqual([['broker-b', 'channelDestroyed'], ['broker-b', 'channelDestroyed']]);
  });

  it('rejects when a name server cannot be reached, closing what it opened', async () => {
    const n = await ns();
    const gone = await startTestNamesrv();
    await gone.close();
    const err = await FakeBroker.start({ namesrvAddr: [n.address, gone.address], brokerName: 'broker-a', topics: ['T'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerRegistrationError);
    expect(err).toMatchObject({ code: 'ERR_BROKER_REGISTRATION', namesrvAddr: gone.address, responseCode: null });
    // The name server that had accepted it saw its connection close.
    expect(findBrokers(n, 'broker-a')).toEqual([]);
    expect(n.server.connectionCount).toBe(0);
  });

  it('rejects when a name server refuses, with its response code', async () => {
    // Anything but a name server answers REGISTER_BROKER with "not supported": another broker will do.
    const notNamesrv = await broker({ namesrvAddr: (await ns()).address, brokerName: 'x', topics: ['T'] });
    const err = await FakeBroker.start({ namesrvAddr: notNamesrv.address, brokerName: 'broker-a', topics: ['T'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'BrokerRegistrationError', responseCode: ResponseCode.REQUEST_CODE_NOT_SUPPORTED });
  });

  it('validates its options', async () => {
    await expect(FakeBroker.start({ namesrvAddr: '', brokerName: 'b' })).rejects.toThrow(/namesrvAddr/);
    await expect(FakeBroker.start({ namesrvAddr: 'nohost', brokerName: 'b' })).rejects.toThrow(/host:port/);
    await expect(FakeBroker.start({ namesrvAddr: '127.0.0.1:1', brokerName: '' })).rejects.toThrow(/brokerName/);
    await expect(FakeBroker.start({ namesrvAddr: '127.0.0.1:1', brokerName: 'b', brokerId: -1 })).rejects.toThrow(/brokerId/);
  });

  it('heartbeats by re-sending its registration with the same data version', async () => {
    const n = await ns();
    const seen: Array<number | undefined> = [];
    const original = n.registry.registerBroker.bind(n.registry);
    let wake: () => void = () => {};
    n.registry.registerBroker = (req) => {
      seen.push(req.topicConfigWrapper?.dataVersion.counter);
      wake();
      return original(req);
    };
    await broker({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['T'], heartbeatIntervalMillis: 10 });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} registrations`)), 5_000);
      wake = () => seen.length >= 3 && (clearTimeout(timer), resolve());
      wake();
    });
    expect(new Set(seen)).toEqual(new Set([1]));
  });

  it('heartbeat() keeps a broker alive on a fake clock; a silent one expires', async () => {
    let now = 0;
    const n = await startTestNamesrv({ now: () => now });
    opened.push(n);
    const a = await broker({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['T'] });
    await broker({ namesrvAddr: n.address, brokerName: 'broker-b', topics: ['T'] });
    now += 120_001;
    await a.heartbeat();
    expect(n.registry.scanNotActiveBroker()).toBe(1);
    expect(n.registry.getRouteInfoByTopic('T')?.brokerDatas.map((d) => d.brokerName)).toEqual(['broker-a']);
  });

  it('simulates a slave, and a role switch after its master crashed', async () => {
    const n = await ns();
    const master = await broker({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['T'] });
    const slave = await broker({ namesrvAddr: n.address, brokerName: 'broker-a', brokerId: 1, topics: ['T'] });
    expect(slave.brokerId).toBe(1);
    expect(slave.masterAddr).toBe(master.address);
    expect(n.registry.getRouteInfoByTopic('T')?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: master.address, 1: slave.address });
    await master.crash();
    await slave.switchRole(0);
    expect(slave.brokerId).toBe(0);
    expect(n.registry.getRouteInfoByTopic('T')?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: slave.address });
  });

  it('registers new topics with a new data version', async () => {
    const n = await ns();
    const b = await broker({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['T'] });
    await b.updateTopics(['Later']);
    expect(n.registry.getRouteInfoByTopic('Later')).not.toBeNull();
    expect(n.registry.queryBrokerTopicConfig('DefaultCluster', b.address)?.counter).toBe(2);
  });

  it('buildRegisterBrokerRequest cannot fall into the one-topic rule; a bare one-topic table can', async () => {
    const n = await ns();
    const client = await RemotingClient.connect(n.port);
    opened.push(client);
    const bare = buildRegisterBrokerRequest({ brokerName: 'x', brokerAddr: '10.0.0.1:10911', topics: ['Only'], systemTopics: false });
    expect((await client.invoke(bare.code, bare.extFields, bare.body)).code).toBe(ResponseCode.SYSTEM_ERROR);
    for (const compressed of [false, true]) {
      const req = buildRegisterBrokerRequest({ brokerName: `y${compressed}`, brokerAddr: '10.0.0.2:10911', topics: ['Only'], compressed });
      expect([...req.topicConfigTable.keys()]).toEqual(expect.arrayContaining(['Only', `y${compressed}`, 'DefaultCluster']));
      expect((await client.invoke(req.code, req.extFields, req.body)).code).toBe(ResponseCode.SUCCESS);
    }
    expect(n.registry.getRouteInfoByTopic('Only')?.brokerDatas.map((d) => d.brokerName)).toEqual(['yfalse', 'ytrue']);
  });
});

describe('FakeBroker answering producers', () => {
  for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
    it(`answers SEND_MESSAGE_V2 in ${serializeType === 0 ? 'JSON' : 'ROCKETMQ'} headers with msgId, queueId, queueOffset`, async () => {
      const b = await broker({ namesrvAddr: (await ns()).address, brokerName: 'broker-a', topics: ['T'] });
      const p = await producer(b);
      const r1 = await sendV2(p, 'T', 2, Buffer.from('one'), { TAGS: 'TagA', KEYS: 'k1 k2', UNIQ_KEY: 'U1' }, { serializeType });
      const r2 = await sendV2(p, 'T', 2, Buffer.from('two'), {}, { serializeType });
      const r3 = await sendV2(p, 'T', 3, Buffer.from('three'), {}, { serializeType });
      for (const r of [r1, r2, r3]) {
        expect(r.code).toBe(ResponseCode.SUCCESS);
        expect(r.serializeType).toBe(serializeType);
        expect(r.extFields.msgId).toMatch(/^[0-9A-F]{32}$/);
      }
      expect([r1, r2, r3].map((r) => [r.extFields.queueId, r.extFields.queueOffset])).toEqual([['2', '0'], ['2', '1'], ['3', '0']]);
      // Offset message id: store host 127.0.0.1, its port, then a growing commit log offset.
      expect(r1.extFields.msgId!.slice(0, 16)).toBe(`7F000001${b.port.toString(16).toUpperCase().padStart(8, '0')}`);
      expect(BigInt(`0x${r2.extFields.msgId!.slice(16)}`)).toBeGreaterThan(BigInt(`0x${r1.extFields.msgId!.slice(16)}`));
      expect(b.messages).toEqual([
        { topic: 'T', body: Buffer.from('one'), tags: 'TagA', keys: 'k1 k2', queueId: 2, properties: { TAGS: 'TagA', KEYS: 'k1 k2', UNIQ_KEY: 'U1' } },
        { topic: 'T', body: Buffer.from('two'), queueId: 2, properties: {} },
        { topic: 'T', body: Buffer.from('three'), queueId: 3, properties: {} },
      ]);
    });
  }

  it('answers SEND_MESSAGE (10) with full header names', async () => {
    const b = await broker({ namesrvAddr: (await ns()).address, brokerName: 'broker-a', topics: ['T'] });
    const p = await producer(b);
    const r = await p.invoke(10, {
      producerGroup: 'G', topic: 'T', defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId: 1, sysFlag: 0, bornTimestamp: 1, flag: 0,
      properties: encodeMessageProperties({ TAGS: 'v1' }),
    }, Buffer.from('legacy'));
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(r.extFields).toMatchObject({ queueId: '1', queueOffset: '0' });
    expect(b.messages).toEqual([{ topic: 'T', body: Buffer.from('legacy'), tags: 'v1', queueId: 1, properties: { TAGS: 'v1' } }]);
  });

  it('stores one entry per message of a batch, and inflates compressed bodies', async () => {
    const b = await broker({ namesrvAddr: (await ns()).address, brokerName: 'broker-a', topics: ['T'] });
    const p = await producer(b);
    const batch = encodeBatchMessages([
      { body: Buffer.from('m1'), properties: { KEYS: 'a', __proto__x: 'y' } },
      { body: Buffer.from('m2'), properties: { TAGS: 't2', ['__proto__']: 'p' } },
    ]);
    const r = await sendV2(p, 'T', 0, batch, { WAIT: 'true' }, { code: 320 });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(r.extFields.queueOffset).toBe('0');
    expect(r.extFields.msgId!.split(',')).toHaveLength(2);
    const zipped = await sendV2(p, 'T', 0, deflateSync(Buffer.from('z'.repeat(5000))), {}, { sysFlag: 1 | (3 << 8) });
    expect(zipped.extFields.queueOffset).toBe('2');
    expect(b.messages.map((m) => m.body.toString())).toEqual(['m1', 'm2', 'z'.repeat(5000)]);
    expect(b.messages[0]).toMatchObject({ keys: 'a', properties: { KEYS: 'a', __proto__x: 'y' } });
    expect(Object.hasOwn(b.messages[1]!.properties, '__proto__')).toBe(true);
    expect(b.messages[1]!.properties['__proto__']).toBe('p');
  });

  it('answers HEART_BEAT and UNREGISTER_CLIENT with SUCCESS, other codes with 3', async () => {
    const b = await broker({ namesrvAddr: (await ns()).address, brokerName: 'broker-a', topics: ['T'] });
    const p = await producer(b);
    expect((await p.invoke(34, {}, Buffer.from('{"clientID":"c"}'))).code).toBe(ResponseCode.SUCCESS);
    expect((await p.invoke(35, { clientID: 'c', producerGroup: 'G' })).code).toBe(ResponseCode.SUCCESS);
    expect((await p.invoke(11, { consumerGroup: 'G' })).code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect((await p.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T' })).code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(b.requests.map((r) => r.code)).toEqual([34, 35, 11, 105]);
    expect(b.messages).toEqual([]);
  });

  it('fails sends with a chosen code, for the next n sends or all', async () => {
    const b = await broker({ namesrvAddr: (await ns()).address, brokerName: 'broker-a', topics: ['T'], sendResponseCode: 14 });
    const p = await producer(b);
    expect((await sendV2(p, 'T', 0, Buffer.from('x'), {})).code).toBe(14);
    b.setSendBehavior({ responseCode: ResponseCode.SYSTEM_BUSY, remark: 'busy', times: 1 });
    const busy = await sendV2(p, 'T', 0, Buffer.from('x'), {});
    expect([busy.code, busy.remark]).toEqual([ResponseCode.SYSTEM_BUSY, 'busy']);
    expect((await sendV2(p, 'T', 0, Buffer.from('ok'), {})).code).toBe(ResponseCode.SUCCESS);
    expect(b.messages.map((m) => m.body.toString())).toEqual(['ok']);
  });

  it('answers sends late when slow, so a producer times out', async () => {
    const b = await broker({ namesrvAddr: (await ns()).address, brokerName: 'broker-a', topics: ['T'], sendDelayMillis: 200 });
    const p = await producer(b);
    await expect(p.invoke(310, { a: 'G', b: 'T', e: 0, f: 0 }, Buffer.from('x'), { timeoutMillis: 20 })).rejects.toThrow(/no response within 20 ms/);
    b.setSendBehavior(null);
    expect((await sendV2(p, 'T', 0, Buffer.from('y'), {})).code).toBe(ResponseCode.SUCCESS);
    // A slow answer still pending when the broker goes leaves no timer behind (the process-exit test proves it).
    b.setSendBehavior({ delayMillis: 60_000 });
    void sendV2(p, 'T', 0, Buffer.from('never'), {}).catch(() => undefined);
    await b.waitForMessages(1);
    await b.stop();
    expect(b.messages.map((m) => m.body.toString())).toEqual(['y']);
  });
});

describe('FakeBroker stop and crash', () => {
  it('stop() and crash() close the listener and every producer connection, twice or combined', async () => {
    const n = await ns();
    const b = await broker({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['T'] });
    const p = await RemotingClient.connect(b.port);
    expect(b.connectionCount).toBe(1);
    await Promise.all([b.stop(), b.crash(), b.stop()]);
    await b.crash();
    expect(b.stopped).toBe(true);
    expect(b.connectionCount).toBe(0);
    await expect(RemotingClient.connect(b.port)).rejects.toThrow(/cannot connect/);
    await expect((async () => p.invoke(34))()).rejects.toThrow(/closed|not connected|ended/);
    await p.close();
    expect(n.server.connectionCount).toBe(0);
    await expect(b.heartbeat()).rejects.toBeInstanceOf(BrokerRegistrationError);
  });

  it('crash() leaves without unregistering: the name server only sees the connection close', async () => {
    const n = await ns();
    const reasons: string[] = [];
    n.registry.on('brokerUnregistered', (e) => reasons.push(e.reason));
    const b = await broker({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['T'] });
    await b.crash();
    // By the time crash() resolves, the name server has seen the connection close.
    expect(reasons).toEqual(['channelDestroyed']);
    expect(findBrokers(n, 'broker-a')).toEqual([]);
    await b.stop();
    expect(reasons).toEqual(['channelDestroyed']);
  });

  it('stop() still closes when a name server is gone', async () => {
    const n1 = await ns();
    const n2 = await startTestNamesrv();
    const b = await broker({ namesrvAddr: [n1.address, n2.address], brokerName: 'broker-a', topics: ['T'] });
    await n2.close();
    await b.stop();
    expect(findBrokers(n1, 'broker-a')).toEqual([]);
  });
});

describe('broker protocol helpers', () => {
  it('read properties as RocketMQ does: entries without a name or value are skipped', () => {
    expect(decodeMessageProperties('TAGS\u0001a\u0002\u0001x\u0002K\u0001\u0002KEYS\u0001k1 k2\u0002')).toEqual({ TAGS: 'a', KEYS: 'k1 k2' });
    expect(decodeMessageProperties('')).toEqual({});
    expect(encodeMessageProperties(new Map([['A', '1'], ['B', '2']]))).toBe('A\u00011\u0002B\u00012\u0002');
  });

  it('encode offset message ids as RocketMQ\'s createMessageId (ip, port, commit log offset)', () => {
    expect(createOffsetMessageId('10.0.0.1', 10911, 0x1234n)).toBe('0A00000100002A9F0000000000001234');
  });

  it('round-trip batch bodies', () => {
    const batch = [{ body: Buffer.from('a'), flag: 3, properties: { K: 'v' } }, { body: Buffer.alloc(0) }];
    expect(decodeBatchMessages(encodeBatchMessages(batch))).toEqual([
      { flag: 3, body: Buffer.from('a'), properties: { K: 'v' } }, { flag: 0, body: Buffer.alloc(0), properties: {} },
    ]);
    expect(() => decodeBatchMessages(encodeBatchMessages(batch).subarray(0, 10))).toThrow(RangeError);
  });
});
