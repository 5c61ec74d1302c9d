import { beforeEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { InvalidOptionError, KvConfigStore, RouteRegistry, type BrokerUnregisteredEvent } from '../src/index.js';
import { NamesrvMetrics } from '../src/metrics/index.js';
import type { ClusterInfo, TopicRouteData } from '../src/core/types.js';
import {
  FLAG_ONEWAY, RemotingClient, RemotingServer, RequestCode, ResponseCode, SerializeType, type RemotingHeader,
} from '../src/remoting/index.js';
import { encodeFrame, parseFastjson } from '../src/remoting/codec/index.js';
import { loopbackFixtures, registerBroker, registerRequest, type Harness } from './helpers/loopback.js';

const { harness, peer, client: connectClient } = loopbackFixtures();

const NOT_EXIST_REMARK = (topic: string): string =>
  `No topic route info in name server for the topic: ${topic}\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.`;

function requestHeader(over: Partial<RemotingHeader>): RemotingHeader {
  return { code: 105, language: 0, version: 479, opaque: 1, flag: 0, remark: null, extFields: {}, ...over };
}

function bodyJson(body: Buffer | null): unknown {
  expect(body).not.toBeNull();
  return JSON.parse((body as Buffer).toString('utf8'));
}

/** Resolves with the next brokerUnregistered event (rejects after `ms`). */
function nextUnregistered(registry: RouteRegistry, ms = 5_000): Promise<BrokerUnregisteredEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no brokerUnregistered event')), ms);
    registry.once('brokerUnregistered', (event) => {
      clearTimeout(timer);
      resolve(event);
    });
  });
}

describe('RemotingServer requests', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  it('route answers follow every change: slave joins, write perm wiped, topic deleted, broker gone', async () => {
    const route = async (version = 479) => {
      const res = await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' }, null, { version });
      return res.code === ResponseCode.SUCCESS ? parseFastjson(res.body!.toString()) as TopicRouteData : res.code;
    };
    await registerBroker(h.client, { topics: ['TopicA', 'TopicB'] });
    expect((await route() as TopicRouteData).brokerDatas[0]!.brokerAddrs).toEqual({ 0: '127.0.0.1:10911' });
    expect((await route(100) as TopicRouteData).brokerDatas[0]!.brokerAddrs).toEqual({ 0: '127.0.0.1:10911' });
    await registerBroker(h.client, { brokerId: 1, brokerAddr: '127.0.0.1:10921', topics: ['TopicA', 'TopicB'] });
    expect((await route() as TopicRouteData).brokerDatas[0]!.brokerAddrs).toEqual({ 0: '127.0.0.1:10911', 1: '127.0.0.1:10921' });
    expect((await route(100) as TopicRouteData).brokerDatas[0]!.brokerAddrs).toEqual({ 0: '127.0.0.1:10911', 1: '127.0.0.1:10921' });
    h.registry.wipeWritePermOfBroker('broker-a');
    expect((await route() as TopicRouteData).queueDatas[0]!.perm).toBe(4);
    h.registry.deleteTopic('TopicA');
    expect(await route()).toBe(ResponseCode.TOPIC_NOT_EXIST);
    await registerBroker(h.client, { counter: 2, topics: ['TopicA', 'TopicB'] });
    expect((await route() as TopicRouteData).queueDatas[0]!.perm).toBe(6);
    h.registry.unregisterBrokers([
      { clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911', brokerId: 0 },
      { clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '127.0.0.1:10921', brokerId: 1 },
    ]);
    expect(await route()).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });

  it('REGISTER_BROKER (103) then GET_ROUTEINFO_BY_TOPIC (105) in standard JSON', async () => {
    const reg = await registerBroker(h.client, { topics: ['TopicA', 'TopicB'] });
    expect(reg.code).toBe(ResponseCode.SUCCESS);
    expect(reg.flag & 1).toBe(1);
    expect(reg.language).toBe(0);
    expect(reg.version).toBe(479);
    expect(reg.extFields).toEqual({});
    const res = await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' });
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.remark).toBeNull();
    expect(bodyJson(res.body)).toEqual({
      brokerDatas: [{ brokerAddrs: { 0: '127.0.0.1:10911' }, brokerName: 'broker-a', cluster: 'DefaultCluster', enableActingMaster: false }],
      filterServerTable: {},
      queueDatas: [{ brokerName: 'broker-a', perm: 6, readQueueNums: 8, topicSysFlag: 0, writeQueueNums: 8 }],
    });
  });

  it('answers a slave with its master and the master HA address', async () => {
    await registerBroker(h.client, { brokerAddr: '10.0.0.1:10911', haServerAddr: '10.0.0.1:10912' });
    const res = await registerBroker(h.client, { brokerAddr: '10.0.0.2:10911', brokerId: 1 });
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.extFields).toEqual({ masterAddr: '10.0.0.1:10911', haServerAddr: '10.0.0.1:10912' });
  });

  it('returns the ORDER_TOPIC_CONFIG namespace to registering brokers', async () => {
    h.server.kvConfig.put('ORDER_TOPIC_CONFIG', 'TopicA', 'broker-a:4');
    const res = await registerBroker(h.client);
    expect(bodyJson(res.body)).toEqual({ table: { TopicA: 'broker-a:4' } });
  });

  it('accepts zlib-compressed registrations with a good CRC and refuses a bad one', async () => {
    const good = registerRequest({ compressed: true, topics: ['Z1', 'Z2', 'Z3'] });
    expect((await h.client.invoke(RequestCode.REGISTER_BROKER, good.ext, good.body)).code).toBe(0);
    expect(h.registry.getRouteInfoByTopic('Z3')?.queueDatas[0]?.writeQueueNums).toBe(8);

    const bad = registerRequest({ compressed: true, topics: ['Z4', 'Z5'], counter: 2 });
    const res = await h.client.invoke(RequestCode.REGISTER_BROKER, { ...bad.ext, bodyCrc32: String((Number(bad.ext.bodyCrc32) + 1) & 0x7fffffff) }, bad.body);
    expect(res).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'crc32 not match' });
    expect(h.registry.getRouteInfoByTopic('Z4')).toBeNull();

    // bodyCrc32 0 means "not checked", as in RocketMQ.
    const unchecked = await h.client.invoke(RequestCode.REGISTER_BROKER, { ...bad.ext, bodyCrc32: '0' }, bad.body);
    expect(unchecked.code).toBe(0);
    expect(h.registry.getRouteInfoByTopic('Z4')).not.toBeNull();
  });

  it('applies one connection\'s registrations in arrival order, whatever their decoding takes', async () => {
    const slow = registerRequest({ compressed: true, counter: 1, topics: Array.from({ length: 20_000 }, (_, i) => `t-${i}`) });
    const fast = registerRequest({ compressed: false, counter: 2, topics: ['TopicA', 'TopicB'] });
    const [a, b] = await Promise.all([
      h.client.invoke(RequestCode.REGISTER_BROKER, slow.ext, slow.body),
      h.client.invoke(RequestCode.REGISTER_BROKER, fast.ext, fast.body),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(h.registry.queryBrokerTopicConfig('DefaultCluster', '127.0.0.1:10911')).toMatchObject({ counter: 2 });
  });

  it('answers SYSTEM_ERROR for missing header fields, bad bodies and invalid registrations', async () => {
    const { ext, body } = registerRequest();
    const { haServerAddr: _drop, ...noHa } = ext;
    const missing = await h.client.invoke(RequestCode.REGISTER_BROKER, noHa, body);
    expect(missing.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(missing.remark).toMatch(/haServerAddr/);

    const garbage = await h.client.invoke(RequestCode.REGISTER_BROKER, { ...ext, bodyCrc32: '0' }, Buffer.from('{oops'));
    expect(garbage.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(garbage.remark).toMatch(/not JSON/);

    const badPerm = Buffer.from(JSON.stringify({ topicConfigSerializeWrapper: {
      topicConfigTable: { A: { topicName: 'A', perm: 16 }, B: { topicName: 'B' } }, dataVersion: { timestamp: 1, counter: 1 } } }));
    const invalid = await h.client.invoke(RequestCode.REGISTER_BROKER, { ...ext, bodyCrc32: '0' }, badPerm);
    expect(invalid.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(invalid.remark).toMatch(/InvalidRequestError: .*perm/);

    const noTopic = await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, {});
    expect(noTopic.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(noTopic.remark).toMatch(/topic/);

    const badId = await h.client.invoke(RequestCode.UNREGISTER_BROKER, { clusterName: 'c', brokerName: 'b', brokerAddr: 'a', brokerId: 'x' });
    expect(badId.code).toBe(ResponseCode.SYSTEM_ERROR);
  });

  it('refuses a first registration of exactly one topic, as RocketMQ does', async () => {
    const res = await registerBroker(h.client, { topics: ['Only'] });
    expect(res).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, remark: 'register broker failed' });
  });

  it('answers TOPIC_NOT_EXIST (17) with RocketMQ\'s remark', async () => {
    const res = await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Nope' });
    expect(res).toMatchObject({ code: ResponseCode.TOPIC_NOT_EXIST, remark: NOT_EXIST_REMARK('Nope'), body: null });
  });

  it('chooses fastjson or standard JSON by version and acceptStandardJsonOnly', async () => {
    await registerBroker(h.client);
    await registerBroker(h.client, { brokerAddr: '127.0.0.1:10921', brokerId: 1 });
    const body = async (version: number, ext: Record<string, string> = {}): Promise<string> =>
      (await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA', ...ext }, null, { version })).body!.toString();
    const legacy = await body(400);
    expect(legacy).toContain('"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"}');
    expect(await body(121)).toBe(legacy);
    expect(await body(0, { acceptStandardJsonOnly: 'false' })).toBe(legacy);
    const standard = await body(401);
    expect(standard).toContain('"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:10921"}');
    expect(await body(0, { acceptStandardJsonOnly: 'TRUE' })).toBe(standard);
    expect(parseFastjson(legacy)).toEqual(JSON.parse(standard));
    // Both variants are cached per route snapshot, and the cache follows route changes.
    await registerBroker(h.client, { brokerAddr: '127.0.0.1:10931', brokerId: 2 });
    expect(await body(401)).toContain('"2":"127.0.0.1:10931"');
    expect(await body(121)).toContain('2:"127.0.0.1:10931"');
  });

  it('GET_BROKER_CLUSTER_INFO (106) and GET_BROKER_MEMBER_GROUP (901) follow the same rule', async () => {
    await registerBroker(h.client);
    const legacy = await h.client.invoke(RequestCode.GET_BROKER_CLUSTER_INFO, {}, null, { version: 121 });
    expect(legacy.body!.toString()).toContain('{0:"127.0.0.1:10911"}');
    const info = parseFastjson(legacy.body!.toString()) as ClusterInfo;
    expect(info).toEqual({
      brokerAddrTable: { 'broker-a': { brokerAddrs: { 0: '127.0.0.1:10911' }, brokerName: 'broker-a', cluster: 'DefaultCluster', enableActingMaster: false } },
      clusterAddrTable: { DefaultCluster: ['broker-a'] },
    });
    expect(bodyJson((await h.client.invoke(RequestCode.GET_BROKER_CLUSTER_INFO, {})).body)).toEqual(info);

    const ext = { clusterName: 'DefaultCluster', brokerName: 'broker-a' };
    const group = await h.client.invoke(RequestCode.GET_BROKER_MEMBER_GROUP, ext);
    expect(bodyJson(group.body)).toEqual({ brokerMemberGroup: { brokerAddrs: { 0: '127.0.0.1:10911' }, brokerName: 'broker-a', cluster: 'DefaultCluster' } });
    const oldGroup = await h.client.invoke(RequestCode.GET_BROKER_MEMBER_GROUP, ext, null, { version: 0 });
    expect(oldGroup.body!.toString()).toBe('{"brokerMemberGroup":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}}');
  });

  it('fills orderTopicConf from the KV store when orderMessageEnable is on', async () => {
    const kvConfig = new KvConfigStore();
    const o = await harness({ registry: { orderMessageEnable: true, kvConfig } });
    try {
      await registerBroker(o.client);
      const put = await o.client.invoke(RequestCode.PUT_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'TopicA', value: 'broker-a:8' });
      expect(put.code).toBe(0);
      const route = bodyJson((await o.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' })).body) as TopicRouteData;
      expect(route.orderTopicConf).toBe('broker-a:8');
      const other = bodyJson((await o.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicB' })).body) as TopicRouteData;
      expect(other.orderTopicConf).toBeUndefined();
    } finally {
      await o.close();
    }
  });

  it('KV requests (100, 101, 102, 219)', async () => {
    const kv = (code: number, ext: Record<string, string>) => h.client.invoke(code, ext);
    expect((await kv(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' })).code).toBe(0);
    expect((await kv(RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k' }))).toMatchObject({ code: 0, extFields: { value: 'v' } });
    expect(bodyJson((await kv(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'ns' })).body)).toEqual({ table: { k: 'v' } });
    expect((await kv(RequestCode.DELETE_KV_CONFIG, { namespace: 'ns', key: 'k' })).code).toBe(0);
    expect(await kv(RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k' }))
      .toMatchObject({ code: ResponseCode.QUERY_NOT_FOUND, remark: 'No config item, Namespace: ns Key: k' });
    // Like RocketMQ, an emptied namespace still lists (empty); an unknown one is not found.
    expect(bodyJson((await kv(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'ns' })).body)).toEqual({ table: {} });
    expect(await kv(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'other' }))
      .toMatchObject({ code: ResponseCode.QUERY_NOT_FOUND, remark: 'No config item, Namespace: other' });
    expect((await kv(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k' })).code).toBe(ResponseCode.SYSTEM_ERROR);
  });

  it('UNREGISTER_BROKER (104) and BROKER_HEARTBEAT (904)', async () => {
    await registerBroker(h.client);
    const base = { clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911' };
    expect((await h.client.invoke(RequestCode.BROKER_HEARTBEAT, base)).code).toBe(0);
    expect((await h.client.invoke(RequestCode.BROKER_HEARTBEAT, { clusterName: 'x', brokerAddr: 'y' })).code).toBe(ResponseCode.SYSTEM_ERROR);
    expect((await h.client.invoke(RequestCode.UNREGISTER_BROKER, { ...base, brokerId: '0' })).code).toBe(0);
    expect(h.registry.getRouteInfoByTopic('TopicA')).toBeNull();
  });

  it('BROKER_HEARTBEAT keeps a broker alive past its expiry', async () => {
    let now = 1_000_000;
    const o = await harness({ registry: { now: () => now } });
    try {
      await registerBroker(o.client);
      now += 100_000;
      await o.client.invoke(RequestCode.BROKER_HEARTBEAT, { clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911' });
      now += 100_000;
      expect(o.registry.scanNotActiveBroker()).toBe(0);
      now += 30_000;
      expect(o.registry.scanNotActiveBroker()).toBe(1);
    } finally {
      await o.close();
    }
  });

  it('QUERY_DATA_VERSION (322)', async () => {
    await registerBroker(h.client, { counter: 5 });
    const ext = { clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911', brokerId: '0' };
    const same = await h.client.invoke(RequestCode.QUERY_DATA_VERSION, ext, Buffer.from('{"counter":5,"stateVersion":0,"timestamp":1000}'));
    expect(same.code).toBe(0);
    expect(same.extFields).toEqual({ changed: 'false' });
    expect(same.body!.toString()).toBe('{"counter":5,"stateVersion":0,"timestamp":1000}');
    const other = await h.client.invoke(RequestCode.QUERY_DATA_VERSION, ext, Buffer.from('{"counter":6,"timestamp":1000}'));
    expect(other.extFields).toEqual({ changed: 'true' });
    const none = await h.client.invoke(RequestCode.QUERY_DATA_VERSION, ext);
    expect(none.extFields).toEqual({ changed: 'true' });
    // fastjson decodes a body of `null` to no version at all, like no body.
    const nullBody = await h.client.invoke(RequestCode.QUERY_DATA_VERSION, ext, Buffer.from('null'));
    expect(nullBody).toMatchObject({ code: 0, extFields: { changed: 'true' } });
    const unknown = await h.client.invoke(RequestCode.QUERY_DATA_VERSION, { ...ext, brokerAddr: '1.1.1.1:1' }, Buffer.from('{"counter":5,"timestamp":1000}'));
    expect(unknown).toMatchObject({ code: 0, extFields: { changed: 'true' }, body: null });
  });

  it('WIPE_WRITE_PERM_OF_BROKER (205) and ADD_WRITE_PERM_OF_BROKER (327)', async () => {
    await registerBroker(h.client);
    const wipe = await h.client.invoke(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' });
    expect(wipe).toMatchObject({ code: 0, extFields: { wipeTopicCount: '2' } });
    expect(h.registry.getRouteInfoByTopic('TopicA')?.queueDatas[0]?.perm).toBe(4);
    const add = await h.client.invoke(RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' });
    expect(add).toMatchObject({ code: 0, extFields: { addTopicCount: '2' } });
    expect(h.registry.getRouteInfoByTopic('TopicA')?.queueDatas[0]?.perm).toBe(6);
    expect((await h.client.invoke(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'none' })).extFields).toEqual({ wipeTopicCount: '0' });
  });

  it('topic lists (206, 224, 304, 311, 312, 313)', async () => {
    await registerBroker(h.client, { topics: ['T0', 'T1', 'T2', 'T3'] });
    await h.client.invoke(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: 'T1' },
      Buffer.from('{"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":1,"writeQueueNums":8}]}'));
    await h.client.invoke(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: 'T2' },
      Buffer.from('{"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":2,"writeQueueNums":8}]}'));
    await h.client.invoke(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: 'T3' },
      Buffer.from('{"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":3,"writeQueueNums":8}]}'));
    const list = async (code: number, ext: Record<string, string> = {}) => bodyJson((await h.client.invoke(code, ext)).body);
    expect(await list(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)).toEqual({ topicList: ['T0', 'T1', 'T2', 'T3'] });
    expect(await list(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'DefaultCluster' })).toEqual({ topicList: ['T0', 'T1', 'T2', 'T3'] });
    expect(await list(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'Other' })).toEqual({ topicList: [] });
    expect(await list(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS)).toEqual({ topicList: ['DefaultCluster', 'broker-a'], brokerAddr: '127.0.0.1:10911' });
    expect(await list(RequestCode.GET_UNIT_TOPIC_LIST)).toEqual({ topicList: ['T1', 'T3'] });
    expect(await list(RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST)).toEqual({ topicList: ['T2', 'T3'] });
    expect(await list(RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST)).toEqual({ topicList: ['T2'] });
  });

  it('REGISTER_TOPIC_IN_NAMESRV (217) reads fastjson route bodies; DELETE_TOPIC_IN_NAMESRV (216)', async () => {
    await registerBroker(h.client);
    const body = Buffer.from('{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],'
      + '"queueDatas":[{"brokerName":"broker-a","perm":4,"readQueueNums":2,"topicSysFlag":0,"writeQueueNums":2}]}');
    expect((await h.client.invoke(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: 'New' }, body)).code).toBe(0);
    expect(h.registry.getRouteInfoByTopic('New')?.queueDatas).toEqual([
      { brokerName: 'broker-a', perm: 4, readQueueNums: 2, topicSysFlag: 0, writeQueueNums: 2 }]);
    expect((await h.client.invoke(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: 'Empty' })).code).toBe(0);
    // Names a RocketMQ broker refuses (TopicValidator) are refused with its code and remark.
    expect(await h.client.invoke(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: 'a b' }, body)).toMatchObject({
      code: ResponseCode.INVALID_PARAMETER,
      remark: 'The specified topic: a b, contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$',
    });
    expect((await h.client.invoke(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: 'x'.repeat(128) }, body)).remark)
      .toMatch(/longer than topic max length: 127$/);
    expect(h.registry.getRouteInfoByTopic('a b')).toBeNull();

    expect((await h.client.invoke(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'New', clusterName: 'Other' })).code).toBe(0);
    expect(h.registry.getRouteInfoByTopic('New')).not.toBeNull();
    expect((await h.client.invoke(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'New', clusterName: 'DefaultCluster' })).code).toBe(0);
    expect(h.registry.getRouteInfoByTopic('New')).toBeNull();
    expect((await h.client.invoke(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'TopicA' })).code).toBe(0);
    expect(h.registry.getRouteInfoByTopic('TopicA')).toBeNull();
  });

  it('answers unknown codes with REQUEST_CODE_NOT_SUPPORTED (3)', async () => {
    const res = await h.client.invoke(999, {});
    expect(res).toMatchObject({ code: ResponseCode.REQUEST_CODE_NOT_SUPPORTED, remark: ' request type 999 not supported' });
  });

  it('binary (ROCKETMQ) requests get binary answers', async () => {
    await registerBroker(h.client);
    const res = await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' }, null, { serializeType: SerializeType.ROCKETMQ });
    expect(res.serializeType).toBe(SerializeType.ROCKETMQ);
    expect(res.code).toBe(0);
    const missing = await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'X' }, null, { serializeType: SerializeType.ROCKETMQ });
    expect(missing).toMatchObject({ code: 17, remark: NOT_EXIST_REMARK('X'), serializeType: SerializeType.ROCKETMQ });
  });

  it('does not answer oneway requests but runs them; answers opaque 0', async () => {
    const raw = await peer(h.port);
    try {
      raw.write(encodeFrame(requestHeader({ code: RequestCode.PUT_KV_CONFIG, opaque: 5, flag: FLAG_ONEWAY,
        extFields: { namespace: 'n', key: 'k', value: 'v' } })));
      raw.write(encodeFrame(requestHeader({ code: RequestCode.GET_KV_CONFIG, opaque: 0, extFields: { namespace: 'n', key: 'k' } })));
      const [reply] = await raw.waitFrames(1);
      expect(reply).toMatchObject({ opaque: 0, code: 0, flag: 1, extFields: { value: 'v' } });
      // A oneway request that fails gets no answer either.
      raw.write(encodeFrame(requestHeader({ code: RequestCode.GET_ROUTEINFO_BY_TOPIC, opaque: 6, flag: FLAG_ONEWAY })));
      raw.write(encodeFrame(requestHeader({ code: 999, opaque: 7 })));
      const frames = await raw.waitFrames(2);
      expect(frames[1]).toMatchObject({ opaque: 7, code: 3 });
      expect(raw.frames).toHaveLength(2);
    } finally {
      raw.destroy();
    }
  });

  it('writes response headers as RocketMQ\'s JSON, for any opaque', async () => {
    await registerBroker(h.client);
    const raw = await peer(h.port);
    try {
      const opaques = [0, 7, -1, 2147483647, -2147483648];
      for (const opaque of opaques) raw.write(encodeFrame(requestHeader({ opaque, extFields: { topic: 'TopicA' } })));
      raw.write(encodeFrame(requestHeader({ opaque: 9, extFields: { topic: 'Nope' } })));
      await raw.waitFrames(opaques.length + 1);
      // The raw answers keep the header text that decoding hides.
      const headers = raw.rawFrames.slice(0, opaques.length).map((f) => JSON.parse(f.toString('utf8', 4, 4 + (f.readInt32BE(0) & 0xffffff))));
      expect(headers).toEqual(opaques.map((opaque) => ({ code: 0, flag: 1, language: 'JAVA', opaque, serializeTypeCurrentRPC: 'JSON', version: 479 })));
      expect(raw.frames.map((f) => [f.opaque, f.code])).toEqual([...opaques.map((o) => [o, 0]), [9, 17]]);
    } finally {
      raw.destroy();
    }
  });

  it('answers pipelined requests, in one write, with matching opaques', async () => {
    await registerBroker(h.client);
    const raw = await peer(h.port);
    try {
      const frames = Array.from({ length: 300 }, (_, i) => encodeFrame(requestHeader({ opaque: -150 + i, extFields: { topic: i % 2 ? 'TopicA' : 'Nope' } })));
      raw.write(Buffer.concat(frames));
      const replies = await raw.waitFrames(300);
      expect(replies.map((r) => r.opaque)).toEqual(Array.from({ length: 300 }, (_, i) => -150 + i));
      expect(replies.map((r) => r.code)).toEqual(Array.from({ length: 300 }, (_, i) => (i % 2 ? 0 : 17)));
    } finally {
      raw.destroy();
    }
  });
});

describe('RemotingServer connections', () => {
  let h: Harness;

  it('drops the brokers of a connection when it closes', async () => {
    h = await harness();
    const broker = await RemotingClient.connect(h.port);
    await registerBroker(broker);
    await registerBroker(h.client, { brokerName: 'broker-b', brokerAddr: '127.0.0.1:10950' });
    expect(h.registry.liveBrokerCount).toBe(2);
    const dropped = nextUnregistered(h.registry);
    await broker.close();
    expect(await dropped).toMatchObject({ brokerName: 'broker-a', reason: 'channelDestroyed' });
    expect(h.registry.getRouteInfoByTopic('TopicA')?.brokerDatas.map((b) => b.brokerName)).toEqual(['broker-b']);
  });

  it('closes idle connections and drops their brokers', async () => {
    h = await harness({ server: { idleTimeoutMillis: 150 } });
    const dropped = nextUnregistered(h.registry);
    await registerBroker(h.client);
    const started = Date.now();
    expect(await dropped).toMatchObject({ reason: 'channelDestroyed' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(h.client.connected).toBe(false);
    expect(h.registry.liveBrokerCount).toBe(0);
  });

  it('a malformed frame closes only its own connection', async () => {
    h = await harness();
    await registerBroker(h.client);
    const errors: Error[] = [];
    h.server.on('protocolError', (e) => errors.push(e.error));
    const bad = await peer(h.port);
    const bogusHeader = Buffer.from('{not json');
    const frame = Buffer.alloc(8 + bogusHeader.length);
    frame.writeInt32BE(4 + bogusHeader.length, 0);
    frame.writeInt32BE(bogusHeader.length, 4);
    bogusHeader.copy(frame, 8);
    bad.write(frame);
    await bad.waitClosed();
    expect(errors[0]?.name).toBe('FrameDecodeError');
    const res = await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' });
    expect(res.code).toBe(0);
    expect(h.registry.liveBrokerCount).toBe(1);
  });

  it('an oversized frame closes only its own connection', async () => {
    h = await harness({ server: { maxFrameBytes: 4096 } });
    const bad = await peer(h.port);
    const head = Buffer.alloc(8);
    head.writeInt32BE(10_000, 0);
    bad.write(head);
    await bad.waitClosed();
    const big = await h.client.invoke(RequestCode.PUT_KV_CONFIG, { namespace: 'n', key: 'k', value: 'x'.repeat(5000) }).catch((e: Error) => e);
    expect(big).toBeInstanceOf(Error);
    h.client = await connectClient(h.port);
    expect((await h.client.invoke(RequestCode.GET_KV_CONFIG, { namespace: 'n', key: 'k' })).code).toBe(22);
  });

  it('close() lets a running registration finish and answer', async () => {
    h = await harness();
    const topics = Array.from({ length: 5_000 }, (_, i) => `topic-${i}`);
    const { ext, body } = registerRequest({ compressed: true, topics });
    let registered = 0;
    h.registry.on('brokerRegistered', () => registered++);
    const pending = h.client.invoke(RequestCode.REGISTER_BROKER, ext, body, { timeoutMillis: 10_000 });
    // Once a later request on the same connection is answered, the server has the registration.
    expect((await h.client.invoke(999)).code).toBe(3);
    const closing = h.server.close();
    const res = await pending;
    await closing;
    expect(res.code).toBe(0);
    expect(registered).toBe(1);
    // Closing the connection then dropped the broker, as RocketMQ's housekeeping does.
    expect(h.registry.topicCount).toBe(0);
    expect(h.server.connectionCount).toBe(0);
  });
});

describe('RemotingServer lifecycle and options', () => {
  it('listens on an ephemeral port and closes idempotently', async () => {
    const registry = new RouteRegistry();
    const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1' });
    expect(server.address()).toBeNull();
    const address = await server.listen();
    expect(address.port).toBeGreaterThan(0);
    expect(server.address()?.port).toBe(address.port);
    await expect(server.listen()).rejects.toThrow(/once/);
    await Promise.all([server.close(), server.close()]);
    expect(server.address()).toBeNull();
  });

  it('rejects listen() on a busy port', async () => {
    const registry = new RouteRegistry();
    const a = new RemotingServer(registry, { port: 0, host: '127.0.0.1' });
    const { port } = await a.listen();
    const b = new RemotingServer(registry, { port, host: '127.0.0.1' });
    await expect(b.listen()).rejects.toThrow(/EADDRINUSE/);
    await a.close();
    await b.close();
  });

  it('validates options eagerly', () => {
    const registry = new RouteRegistry();
    const bad: Array<Record<string, unknown>> = [
      { port: -1 }, { port: 70000 }, { port: 1.5 }, { host: '' }, { maxFrameBytes: 10 }, { maxFrameBytes: 2 ** 40 },
      { idleTimeoutMillis: -1 }, { idleTimeoutMillis: 2 ** 31 }, { maxConnections: 0 }, { kvConfig: {} },
      { returnOrderTopicConfigToBroker: 'yes' },
    ];
    for (const options of bad) expect(() => new RemotingServer(registry, options as never), JSON.stringify(options)).toThrow(InvalidOptionError);
    expect(() => new RemotingServer({} as never)).toThrow(InvalidOptionError);
    expect(new RemotingServer(registry).options).toMatchObject({ port: 9876, host: '0.0.0.0', maxFrameBytes: 16 * 1024 * 1024, idleTimeoutMillis: 120_000 });
  });

  it('refuses connections beyond maxConnections', async () => {
    const registry = new RouteRegistry();
    const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1', maxConnections: 1 });
    const { port } = await server.listen();
    const first = await RemotingClient.connect(port);
    const second = await peer(port);
    await second.waitClosed();
    expect((await first.invoke(999)).code).toBe(3);
    await first.close();
    await server.close();
  });

  it('the client times out, and fails pending requests when the connection closes', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as AddressInfo).port;
    const client = new RemotingClient({ port });
    await expect(client.invoke(105, { topic: 'x' })).rejects.toThrow(/not connected/);
    await client.connect();
    expect(client.connected).toBe(true);
    await expect(client.invoke(105, { topic: 'x' }, null, { timeoutMillis: 50 })).rejects.toMatchObject({ name: 'RemotingTimeoutError', requestCode: 105 });
    const pending = client.invoke(105, { topic: 'x' }, null, { timeoutMillis: 10_000 });
    for (const socket of sockets) socket.destroy();
    await expect(pending).rejects.toMatchObject({ name: 'RemotingConnectionError' });
    await client.close();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('validates client options', () => {
    for (const options of [{ port: -1 }, { host: '' }, { timeoutMillis: 0 }, { serializeType: 3 }, { version: 1.5 }, { maxFrameBytes: 1 }]) {
      expect(() => new RemotingClient(options as never), JSON.stringify(options)).toThrow(InvalidOptionError);
    }
  });
});

describe('RemotingServer metrics', () => {
  it('counts requests by RocketMQ request name and outcome, with latencies, route lookups and open connections', async () => {
    const metrics = new NamesrvMetrics();
    const h = await harness({ server: { metrics } });
    try {
      await registerBroker(h.client, { topics: ['TopicA', 'TopicB'] });
      await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' });
      await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Nope' });
      await h.client.invoke(9999, {});
      const text = await metrics.toPrometheus();
      expect(text).toMatch(/rocketmq_namesrv_route_lookups_total\{adapter="remoting",result="found"\} 1/);
      expect(text).toMatch(/rocketmq_namesrv_route_lookups_total\{adapter="remoting",result="not_found"\} 1/);
      expect(text).toMatch(/rocketmq_namesrv_requests_total\{adapter="remoting",operation="GET_ROUTEINFO_BY_TOPIC",outcome="ok"\} 1/);
      expect(text).toMatch(/rocketmq_namesrv_requests_total\{adapter="remoting",operation="GET_ROUTEINFO_BY_TOPIC",outcome="error"\} 1/);
      expect(text).toMatch(/rocketmq_namesrv_requests_total\{adapter="remoting",operation="REGISTER_BROKER",outcome="ok"\} 1/);
      expect(text).toMatch(/rocketmq_namesrv_requests_total\{adapter="remoting",operation="UNKNOWN",outcome="error"\} 1/);
      expect(text).toMatch(/rocketmq_namesrv_request_duration_seconds_count\{adapter="remoting",operation="GET_ROUTEINFO_BY_TOPIC"\} 2/);
      expect(text).toMatch(/rocketmq_namesrv_open_connections\{adapter="remoting"\} 1/);
      expect(text).toMatch(/rocketmq_namesrv_broker_registrations_total 1/);
    } finally {
      await h.close();
    }
  });
});
