/**
 * Scenarios ported from RocketMQ's own namesrv tests (RouteInfoManagerNewTest,
 * RouteInfoManagerTest, RouteInfoManagerBrokerRegisterTest,
 * RouteInfoManagerBrokerPermTest, RouteInfoManagerStaticRegisterTest), with
 * a fake clock instead of sleeps and synchronous batch unregistration.
 */
import { describe, expect, it } from 'vitest';
import { RouteRegistry, type RegisterBrokerResult, type TopicRouteData } from '../src/index.js';
import {
  DEFAULT_ADDR, DEFAULT_ADDR_PREFIX, DEFAULT_BROKER, DEFAULT_CLUSTER, FakeClock, defaultBroker, nextVersion,
  registration, slaveBroker, topicConfig, unregistration, type BrokerInfo,
} from './helpers/registry.js';

function setup(options: { deleteTopicWithBrokerRegistration?: boolean; supportActingMaster?: boolean } = {}) {
  const clock = new FakeClock();
  const registry = new RouteRegistry({ now: clock.now, supportActingMaster: true, ...options });
  const register = (info: BrokerInfo, ...topics: string[]): RegisterBrokerResult | null =>
    registry.registerBroker(registration(info, topics));
  const route = (topic: string): TopicRouteData => {
    const r = registry.getRouteInfoByTopic(topic);
    expect(r).not.toBeNull();
    return r as TopicRouteData;
  };
  return { registry, clock, register, route };
}

const writeable = (perm: number) => (perm & 2) === 2;

describe('RouteInfoManagerNewTest', () => {
  it('getAllClusterInfo', () => {
    const { registry, register } = setup();
    register(defaultBroker(), 'TestTopic');
    register(defaultBroker({ clusterName: 'AnotherCluster', brokerName: 'AnotherBroker', brokerAddr: `${DEFAULT_ADDR_PREFIX}30911` }), 'TestTopic1');
    const info = JSON.parse(JSON.stringify(registry.getAllClusterInfo()));
    expect(Object.keys(info.clusterAddrTable)).toEqual(expect.arrayContaining([DEFAULT_CLUSTER, 'AnotherCluster']));
    expect(Object.keys(info.brokerAddrTable)).toEqual(expect.arrayContaining([DEFAULT_BROKER, 'AnotherBroker']));
    expect([info.brokerAddrTable[DEFAULT_BROKER].brokerAddrs['0'], info.brokerAddrTable.AnotherBroker.brokerAddrs['0']])
      .toEqual([DEFAULT_ADDR, `${DEFAULT_ADDR_PREFIX}30911`]);
  });

  it('deleteTopic, everywhere and by cluster', () => {
    const { registry, register, route } = setup();
    register(defaultBroker(), 'TestTopic');
    registry.deleteTopic('TestTopic');
    expect(registry.getRouteInfoByTopic('TestTopic')).toBeNull();

    register(defaultBroker({ dataVersion: { timestamp: 2000, counter: 2 } }), 'TestTopic');
    register(defaultBroker({ clusterName: 'AnotherCluster', brokerName: 'AnotherBroker' }), 'TestTopic');
    expect(route('TestTopic').brokerDatas).toHaveLength(2);
    registry.deleteTopic('TestTopic', DEFAULT_CLUSTER);
    expect(route('TestTopic').brokerDatas).toHaveLength(1);
    expect(route('TestTopic').brokerDatas[0]?.brokerName).toBe('AnotherBroker');
  });

  it('getAllTopicList', () => {
    const { registry, register } = setup();
    expect(registry.getAllTopicList()).toEqual([]);
    register(defaultBroker(), 'TestTopic', 'TestTopic1', 'TestTopic2');
    expect(registry.getAllTopicList()).toEqual(expect.arrayContaining(['TestTopic', 'TestTopic1', 'TestTopic2']));
  });

  it('registerBroker: a slave learns its master and HA address', () => {
    const { register } = setup();
    expect(register(defaultBroker(), 'TestTopic')).toEqual({ haServerAddr: null, masterAddr: null });
    const slave = defaultBroker({ brokerId: 1, brokerAddr: `${DEFAULT_ADDR_PREFIX}30911`, haServerAddr: `${DEFAULT_ADDR_PREFIX}40911` });
    expect(register(slave, 'TestTopic')).toEqual({ haServerAddr: `${DEFAULT_ADDR_PREFIX}20911`, masterAddr: DEFAULT_ADDR });
  });

  it('unregisterBroker removes the topics of a group that has no member left', () => {
    const { registry, register } = setup();
    register(defaultBroker(), 'TestTopic', 'TestTopic1', 'TestTopic2');
    registry.unregisterBroker(unregistration(defaultBroker()));
    for (const t of ['TestTopic', 'TestTopic1', 'TestTopic2']) expect(registry.getRouteInfoByTopic(t)).toBeNull();

    register(defaultBroker(), 'TestTopic', 'TestTopic1', 'TestTopic2');
    registry.unregisterBrokers([unregistration(defaultBroker())]);
    for (const t of ['TestTopic', 'TestTopic1', 'TestTopic2']) expect(registry.getRouteInfoByTopic(t)).toBeNull();
  });

  it('registerSlaveBroker', () => {
    const { register, route } = setup();
    register(defaultBroker(), 'TestTopic');
    expect(Object.keys(route('TestTopic').brokerDatas[0]!.brokerAddrs)).toEqual(['0']);
    register(slaveBroker(), 'TestTopic');
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs).toEqual({ 0: DEFAULT_ADDR, 1: slaveBroker().brokerAddr });
  });

  it('createNewTopic: a new topic of a known group routes to every member', () => {
    const { register, route } = setup();
    register(defaultBroker(), 'TestTopic');
    register(slaveBroker(), 'TestTopic');
    register(defaultBroker({ dataVersion: { timestamp: 1000, counter: 2 } }), 'TestTopic', 'TestTopic1');
    expect(route('TestTopic1').brokerDatas[0]!.brokerAddrs).toEqual({ 0: DEFAULT_ADDR, 1: slaveBroker().brokerAddr });
  });

  it('switchBrokerRole', () => {
    const { registry, register, route } = setup();
    const master = defaultBroker({ enableActingMaster: false });
    const slave = slaveBroker({ enableActingMaster: false });
    register(master, 'TestTopic');
    register(slave, 'TestTopic');

    registry.unregisterBroker(unregistration(master));
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs).toEqual({ 1: slave.brokerAddr });

    // The slave becomes master.
    slave.brokerId = 0;
    slave.dataVersion = nextVersion(slave.dataVersion);
    register(slave, 'TestTopic');
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs).toEqual({ 0: slave.brokerAddr });

    // The old master comes back as slave.
    master.brokerId = 1;
    master.dataVersion = nextVersion(master.dataVersion);
    register(master, 'TestTopic');
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs).toEqual({ 0: slave.brokerAddr, 1: master.brokerAddr });
  });

  it('unRegisterSlaveBroker', () => {
    const { registry, register, route } = setup();
    register(defaultBroker(), 'TestTopic');
    register(slaveBroker(), 'TestTopic');
    registry.unregisterBroker(unregistration(slaveBroker()));
    expect(route('TestTopic').brokerDatas).toHaveLength(1);
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs).toEqual({ 0: DEFAULT_ADDR });
  });

  it('unRegisterMasterBroker: acting master takes id 0 and the queues become read-only', () => {
    const { registry, register, route } = setup();
    register(defaultBroker({ enableActingMaster: true }), 'TestTopic');
    register(slaveBroker(), 'TestTopic');
    registry.unregisterBroker(unregistration(defaultBroker()));
    expect(route('TestTopic').brokerDatas).toHaveLength(1);
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs['0']).toBe(slaveBroker().brokerAddr);
    expect(route('TestTopic').queueDatas).toHaveLength(1);
    expect(route('TestTopic').queueDatas[0]!.perm).toBe(4);
  });

  it('unRegisterMasterBrokerOldVersion: no acting master, queues stay writeable', () => {
    const { registry, register, route } = setup();
    register(defaultBroker({ enableActingMaster: false }), 'TestTopic');
    register(slaveBroker({ enableActingMaster: false }), 'TestTopic');
    registry.unregisterBroker(unregistration(defaultBroker()));
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs['0']).toBeUndefined();
    expect(route('TestTopic').queueDatas[0]!.perm).toBe(6);
  });

  it('submitMultiUnRegisterRequests', () => {
    const { registry, register } = setup();
    const master1 = defaultBroker();
    const master2 = defaultBroker({ brokerName: `${DEFAULT_BROKER}1`, brokerAddr: `${DEFAULT_ADDR}9` });
    register(master1, 'TestTopic1');
    register(master2, 'TestTopic2');
    registry.unregisterBrokers([unregistration(master1), unregistration(master2)]);
    expect(registry.getRouteInfoByTopic('TestTopic1')).toBeNull();
    expect(registry.getRouteInfoByTopic('TestTopic2')).toBeNull();
  });

  it('isBrokerTopicConfigChanged', () => {
    const { registry, register } = setup();
    register(defaultBroker(), 'TestTopic');
    const dv = registry.queryBrokerTopicConfig(DEFAULT_CLUSTER, DEFAULT_ADDR)!;
    expect(registry.isBrokerTopicConfigChanged(DEFAULT_CLUSTER, DEFAULT_ADDR, dv)).toBe(false);
    expect(registry.isBrokerTopicConfigChanged(DEFAULT_CLUSTER, DEFAULT_ADDR, { ...dv, timestamp: dv.timestamp + 1000 })).toBe(true);
    expect(registry.isBrokerTopicConfigChanged(DEFAULT_CLUSTER, DEFAULT_ADDR, { ...dv, counter: dv.counter + 1 })).toBe(true);
    expect(registry.isBrokerTopicConfigChanged(DEFAULT_CLUSTER, 'unknown:1', dv)).toBe(true);
  });

  it('isTopicConfigChanged', () => {
    const { registry, register } = setup();
    const info = defaultBroker();
    expect(registry.isTopicConfigChanged(DEFAULT_CLUSTER, DEFAULT_ADDR, info.dataVersion, DEFAULT_BROKER, 'TestTopic')).toBe(true);
    register(info, 'TestTopic');
    expect(registry.isTopicConfigChanged(DEFAULT_CLUSTER, DEFAULT_ADDR, info.dataVersion, DEFAULT_BROKER, 'TestTopic')).toBe(false);
    expect(registry.isTopicConfigChanged(DEFAULT_CLUSTER, DEFAULT_ADDR, info.dataVersion, DEFAULT_BROKER, 'TestTopic1')).toBe(true);
  });

  it('queryBrokerTopicConfig', () => {
    const { registry, register } = setup();
    const info = defaultBroker();
    register(info, 'TestTopic');
    expect(registry.queryBrokerTopicConfig(DEFAULT_CLUSTER, DEFAULT_ADDR)).toEqual(info.dataVersion);
  });

  it('wipeWritePermOfBrokerByLock', () => {
    const { registry, register, route } = setup();
    register(defaultBroker(), 'TestTopic');
    expect(route('TestTopic').queueDatas[0]!.perm).toBe(6);
    expect(registry.wipeWritePermOfBroker(DEFAULT_BROKER)).toBe(2); // TestTopic and baseTopic
    expect(route('TestTopic').queueDatas[0]!.perm).toBe(4);
  });

  it('pickupTopicRouteData', () => {
    const { register, route } = setup();
    register(defaultBroker(), 'TestTopic');
    let data = route('TestTopic');
    expect(data.brokerDatas).toHaveLength(1);
    expect(data.brokerDatas[0]!.brokerName).toBe(DEFAULT_BROKER);
    expect(data.brokerDatas[0]!.brokerAddrs['0']).toBe(DEFAULT_ADDR);
    expect(data.queueDatas).toEqual([{ brokerName: DEFAULT_BROKER, readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 }]);

    register(defaultBroker({ brokerName: 'AnotherBroker' }), 'TestTopic');
    data = route('TestTopic');
    expect(data.brokerDatas.map((b) => b.brokerName)).toEqual(['AnotherBroker', DEFAULT_BROKER]);
    expect(data.queueDatas.map((q) => q.brokerName)).toEqual(['AnotherBroker', DEFAULT_BROKER]);
  });

  it('pickupTopicRouteDataWithSlave', () => {
    const { registry, register, route } = setup();
    register(defaultBroker(), 'TestTopic');
    register(slaveBroker(), 'TestTopic');
    expect(Object.keys(route('TestTopic').brokerDatas[0]!.brokerAddrs)).toHaveLength(2);
    expect(writeable(route('TestTopic').queueDatas[0]!.perm)).toBe(true);

    registry.unregisterBrokers([unregistration(defaultBroker())]);
    expect(Object.keys(route('TestTopic').brokerDatas[0]!.brokerAddrs)).toHaveLength(1);
    expect(writeable(route('TestTopic').queueDatas[0]!.perm)).toBe(false);

    register(defaultBroker(), 'TestTopic');
    expect(Object.keys(route('TestTopic').brokerDatas[0]!.brokerAddrs)).toHaveLength(2);
    expect(writeable(route('TestTopic').queueDatas[0]!.perm)).toBe(true);
  });

  it('scanNotActiveBroker drops a broker after its heartbeat timeout', () => {
    const { registry, clock } = setup();
    registry.registerBroker(registration(defaultBroker(), ['TestTopic']));
    expect(registry.scanNotActiveBroker()).toBe(0);
    registry.registerBroker(registration(defaultBroker(), ['TestTopic'], { heartbeatTimeoutMillis: 30_000 }));
    clock.advance(30_000);
    expect(registry.scanNotActiveBroker()).toBe(0); // expiry needs strictly more than the timeout
    clock.advance(1);
    expect(registry.scanNotActiveBroker()).toBe(1);
    expect(registry.getRouteInfoByTopic('TestTopic')).toBeNull();
  });

  function orderTopic(info: BrokerInfo, topic: string, queues: number) {
    const req = registration(info, [topic], {});
    const table = req.topicConfigWrapper.topicConfigTable;
    for (const key of Object.keys(table)) {
      table[key] = { ...table[key]!, order: true, readQueueNums: queues, writeQueueNums: queues };
    }
    return req;
  }

  it('pickupPartitionOrderTopicRouteData', () => {
    const { registry, route } = setup();
    const topic = 'PartitionOrderTopicTest';
    // Case 1: only a slave.
    registry.registerBroker(orderTopic(slaveBroker(), topic, 8));
    let r = route(topic);
    expect(r.brokerDatas[0]!.brokerAddrs).toEqual({ 0: slaveBroker().brokerAddr });
    expect(writeable(r.queueDatas[0]!.perm)).toBe(false);
    registry.unregisterBrokers([unregistration(slaveBroker())]);

    // Case 2: master and slave, then the master leaves.
    registry.registerBroker(orderTopic(slaveBroker(), topic, 8));
    registry.registerBroker(orderTopic(defaultBroker(), topic, 8));
    registry.unregisterBrokers([unregistration(defaultBroker())]);
    r = route(topic);
    expect(r.brokerDatas[0]!.brokerAddrs).toEqual({ 0: slaveBroker().brokerAddr });
    expect(writeable(r.queueDatas[0]!.perm)).toBe(false);
    registry.unregisterBrokers([unregistration(slaveBroker())]);

    // Case 3: two groups, only one loses its master.
    registry.registerBroker(orderTopic(slaveBroker(), topic, 8));
    registry.registerBroker(orderTopic(defaultBroker(), topic, 8));
    const master1 = defaultBroker({ brokerName: `${DEFAULT_BROKER}_ANOTHER` });
    const slave1 = slaveBroker({ brokerName: `${DEFAULT_BROKER}_ANOTHER` });
    registry.registerBroker(orderTopic(master1, topic, 8));
    registry.registerBroker(orderTopic(slave1, topic, 8));
    r = route(topic);
    expect(r.brokerDatas).toHaveLength(2);
    expect(r.queueDatas).toHaveLength(2);

    registry.unregisterBrokers([unregistration(defaultBroker())]);
    r = route(topic);
    expect(r.brokerDatas).toHaveLength(2);
    expect(r.queueDatas).toHaveLength(2);
    for (const bd of r.brokerDatas) {
      if (Object.keys(bd.brokerAddrs).length === 1) {
        expect(bd.brokerAddrs).toEqual({ 0: slaveBroker().brokerAddr });
      } else {
        expect(bd.brokerAddrs).toEqual({ 0: master1.brokerAddr, 1: slave1.brokerAddr });
      }
    }
  });

  it('pickupGlobalOrderTopicRouteData', () => {
    const { registry, route } = setup();
    const topic = 'GlobalOrderTopicTest';
    registry.registerBroker(orderTopic(slaveBroker(), topic, 1));
    let r = route(topic);
    expect(r.brokerDatas[0]!.brokerAddrs).toEqual({ 0: slaveBroker().brokerAddr });
    expect(writeable(r.queueDatas[0]!.perm)).toBe(false);
    registry.unregisterBrokers([unregistration(slaveBroker())]);

    registry.registerBroker(orderTopic(slaveBroker(), topic, 1));
    registry.registerBroker(orderTopic(defaultBroker(), topic, 1));
    registry.unregisterBrokers([unregistration(defaultBroker())]);
    r = route(topic);
    expect(r.brokerDatas[0]!.brokerAddrs).toEqual({ 0: slaveBroker().brokerAddr });
    expect(writeable(r.queueDatas[0]!.perm)).toBe(false);
  });

  it('registerOnlySlaveBroker', () => {
    const { registry, register, route } = setup();
    register(slaveBroker(), 'TestTopic');
    expect(writeable(route('TestTopic').queueDatas[0]!.perm)).toBe(false);
    registry.unregisterBrokers([unregistration(slaveBroker())]);

    register(defaultBroker(), 'TestTopic');
    register(slaveBroker(), 'TestTopic');
    expect(writeable(route('TestTopic').queueDatas[0]!.perm)).toBe(true);
    registry.unregisterBrokers([unregistration(defaultBroker())]);
    expect(writeable(route('TestTopic').queueDatas[0]!.perm)).toBe(false);
    register(defaultBroker(), 'TestTopic');
    expect(writeable(route('TestTopic').queueDatas[0]!.perm)).toBe(true);
  });

  it('onChannelDestroy', () => {
    const { registry, route } = setup();
    const channel = {};
    registry.registerBroker(registration(defaultBroker(), ['TestTopic', 'TestTopic1'], { channel }));
    registry.onChannelDestroy(channel);
    expect(registry.getRouteInfoByTopic('TestTopic')).toBeNull();
    expect(registry.getRouteInfoByTopic('TestTopic1')).toBeNull();

    const master = defaultBroker({ enableActingMaster: false });
    const slave = slaveBroker({ enableActingMaster: false });
    const masterChannel = {};
    const slaveChannel = {};
    registry.registerBroker(registration(master, ['TestTopic'], { channel: masterChannel }));
    registry.registerBroker(registration(slave, ['TestTopic'], { channel: slaveChannel }));
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs).toEqual({ 0: master.brokerAddr, 1: slave.brokerAddr });

    registry.onChannelDestroy(masterChannel);
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs).toEqual({ 1: slave.brokerAddr });
    registry.onChannelDestroy(slaveChannel);
    expect(registry.getRouteInfoByTopic('TestTopic')).toBeNull();
  });

  it('switchBrokerRole_ChannelDestroy', () => {
    const { registry, register, route } = setup();
    const master = defaultBroker({ enableActingMaster: false });
    const slave = slaveBroker({ enableActingMaster: false });
    const masterChannel = {};
    registry.registerBroker(registration(master, ['TestTopic'], { channel: masterChannel }));
    registry.registerBroker(registration(slave, ['TestTopic'], { channel: {} }));
    registry.onChannelDestroy(masterChannel);
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs).toEqual({ 1: slave.brokerAddr });

    slave.brokerId = 0;
    slave.dataVersion = nextVersion(slave.dataVersion);
    register(slave, 'TestTopic');
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs).toEqual({ 0: slave.brokerAddr });

    master.brokerId = 1;
    master.dataVersion = nextVersion(master.dataVersion);
    register(master, 'TestTopic');
    expect(route('TestTopic').brokerDatas[0]!.brokerAddrs).toEqual({ 0: slave.brokerAddr, 1: master.brokerAddr });
  });

  it('keepTopicWithBrokerRegistration (option off)', () => {
    const { registry, register } = setup();
    register(defaultBroker(), 'TestTopic', 'TestTopic1');
    register(defaultBroker(), 'TestTopic1');
    expect(registry.getRouteInfoByTopic('TestTopic')).not.toBeNull();
    expect(registry.getRouteInfoByTopic('TestTopic1')).not.toBeNull();
  });

  it('deleteTopicWithBrokerRegistration', () => {
    const { registry, register } = setup({ deleteTopicWithBrokerRegistration: true });
    register(defaultBroker(), 'TestTopic', 'TestTopic1');
    expect(registry.getRouteInfoByTopic('TestTopic')).not.toBeNull();
    register(defaultBroker(), 'TestTopic1');
    expect(registry.getRouteInfoByTopic('TestTopic')).toBeNull();
    expect(registry.getRouteInfoByTopic('TestTopic1')).not.toBeNull();
  });

  it('deleteTopicWithBrokerRegistration2: two groups, deleted one by one', () => {
    const { registry, register, route } = setup({ deleteTopicWithBrokerRegistration: true });
    const master1 = defaultBroker();
    const master2 = defaultBroker({ brokerName: `${DEFAULT_BROKER}1`, brokerAddr: `${DEFAULT_ADDR}9` });
    register(master1, 'TestTopic', 'TestTopic1');
    register(master2, 'TestTopic', 'TestTopic1');
    expect(route('TestTopic').brokerDatas).toHaveLength(2);
    register(master1, 'TestTopic1');
    expect(route('TestTopic').brokerDatas.map((b) => b.brokerName)).toEqual([master2.brokerName]);
    expect(route('TestTopic1').brokerDatas).toHaveLength(2);
    register(master2, 'TestTopic1');
    expect(registry.getRouteInfoByTopic('TestTopic')).toBeNull();
    expect(route('TestTopic1').brokerDatas).toHaveLength(2);
  });

  it('registerSingleTopicWithBrokerRegistration (registerTopic)', () => {
    const { registry, register } = setup({ deleteTopicWithBrokerRegistration: true });
    const master1 = defaultBroker();
    const single = (topic: string) => registry.registerTopic(topic, [
      { brokerName: master1.brokerName, readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 },
    ]);
    single('TestTopic');
    expect(registry.getRouteInfoByTopic('TestTopic')).toBeNull(); // no such broker yet

    register(master1, 'TestTopic');
    single('TestTopic1');
    expect(registry.getRouteInfoByTopic('TestTopic1')).not.toBeNull();

    register(master1, 'TestTopic', 'TestTopic1');
    expect(registry.getRouteInfoByTopic('TestTopic1')).not.toBeNull();

    register(master1, 'TestTopic');
    expect(registry.getRouteInfoByTopic('TestTopic')).not.toBeNull();
    expect(registry.getRouteInfoByTopic('TestTopic1')).toBeNull();

    single('TestTopic1');
    expect(registry.getRouteInfoByTopic('TestTopic1')).not.toBeNull();
    registry.unregisterBroker(unregistration(master1));
    expect(registry.getRouteInfoByTopic('TestTopic')).toBeNull();
    expect(registry.getRouteInfoByTopic('TestTopic1')).toBeNull();
  });
});

describe('RouteInfoManagerTest', () => {
  function withDefaultBroker() {
    const registry = new RouteRegistry({ now: new FakeClock().now });
    const result = registry.registerBroker({
      clusterName: 'default-cluster', brokerAddr: '127.0.0.1:10911', brokerName: 'default-broker', brokerId: 1234,
      haServerAddr: '127.0.0.1:1001', zoneName: '',
      topicConfigWrapper: {
        topicConfigTable: { 'unit-test0': { topicName: 'unit-test0', readQueueNums: 16, writeQueueNums: 16, perm: 6 },
          'unit-test1': { topicName: 'unit-test1', readQueueNums: 16, writeQueueNums: 16, perm: 6 } },
        dataVersion: { counter: 10, timestamp: 100 },
      },
      filterServerList: [],
    });
    expect(result).not.toBeNull();
    return registry;
  }

  it('testQueryBrokerTopicConfig: the same address in two clusters is two brokers', () => {
    const registry = withDefaultBroker();
    expect(registry.queryBrokerTopicConfig('default-cluster', '127.0.0.1:10911')).toEqual({ stateVersion: 0, counter: 10, timestamp: 100 });
    const target = { counter: 20, timestamp: 200 };
    expect(registry.registerBroker({
      clusterName: 'default-cluster-1', brokerAddr: '127.0.0.1:10911', brokerName: 'default-broker-1', brokerId: 1234,
      haServerAddr: '127.0.0.1:1001', zoneName: '',
      topicConfigWrapper: {
        topicConfigTable: { 'unit-test-0': { topicName: 'unit-test-0', readQueueNums: 16, writeQueueNums: 16, perm: 6 },
          'unit-test-1': { topicName: 'unit-test-1', readQueueNums: 16, writeQueueNums: 16, perm: 6 } },
        dataVersion: target,
      },
    })).not.toBeNull();
    expect(registry.isBrokerTopicConfigChanged('default-cluster', '127.0.0.1:10911', target)).toBe(true);
    expect(registry.isBrokerTopicConfigChanged('default-cluster-1', '127.0.0.1:10911', target)).toBe(false);
    registry.unregisterBroker({ clusterName: 'default-cluster-1', brokerAddr: '127.0.0.1:10911', brokerName: 'default-broker-1', brokerId: 1234 });
    expect(registry.queryBrokerTopicConfig('default-cluster', '127.0.0.1:10911')).not.toBeNull();
    expect(registry.queryBrokerTopicConfig('default-cluster-1', '127.0.0.1:10911')).toBeNull();
  });

  it('testPickupTopicRouteData of an unknown topic is null', () => {
    expect(withDefaultBroker().getRouteInfoByTopic('unit_test')).toBeNull();
  });

  it('lists answer with what is registered', () => {
    const registry = withDefaultBroker();
    // Broker id 1234 of a pre-5.0 broker is a plain slave: its topics are not applied.
    expect(registry.getTopicsByCluster('default-cluster')).toEqual([]);
    registry.registerBroker({
      clusterName: 'default-cluster', brokerAddr: '127.0.0.1:10912', brokerName: 'default-broker', brokerId: 0,
      topicConfigWrapper: {
        topicConfigTable: { 'unit-test0': { topicName: 'unit-test0', readQueueNums: 16, writeQueueNums: 16, perm: 6 },
          'unit-test1': { topicName: 'unit-test1', readQueueNums: 16, writeQueueNums: 16, perm: 6 } },
        dataVersion: { counter: 10, timestamp: 100 },
      },
    });
    expect(registry.getTopicsByCluster('default-cluster').sort()).toEqual(['unit-test0', 'unit-test1']);
    expect(registry.getTopicsByCluster('no-such-cluster')).toEqual([]);
    expect(registry.getSystemTopicList()).toEqual({ topicList: ['default-cluster', 'default-broker'], brokerAddr: '127.0.0.1:10912' });
    expect(registry.getUnitTopics()).toEqual({ topicList: [] });
    expect(registry.getHasUnitSubTopicList()).toEqual({ topicList: [] });
    expect(registry.getHasUnitSubUnUnitTopicList()).toEqual({ topicList: [] });
  });
});

describe('RouteInfoManagerBrokerRegisterTest / BrokerPermTest / StaticRegisterTest', () => {
  /** RouteInfoManagerTestBase.registerCluster: 3 groups × 3 members, 10 topics on every group. */
  function cluster() {
    const registry = new RouteRegistry({ now: new FakeClock().now });
    const topics = Array.from({ length: 10 }, (_, i) => `topic-${i}`);
    const table = Object.fromEntries(topics.map((t) => [t, topicConfig(t)]));
    const addr = (name: string, id: number) => `cluster-${name}-${id}:10911`;
    for (let g = 0; g < 3; g++) {
      for (let id = 0; id < 3; id++) {
        registry.registerBroker({
          clusterName: 'cluster', brokerName: `broker-${g}`, brokerId: id, brokerAddr: addr(`broker-${g}`, id),
          haServerAddr: addr(`broker-${g}`, id), topicConfigWrapper: { topicConfigTable: table, dataVersion: { timestamp: 1, counter: 1 } },
        });
      }
    }
    return { registry, topics, table, addr };
  }

  it('testGetAllClusterInfo, testGetAllTopicList, testGetTopicsByCluster', () => {
    const { registry, topics } = cluster();
    expect(registry.getAllClusterInfo().clusterAddrTable).toEqual({ cluster: ['broker-0', 'broker-1', 'broker-2'] });
    expect(registry.getAllTopicList().sort()).toEqual([...topics].sort());
    expect(registry.getTopicsByCluster('cluster').sort()).toEqual([...topics].sort());
  });

  it('testPickupTopicRouteData: every group, every member, the topic config figures', () => {
    const { registry, addr } = cluster();
    const route = registry.getRouteInfoByTopic('topic-0')!;
    expect(route.brokerDatas).toEqual([0, 1, 2].map((g) => ({
      cluster: 'cluster', brokerName: `broker-${g}`, enableActingMaster: false,
      brokerAddrs: { 0: addr(`broker-${g}`, 0), 1: addr(`broker-${g}`, 1), 2: addr(`broker-${g}`, 2) },
    })));
    expect(route.queueDatas).toEqual([0, 1, 2].map((g) => ({ brokerName: `broker-${g}`, readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 })));
  });

  it('testMasterChangeFromSlave', () => {
    const { registry, table, addr } = cluster();
    const newMaster = addr('broker-0', 1);
    registry.registerBroker({
      clusterName: 'cluster', brokerName: 'broker-0', brokerId: 0, brokerAddr: newMaster, haServerAddr: newMaster,
      topicConfigWrapper: { topicConfigTable: table, dataVersion: { timestamp: 1, counter: 1 } },
    });
    const bd = registry.getRouteInfoByTopic('topic-0')!.brokerDatas.find((b) => b.brokerName === 'broker-0')!;
    expect(bd.brokerAddrs['0']).toBe(newMaster);
    expect(Object.values(bd.brokerAddrs).filter((a) => a === newMaster)).toHaveLength(1);
  });

  it('testUnregisterBroker: a slave leaves the route', () => {
    const { registry, addr } = cluster();
    registry.unregisterBroker({ clusterName: 'cluster', brokerName: 'broker-0', brokerId: 2, brokerAddr: addr('broker-0', 2) });
    const bd = registry.getRouteInfoByTopic('topic-0')!.brokerDatas.find((b) => b.brokerName === 'broker-0')!;
    expect(bd.brokerAddrs['2']).toBeUndefined();
  });

  it('testAddWritePermOfBrokerByLock / testWipeWritePermOfBrokerByLock count topics and set perms', () => {
    const { registry } = cluster();
    expect(registry.wipeWritePermOfBroker('broker-0')).toBe(10);
    expect(registry.getRouteInfoByTopic('topic-0')!.queueDatas.find((q) => q.brokerName === 'broker-0')!.perm).toBe(4);
    expect(registry.getRouteInfoByTopic('topic-0')!.queueDatas.find((q) => q.brokerName === 'broker-1')!.perm).toBe(6);
    expect(registry.addWritePermOfBroker('broker-0')).toBe(10);
    expect(registry.getRouteInfoByTopic('topic-0')!.queueDatas.find((q) => q.brokerName === 'broker-0')!.perm).toBe(6);
    expect(registry.wipeWritePermOfBroker('no-such-broker')).toBe(0);
    expect(registry.addWritePermOfBroker('no-such-broker')).toBe(0);
  });

  it('addWritePerm sets read+write even from 0', () => {
    const { registry } = cluster();
    registry.registerTopic('t', [{ brokerName: 'broker-1', readQueueNums: 1, writeQueueNums: 1, perm: 0, topicSysFlag: 0 }]);
    registry.addWritePermOfBroker('broker-1');
    expect(registry.getRouteInfoByTopic('t')!.queueDatas[0]!.perm).toBe(6);
  });

  it('testDeleteTopic', () => {
    const { registry } = cluster();
    registry.deleteTopic('topic-0');
    expect(registry.getRouteInfoByTopic('topic-0')).toBeNull();
  });
});
