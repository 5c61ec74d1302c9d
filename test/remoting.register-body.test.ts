/**
 * REGISTER_BROKER bodies as real brokers send them, whatever their header
 * says (issue 15): RocketMQ 5.3.3's BrokerOuterAPI sends zlib with
 * `compressed=false`; older tools send JSON with `compressed=true`.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RequestCode, ResponseCode } from '../src/remoting/index.js';
import { bodyCrc32, decodeRegisterBrokerBody, isZlibStream } from '../src/remoting/codec/index.js';
import { int32, lengthPrefixed, loopbackFixtures, registerBroker, registerRequest } from './helpers/loopback.js';

const { harness } = loopbackFixtures();

/** Fastjson's `TopicQueueMappingInfo` text: fields sorted, Integer map keys unquoted. */
const STATIC_MAPPING = '{"bname":"broker-a","currIdMap":{0:0,1:1},"dirty":false,"epoch":1700000000123,'
  + '"scope":"__global__","topic":"StaticTopic","totalQueues":2}';

/**
 * A body byte for byte as RocketMQ 5.3.3's `RegisterBrokerBody.encode(true)`
 * writes it: DataVersion JSON, `TopicConfig.encode()` strings, the filter
 * server list, the static topic mappings; deflated at BEST_COMPRESSION.
 */
function brokerBody533(): Buffer {
  return deflateSync(Buffer.concat([
    lengthPrefixed('{"counter":7,"stateVersion":0,"timestamp":1700000000000}'),
    int32(3),
    lengthPrefixed('TopicTest 8 8 6 SINGLE_TAG {}'),
    lengthPrefixed('OrderTopic 4 4 6 MULTI_TAG {"+message.type":"FIFO"}'),
    lengthPrefixed('StaticTopic 2 2 6 SINGLE_TAG {}'),
    lengthPrefixed('["10.0.0.9:2000"]'),
    int32(1),
    lengthPrefixed(STATIC_MAPPING),
  ]), { level: 9 });
}

/** The header BrokerOuterAPI.registerBrokerAll sends: `compressed` always false. */
function header533(body: Buffer): Record<string, string> {
  return {
    brokerAddr: '127.0.0.1:10911', brokerId: '0', brokerName: 'broker-a', clusterName: 'DefaultCluster',
    haServerAddr: '127.0.0.1:10912', enableActingMaster: 'false', compressed: 'false', heartbeatTimeoutMillis: '120000',
    bodyCrc32: String(bodyCrc32(body)),
  };
}

describe('REGISTER_BROKER bodies whatever the header says', () => {
  it('decodes a 5.3.3 compressed body, static topic mappings included, with Java field names', async () => {
    const body = brokerBody533();
    expect(isZlibStream(body)).toBe(true);
    const decoded = await decodeRegisterBrokerBody(body, { compressed: false, version: 479, maxInflatedBytes: 1 << 20 });
    const wrapper = decoded.topicConfigSerializeWrapper;
    expect(wrapper.dataVersion).toEqual({ counter: 7, stateVersion: 0, timestamp: 1700000000000 });
    expect(Object.keys(wrapper.topicConfigTable)).toEqual(['TopicTest', 'OrderTopic', 'StaticTopic']);
    expect(wrapper.topicConfigTable.OrderTopic).toMatchObject({ readQueueNums: 4, topicFilterType: 'MULTI_TAG', attributes: { '+message.type': 'FIFO' } });
    expect(decoded.filterServerList).toEqual(['10.0.0.9:2000']);
    expect([...wrapper.topicQueueMappingInfoMap]).toEqual([['StaticTopic', {
      topic: 'StaticTopic', scope: '__global__', totalQueues: 2, bname: 'broker-a', epoch: 1700000000123, dirty: false,
      currIdMap: { 0: 0, 1: 1 },
    }]]);
  });

  it('reads topicQueueMappingInfoMap from a JSON body too', async () => {
    const json = Buffer.from(JSON.stringify({
      filterServerList: [],
      topicConfigSerializeWrapper: {
        dataVersion: { counter: 1, timestamp: 1 },
        topicConfigTable: { StaticTopic: { topicName: 'StaticTopic' } },
        topicQueueMappingInfoMap: { StaticTopic: { bname: 'broker-a', currIdMap: { 0: 3 }, epoch: 5, totalQueues: 1 } },
      },
    }));
    const decoded = await decodeRegisterBrokerBody(json, { compressed: false, version: 479, maxInflatedBytes: 1 << 20 });
    expect(decoded.topicConfigSerializeWrapper.topicQueueMappingInfoMap.get('StaticTopic')).toEqual({
      topic: 'StaticTopic', scope: '__global__', totalQueues: 1, bname: 'broker-a', epoch: 5, dirty: false, currIdMap: { 0: 3 },
    });
  });

  it('a 5.3.3 broker\'s zlib body sent with compressed=false registers, and its topics route', async () => {
    const h = await harness();
    const body = brokerBody533();
    const res = await h.client.invoke(RequestCode.REGISTER_BROKER, header533(body), body);
    expect(res).toMatchObject({ code: ResponseCode.SUCCESS });
    expect(h.registry.queryBrokerTopicConfig('DefaultCluster', '127.0.0.1:10911')).toMatchObject({ counter: 7 });
    const route = await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' });
    expect(route.code).toBe(ResponseCode.SUCCESS);
    const data = JSON.parse(route.body!.toString('utf8')) as {
      queueDatas: Array<{ brokerName: string; readQueueNums: number; writeQueueNums: number; perm: number }>;
      filterServerTable: Record<string, string[]>;
    };
    expect(data.queueDatas).toEqual([{ brokerName: 'broker-a', perm: 6, readQueueNums: 8, topicSysFlag: 0, writeQueueNums: 8 }]);
    expect(data.filterServerTable).toEqual({ '127.0.0.1:10911': ['10.0.0.9:2000'] });
    expect(h.registry.getRouteInfoByTopic('OrderTopic')?.queueDatas[0]?.readQueueNums).toBe(4);
  });

  it('a JSON body sent with compressed=true registers', async () => {
    const h = await harness();
    const { ext, body } = registerRequest({ compressed: false, topics: ['JsonTopic', 'JsonTopic2'] });
    const res = await h.client.invoke(RequestCode.REGISTER_BROKER, { ...ext, compressed: 'true' }, body);
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(h.registry.getRouteInfoByTopic('JsonTopic')?.queueDatas).toHaveLength(1);
  });

  it('garbage with either flag is refused cleanly and changes nothing', async () => {
    const h = await harness();
    expect((await registerBroker(h.client, { topics: ['TopicA', 'TopicB'], counter: 1 })).code).toBe(ResponseCode.SUCCESS);
    const before = {
      route: h.registry.getRouteInfoByTopic('TopicA'),
      version: h.registry.queryBrokerTopicConfig('DefaultCluster', '127.0.0.1:10911'),
      topics: h.registry.topicCount,
      brokers: h.registry.liveBrokerCount,
    };
    const garbage = [
      Buffer.from('garbage, neither zlib nor JSON'),
      // A valid zlib header (0x78 0x9c) over a broken deflate stream.
      Buffer.from([0x78, 0x9c, 0xff, 0x00, 0x13, 0x37]),
      // A valid zlib stream whose content is not a RegisterBrokerBody.
      deflateSync(Buffer.from('not the layout')),
    ];
    for (const body of garbage) {
      for (const compressed of ['false', 'true']) {
        const { ext } = registerRequest({ topics: ['Intruder', 'Intruder2'], counter: 9 });
        const res = await h.client.invoke(RequestCode.REGISTER_BROKER, { ...ext, compressed, bodyCrc32: String(bodyCrc32(body)) }, body);
        expect(res.code, `${compressed} ${body.toString('hex').slice(0, 16)}`).toBe(ResponseCode.SYSTEM_ERROR);
        expect(res.remark).toMatch(/BodyDecodeError: (RegisterBrokerBody is (not JSON|neither zlib nor JSON)|cannot inflate|compressed RegisterBrokerBody)/);
      }
    }
    expect(h.registry.getRouteInfoByTopic('TopicA')).toBe(before.route);
    expect(h.registry.queryBrokerTopicConfig('DefaultCluster', '127.0.0.1:10911')).toEqual(before.version);
    expect(h.registry.topicCount).toBe(before.topics);
    expect(h.registry.liveBrokerCount).toBe(before.brokers);
    expect(h.registry.getRouteInfoByTopic('Intruder')).toBeNull();
    // The connection still serves.
    expect((await h.client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' })).code).toBe(ResponseCode.SUCCESS);
  });
});
