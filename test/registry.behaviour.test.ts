/** Behaviour users rely on beyond RocketMQ's own tests: events, expiry, snapshots, odd names, bad input. */
import { describe, expect, it } from 'vitest';
import {
  InvalidOptionError, InvalidRequestError, RouteRegistry, type BrokerUnregisteredEvent, type RegisterBrokerRequest,
} from '../src/index.js';
import { FakeClock, defaultBroker, nextVersion, registration, slaveBroker, topicConfig, unregistration } from './helpers/registry.js';

function recorder(registry: RouteRegistry) {
  const events: string[] = [];
  registry.on('brokerRegistered', (e) => events.push(`up ${e.brokerName}/${e.brokerId} ${e.brokerAddr}`));
  registry.on('brokerUnregistered', (e) => events.push(`down ${e.brokerName}/${e.brokerId} ${e.brokerAddr} ${e.reason}`));
  registry.on('topicRouteChanged', (e) => events.push(`route ${e.topic}`));
  return { events, take: () => events.splice(0).sort() };
}

describe('events', () => {
  it('brokerRegistered fires when an address becomes live, not on heartbeats', () => {
    const registry = new RouteRegistry({ now: new FakeClock().now });
    const { take } = recorder(registry);
    registry.registerBroker(registration(defaultBroker(), ['A']));
    expect(take()).toEqual(['route A', 'route baseTopic', 'up Default_Broker/0 127.0.0.1:10911']);
    registry.registerBroker(registration(defaultBroker(), ['A']));
    expect(take()).toEqual([]);
  });

  it('topicRouteChanged fires exactly for the topics whose route changed', () => {
    const registry = new RouteRegistry({ now: new FakeClock().now });
    registry.registerBroker(registration(defaultBroker(), ['A', 'B']));
    registry.registerBroker(registration(defaultBroker({ brokerName: 'other', brokerAddr: 'o:1' }), ['C']));
    const { take } = recorder(registry);

    // New version, only B's queues change.
    const req = registration(defaultBroker({ dataVersion: { timestamp: 1000, counter: 2 } }), ['A', 'B']);
    req.topicConfigWrapper.topicConfigTable.B = topicConfig('B', 4);
    registry.registerBroker(req);
    expect(take()).toEqual(['route B']);

    // A slave joining changes every route of its group only.
    registry.registerBroker(registration(slaveBroker(), ['A', 'B']));
    expect(take()).toEqual(['route A', 'route B', 'route baseTopic', 'up Default_Broker/1 127.0.0.1:30911']);

    // Wiping an already wiped perm changes nothing.
    registry.wipeWritePermOfBroker('other');
    expect(take()).toEqual(['route C', 'route baseTopic']);
    registry.wipeWritePermOfBroker('other');
    expect(take()).toEqual([]);

    registry.deleteTopic('A');
    expect(take()).toEqual(['route A']);
    registry.deleteTopic('A');
    expect(take()).toEqual([]);
  });

  it('brokerUnregistered carries the reason', () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    const reasons: BrokerUnregisteredEvent[] = [];
    registry.on('brokerUnregistered', (e) => reasons.push(e));
    const channel = {};
    registry.registerBroker(registration(defaultBroker(), ['A']));
    registry.registerBroker(registration(slaveBroker(), ['A'], { channel }));
    registry.registerBroker(registration(defaultBroker({ brokerName: 'x', brokerAddr: 'x:1' }), ['B'], { heartbeatTimeoutMillis: 10 }));
    registry.unregisterBroker(unregistration(defaultBroker()));
    registry.onChannelDestroy(channel);
    clock.advance(11);
    registry.scanNotActiveBroker();
    expect(reasons.map((e) => `${e.brokerName}/${e.brokerId}:${e.reason}`)).toEqual([
      'Default_Broker/0:unregister', 'Default_Broker/1:channelDestroyed', 'x/0:expired',
    ]);
    expect(registry.liveBrokerCount).toBe(0);
    expect(registry.getAllClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
  });

  it('a throwing listener cannot leave the tables half-changed', () => {
    const registry = new RouteRegistry({ now: new FakeClock().now });
    registry.on('topicRouteChanged', () => {
      throw new Error('listener bug');
    });
    expect(() => registry.registerBroker(registration(defaultBroker(), ['A', 'B']))).toThrow('listener bug');
    expect(registry.getRouteInfoByTopic('A')).not.toBeNull();
    expect(registry.getRouteInfoByTopic('B')).not.toBeNull();
    expect(registry.liveBrokerCount).toBe(1);
  });
});

describe('expiry with an injected clock', () => {
  it('drops exactly the brokers whose timeout passed; heartbeats keep others alive', () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now, brokerChannelExpiredMillis: 1000 });
    for (let i = 0; i < 5; i++) {
      registry.registerBroker(registration(defaultBroker({ brokerName: `b${i}`, brokerAddr: `h${i}:1` }), [`t${i}`]));
    }
    clock.advance(600);
    registry.registerBroker(registration(defaultBroker({ brokerName: 'b1', brokerAddr: 'h1:1' }), ['t1'])); // heartbeat
    registry.updateBrokerInfoUpdateTimestamp('Default_Cluster', 'h2:1'); // BROKER_HEARTBEAT
    clock.advance(401);
    expect(registry.scanNotActiveBroker()).toBe(3);
    expect(registry.getAllTopicList().sort()).toEqual(['baseTopic', 't1', 't2']);
    clock.advance(600);
    expect(registry.scanNotActiveBroker()).toBe(2);
    expect(registry.getAllTopicList()).toEqual([]);
  });

  it('per-broker heartbeat timeouts are honoured', () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    registry.registerBroker(registration(defaultBroker({ brokerName: 'short', brokerAddr: 's:1' }), ['s'], { heartbeatTimeoutMillis: 5_000 }));
    registry.registerBroker(registration(defaultBroker({ brokerName: 'long', brokerAddr: 'l:1' }), ['l']));
    clock.advance(5_001);
    expect(registry.scanNotActiveBroker()).toBe(1);
    expect(registry.getRouteInfoByTopic('s')).toBeNull();
    clock.advance(120_000);
    expect(registry.scanNotActiveBroker()).toBe(1);
  });

  it('start() scans periodically and close() leaves no timer', async () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now, scanIntervalMillis: 5, brokerChannelExpiredMillis: 10 });
    registry.registerBroker(registration(defaultBroker(), ['A']));
    clock.advance(11);
    const dropped = new Promise<BrokerUnregisteredEvent>((resolve) => registry.once('brokerUnregistered', resolve));
    registry.start();
    registry.start(); // idempotent
    expect((await dropped).reason).toBe('expired');
    registry.close();
    registry.registerBroker(registration(defaultBroker(), ['A']));
    clock.advance(11);
    await new Promise((r) => setTimeout(r, 30));
    expect(registry.liveBrokerCount).toBe(1); // no scan ran after close
  });

  it('a stale channel closing after its broker moved to a new connection drops nothing', () => {
    const registry = new RouteRegistry({ now: new FakeClock().now });
    const oldChannel = {};
    const newChannel = {};
    registry.registerBroker(registration(defaultBroker(), ['A'], { channel: oldChannel }));
    registry.registerBroker(registration(defaultBroker(), ['A'], { channel: newChannel }));
    registry.onChannelDestroy(oldChannel);
    expect(registry.getRouteInfoByTopic('A')).not.toBeNull();
    registry.onChannelDestroy(newChannel);
    expect(registry.getRouteInfoByTopic('A')).toBeNull();
  });
});

describe('RocketMQ registration rules', () => {
  it('a first registration with exactly one topic is refused and leaves no trace', () => {
    const registry = new RouteRegistry();
    const req: RegisterBrokerRequest = {
      ...registration(defaultBroker(), []),
      topicConfigWrapper: { topicConfigTable: { only: topicConfig('only') }, dataVersion: { timestamp: 1, counter: 1 } },
    };
    expect(registry.registerBroker(req)).toBeNull();
    expect(registry.getRouteInfoByTopic('only')).toBeNull();
    expect(registry.liveBrokerCount).toBe(0);
    // Once registered, a one-topic table is fine.
    registry.registerBroker(registration(defaultBroker(), ['x']));
    expect(registry.registerBroker({ ...req, topicConfigWrapper: { ...req.topicConfigWrapper!, dataVersion: { timestamp: 2, counter: 2 } } }))
      .not.toBeNull();
    expect(registry.getRouteInfoByTopic('only')).not.toBeNull();
  });

  it('a known id at a new address with an older stateVersion is ignored', () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker({ dataVersion: { stateVersion: 5, timestamp: 1, counter: 1 } }), ['A']));
    const stale = defaultBroker({ brokerAddr: 'stale:1', dataVersion: { stateVersion: 3, timestamp: 1, counter: 1 } });
    expect(registry.registerBroker(registration(stale, ['A']))).toEqual({ haServerAddr: null, masterAddr: null });
    expect(registry.getRouteInfoByTopic('A')!.brokerDatas[0]!.brokerAddrs).toEqual({ 0: defaultBroker().brokerAddr });
    expect(registry.queryBrokerTopicConfig('Default_Cluster', 'stale:1')).toBeNull();
    // A newer stateVersion takes over.
    const fresh = defaultBroker({ brokerAddr: 'fresh:1', dataVersion: { stateVersion: 6, timestamp: 1, counter: 1 } });
    registry.registerBroker(registration(fresh, ['A']));
    expect(registry.getRouteInfoByTopic('A')!.brokerDatas[0]!.brokerAddrs).toEqual({ 0: 'fresh:1' });
  });

  it('a heartbeat with an equal data version re-adds topics the name server deleted', () => {
    const registry = new RouteRegistry();
    const info = defaultBroker();
    registry.registerBroker(registration(info, ['A', 'B']));
    registry.deleteTopic('A');
    registry.wipeWritePermOfBroker(info.brokerName);
    registry.registerBroker(registration(info, ['A', 'B']));
    expect(registry.getRouteInfoByTopic('A')!.queueDatas[0]!.perm).toBe(6);
    // An equal version does not re-apply topics the name server still has (perm stays wiped), as in RocketMQ.
    expect(registry.getRouteInfoByTopic('B')!.queueDatas[0]!.perm).toBe(4);
    registry.registerBroker(registration({ ...info, dataVersion: nextVersion(info.dataVersion) }, ['A', 'B']));
    expect(registry.getRouteInfoByTopic('B')!.queueDatas[0]!.perm).toBe(6);
  });

  it('a topic deleted only from one cluster comes back with its broker\'s heartbeat', () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['A']));
    registry.registerBroker(registration(defaultBroker({ clusterName: 'c2', brokerName: 'b2', brokerAddr: 'b2:1' }), ['A']));
    registry.deleteTopic('A', 'Default_Cluster');
    expect(registry.getRouteInfoByTopic('A')!.brokerDatas.map((b) => b.brokerName)).toEqual(['b2']);
    registry.registerBroker(registration(defaultBroker(), ['A']));
    expect(registry.getRouteInfoByTopic('A')!.brokerDatas.map((b) => b.brokerName)).toEqual(['Default_Broker', 'b2']);
  });

  it('slaves of old brokers never apply topics; filter servers: null keeps, empty removes', () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker({ enableActingMaster: null }), ['A']));
    registry.registerBroker(registration(slaveBroker({ enableActingMaster: null }), ['A', 'SlaveOnly']));
    expect(registry.getRouteInfoByTopic('SlaveOnly')).toBeNull();

    registry.registerBroker(registration(defaultBroker(), ['A'], { filterServerList: ['f:1'] }));
    expect(registry.getRouteInfoByTopic('A')!.filterServerTable).toEqual({ '127.0.0.1:10911': ['f:1'] });
    registry.registerBroker(registration(defaultBroker(), ['A'], { filterServerList: null }));
    expect(registry.getRouteInfoByTopic('A')!.filterServerTable).toEqual({ '127.0.0.1:10911': ['f:1'] });
    registry.registerBroker(registration(defaultBroker(), ['A'], { filterServerList: [] }));
    expect(registry.getRouteInfoByTopic('A')!.filterServerTable).toEqual({});
  });

  it('member group and system topic list', () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['A']));
    registry.registerBroker(registration(slaveBroker(), ['A']));
    expect(registry.getBrokerMemberGroup('Default_Cluster', 'Default_Broker')).toEqual({
      cluster: 'Default_Cluster', brokerName: 'Default_Broker', brokerAddrs: { 0: '127.0.0.1:10911', 1: '127.0.0.1:30911' },
    });
    expect(registry.getBrokerMemberGroup('Default_Cluster', 'nope')).toEqual({ cluster: 'Default_Cluster', brokerName: 'nope', brokerAddrs: {} });
    expect(registry.getSystemTopicList()).toEqual({ topicList: ['Default_Cluster', 'Default_Broker'], brokerAddr: '127.0.0.1:10911' });
  });

  it('unit topic lists follow topicSysFlag', () => {
    const registry = new RouteRegistry();
    const req = registration(defaultBroker(), []);
    const table = req.topicConfigWrapper.topicConfigTable;
    table.unit = topicConfig('unit', 8, 6, { topicSysFlag: 1 });
    table.sub = topicConfig('sub', 8, 6, { topicSysFlag: 2 });
    table.both = topicConfig('both', 8, 6, { topicSysFlag: 3 });
    registry.registerBroker(req);
    expect(registry.getUnitTopics().topicList.sort()).toEqual(['both', 'unit']);
    expect(registry.getHasUnitSubTopicList().topicList.sort()).toEqual(['both', 'sub']);
    expect(registry.getHasUnitSubUnUnitTopicList().topicList).toEqual(['sub']);
  });

  it('supportActingMaster off: routes show the real ids', () => {
    const registry = new RouteRegistry({ supportActingMaster: false });
    registry.registerBroker(registration(slaveBroker(), ['A']));
    expect(registry.getRouteInfoByTopic('A')!.brokerDatas[0]!.brokerAddrs).toEqual({ 1: slaveBroker().brokerAddr });
  });
});

describe('snapshots', () => {
  it('a returned route cannot be used to change the registry', () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['A']));
    const route = registry.getRouteInfoByTopic('A')!;
    const before = structuredClone(route);
    expect(Object.isFrozen(route)).toBe(true);
    expect(() => {
      (route.queueDatas as unknown as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (route.brokerDatas[0]!.brokerAddrs as Record<string, string>)['0'] = 'evil:1';
    }).toThrow(TypeError);
    expect(() => {
      (route.queueDatas[0] as { perm: number }).perm = 0;
    }).toThrow(TypeError);
    expect(registry.getRouteInfoByTopic('A')).toEqual(before);
  });

  it('old snapshots stay as they were after the route changes', () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['A']));
    const before = registry.getRouteInfoByTopic('A')!;
    registry.registerBroker(registration(slaveBroker(), ['A']));
    const after = registry.getRouteInfoByTopic('A')!;
    expect(Object.keys(before.brokerDatas[0]!.brokerAddrs)).toEqual(['0']);
    expect(Object.keys(after.brokerDatas[0]!.brokerAddrs)).toEqual(['0', '1']);
    expect(registry.getRouteInfoByTopic('A')).toBe(after); // unchanged → the same snapshot
  });

  it('cluster info and lists are fresh copies', () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['A']));
    const info = registry.getAllClusterInfo();
    info.clusterAddrTable.Default_Cluster!.push('evil');
    (info.brokerAddrTable.Default_Broker!.brokerAddrs as Record<string, string>)['9'] = 'evil:1';
    registry.getAllTopicList().push('evil');
    expect(registry.getAllClusterInfo().clusterAddrTable).toEqual({ Default_Cluster: ['Default_Broker'] });
    expect(registry.getAllClusterInfo().brokerAddrTable.Default_Broker!.brokerAddrs).toEqual({ 0: '127.0.0.1:10911' });
    expect(registry.getAllTopicList()).not.toContain('evil');
  });
});

describe('odd names', () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', '0', 'a b/c%d', '话题'];
  it.each(names)('%j works as topic, broker, cluster and address', (name) => {
    const registry = new RouteRegistry();
    const table = {};
    Object.defineProperty(table, name, { value: topicConfig(name), enumerable: true });
    Object.defineProperty(table, 'other', { value: topicConfig('other'), enumerable: true });
    registry.registerBroker({
      clusterName: name, brokerName: name, brokerAddr: name, brokerId: 0,
      topicConfigWrapper: { topicConfigTable: table, dataVersion: { timestamp: 1, counter: 1 } },
      filterServerList: [name],
    });
    const route = registry.getRouteInfoByTopic(name)!;
    expect(route.queueDatas[0]!.brokerName).toBe(name);
    expect(route.brokerDatas[0]!.cluster).toBe(name);
    expect(Object.hasOwn(route.filterServerTable, name)).toBe(true);
    expect(registry.getAllTopicList()).toContain(name);
    const info = registry.getAllClusterInfo();
    expect(Object.hasOwn(info.brokerAddrTable, name)).toBe(true);
    expect(Object.hasOwn(info.clusterAddrTable, name)).toBe(true);
    expect(JSON.parse(JSON.stringify(info)).clusterAddrTable[name]).toEqual([name]);
    expect(registry.getTopicsByCluster(name).sort()).toEqual([name, 'other'].sort());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    registry.deleteTopic(name);
    expect(registry.getRouteInfoByTopic(name)).toBeNull();
    registry.unregisterBroker({ clusterName: name, brokerName: name, brokerAddr: name, brokerId: 0 });
    expect(registry.getAllClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
  });

  it('unknown names are simply unknown', () => {
    const registry = new RouteRegistry();
    for (const n of names) expect(registry.getRouteInfoByTopic(n)).toBeNull();
    expect(registry.getTopicsByCluster('__proto__')).toEqual([]);
  });
});

describe('bad input', () => {
  const valid = () => registration(defaultBroker(), ['A']);
  const cases: Array<[string, (r: Record<string, unknown>) => void]> = [
    ['clusterName', (r) => { delete r.clusterName; }],
    ['brokerName', (r) => { r.brokerName = 42; }],
    ['brokerAddr', (r) => { r.brokerAddr = null; }],
    ['brokerId', (r) => { r.brokerId = -1; }],
    ['brokerId', (r) => { r.brokerId = 1.5; }],
    ['brokerId', (r) => { r.brokerId = '0'; }],
    ['heartbeatTimeoutMillis', (r) => { r.heartbeatTimeoutMillis = -5; }],
    ['enableActingMaster', (r) => { r.enableActingMaster = 'yes'; }],
    ['filterServerList', (r) => { r.filterServerList = 'f:1'; }],
    ['filterServerList[0]', (r) => { r.filterServerList = [1]; }],
    ['topicConfigWrapper', (r) => { r.topicConfigWrapper = 'x'; }],
    ['topicConfigWrapper.topicConfigTable', (r) => { (r.topicConfigWrapper as Record<string, unknown>).topicConfigTable = [1, 2]; }],
    ['topicConfigWrapper.topicConfigTable', (r) => { (r.topicConfigWrapper as Record<string, unknown>).topicConfigTable = new Set(['A']); }],
    ['topicConfigWrapper.dataVersion', (r) => { (r.topicConfigWrapper as Record<string, unknown>).dataVersion = undefined; }],
    ['topicConfigWrapper.dataVersion.counter', (r) => { (r.topicConfigWrapper as Record<string, { counter: unknown }>).dataVersion!.counter = 'x'; }],
    ['topicConfigWrapper.topicConfigTable["A"].perm', (r) => { tableOf(r).A!.perm = 16; }],
    ['topicConfigWrapper.topicConfigTable["A"].readQueueNums', (r) => { tableOf(r).A!.readQueueNums = -1; }],
    ['topicConfigWrapper.topicConfigTable["A"].writeQueueNums', (r) => { tableOf(r).A!.writeQueueNums = 2.5; }],
    ['topicConfigWrapper.topicConfigTable["A"].topicName', (r) => { tableOf(r).A!.topicName = undefined; }],
    ['topicConfigWrapper.topicConfigTable["A"]', (r) => { (tableOf(r) as Record<string, unknown>).A = null; }],
  ];
  function tableOf(r: Record<string, unknown>) {
    return (r.topicConfigWrapper as unknown as { topicConfigTable: Record<string, Record<string, unknown>> }).topicConfigTable as
      Record<string, Record<string, unknown>>;
  }

  it.each(cases)('%s: throws InvalidRequestError naming the field and changes nothing', (field, mutate) => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker({ brokerName: 'keep', brokerAddr: 'k:1' }), ['K']));
    const before = JSON.stringify([registry.getAllClusterInfo(), registry.getAllTopicList(), registry.getRouteInfoByTopic('K')]);
    const req = valid() as unknown as Record<string, unknown>;
    mutate(req);
    let error: unknown;
    try {
      registry.registerBroker(req as unknown as RegisterBrokerRequest);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).code).toBe('ERR_INVALID_REQUEST');
    expect((error as InvalidRequestError).field).toBe(field);
    expect(JSON.stringify([registry.getAllClusterInfo(), registry.getAllTopicList(), registry.getRouteInfoByTopic('K')])).toBe(before);
    expect(registry.liveBrokerCount).toBe(1);
  });

  it('a Map table works like a plain object, and its bad entries are named', () => {
    const registry = new RouteRegistry();
    const table = new Map([['A', topicConfig('A')], ['B', topicConfig('B', 2)]]);
    registry.registerBroker({ ...valid(), topicConfigWrapper: { topicConfigTable: table, dataVersion: { timestamp: 1, counter: 1 } } });
    expect(registry.getRouteInfoByTopic('B')!.queueDatas[0]!.readQueueNums).toBe(2);
    table.set('C', { ...topicConfig('C'), perm: 16 });
    expect(() => registry.registerBroker({ ...valid(), topicConfigWrapper: { topicConfigTable: table, dataVersion: { timestamp: 1, counter: 2 } } }))
      .toThrow(expect.objectContaining({ field: 'topicConfigWrapper.topicConfigTable["C"].perm' }));
    // Counts beyond the fast path's range are still valid.
    table.set('C', { ...topicConfig('C'), readQueueNums: 2 ** 40 });
    registry.registerBroker({ ...valid(), topicConfigWrapper: { topicConfigTable: table, dataVersion: { timestamp: 1, counter: 3 } } });
    expect(registry.getRouteInfoByTopic('C')!.queueDatas[0]!.readQueueNums).toBe(2 ** 40);
  });

  it('a bad table on a new data version is refused even after a good registration', () => {
    const registry = new RouteRegistry();
    registry.registerBroker(valid());
    const req = registration(defaultBroker({ dataVersion: { timestamp: 1000, counter: 9 } }), ['A', 'B']);
    req.topicConfigWrapper.topicConfigTable.B!.perm = 99;
    expect(() => registry.registerBroker(req)).toThrow(InvalidRequestError);
    expect(registry.getRouteInfoByTopic('B')).toBeNull();
    expect(registry.queryBrokerTopicConfig('Default_Cluster', '127.0.0.1:10911')!.counter).toBe(1);
  });

  it('other methods validate too', () => {
    const registry = new RouteRegistry();
    expect(() => registry.registerBroker(null as unknown as RegisterBrokerRequest)).toThrow(InvalidRequestError);
    expect(() => registry.unregisterBroker({ clusterName: 'c', brokerAddr: 'a', brokerName: 'b', brokerId: -2 })).toThrow(InvalidRequestError);
    expect(() => registry.unregisterBrokers([unregistration(defaultBroker()), { brokerId: 0 } as never])).toThrow(/requests\[1\]/);
    expect(() => registry.registerTopic('t', [{ brokerName: 'b', perm: 17 } as never])).toThrow(InvalidRequestError);
    expect(() => registry.registerTopic('t', 'x' as never)).toThrow(InvalidRequestError);
    expect(() => registry.deleteTopic(5 as never)).toThrow(InvalidRequestError);
    expect(() => registry.getRouteInfoByTopic(undefined as never)).toThrow(InvalidRequestError);
    expect(() => registry.wipeWritePermOfBroker({} as never)).toThrow(InvalidRequestError);
  });

  it('options are validated eagerly', () => {
    expect(() => new RouteRegistry({ brokerChannelExpiredMillis: -1 })).toThrow(InvalidOptionError);
    expect(() => new RouteRegistry({ scanIntervalMillis: 0 })).toThrow(InvalidOptionError);
    expect(() => new RouteRegistry({ now: 5 as never })).toThrow(InvalidOptionError);
    expect(() => new RouteRegistry({ supportActingMaster: 'yes' as never })).toThrow(InvalidOptionError);
  });
});
