/**
 * The registry side of Java 5.3 parity: runtime options (`updateOptions`),
 * `isServiceReady`, RocketMQ's `notifyMinBrokerIdChanged` rules (the
 * `minBrokerIdChanged` event) and static topic mappings in routes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidOptionError, InvalidRequestError, RouteRegistry, type MinBrokerIdChangedEvent, type TopicQueueMappingInfo,
} from '../src/index.js';
import { FakeClock, defaultBroker, registration, slaveBroker, unregistration, type BrokerInfo } from './helpers/registry.js';

afterEach(() => {
  vi.useRealTimers();
});

function watch(registry: RouteRegistry): MinBrokerIdChangedEvent[] {
  const events: MinBrokerIdChangedEvent[] = [];
  registry.on('minBrokerIdChanged', (e) => events.push(e));
  return events;
}

describe('updateOptions', () => {
  it('changes runtime options all or nothing, and registry.options reflects them', () => {
    const registry = new RouteRegistry();
    const before = registry.options;
    expect(() => registry.updateOptions({ enableTopicList: false, waitSecondsForService: -1 })).toThrow(InvalidOptionError);
    expect(() => registry.updateOptions({ enableTopicList: false, bogus: true } as never)).toThrow(/bogus is not an option/);
    expect(() => registry.updateOptions({ enableTopicList: false, now: () => 0 } as never)).toThrow(/cannot be changed/);
    expect(() => registry.updateOptions({ enableTopicList: 'no' } as never)).toThrow(/enableTopicList must be a boolean/);
    expect(registry.options).toBe(before);
    registry.updateOptions({ enableTopicList: false, notifyMinBrokerIdChanged: true, waitSecondsForService: 3 });
    expect(registry.options).toMatchObject({ enableTopicList: false, notifyMinBrokerIdChanged: true, waitSecondsForService: 3 });
    expect(Object.isFrozen(registry.options)).toBe(true);
  });

  it('has the documented defaults', () => {
    expect(new RouteRegistry().options).toMatchObject({
      enableAllTopicList: true, enableTopicList: true, needWaitForService: false, waitSecondsForService: 45,
      returnOrderTopicConfigToBroker: true, notifyMinBrokerIdChanged: false,
    });
  });

  it('supportActingMaster changes routes at once, with topicRouteChanged', () => {
    const registry = new RouteRegistry();
    const master = defaultBroker();
    const slave = slaveBroker();
    registry.registerBroker(registration(master, ['T']));
    registry.registerBroker(registration(slave, ['T']));
    registry.unregisterBroker(unregistration(master));
    expect(registry.getRouteInfoByTopic('T')?.brokerDatas[0]?.brokerAddrs).toEqual({ 1: slave.brokerAddr });
    const changed: string[] = [];
    registry.on('topicRouteChanged', (e) => changed.push(e.topic));
    registry.updateOptions({ supportActingMaster: true });
    expect(registry.getRouteInfoByTopic('T')?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: slave.brokerAddr });
    expect(changed.sort()).toEqual(['T', 'baseTopic']);
  });

  it('a new scanIntervalMillis reschedules the running scan', () => {
    vi.useFakeTimers();
    const registry = new RouteRegistry({ scanIntervalMillis: 10_000 });
    const scan = vi.spyOn(registry, 'scanNotActiveBroker');
    registry.start();
    registry.updateOptions({ scanIntervalMillis: 1_000 });
    vi.advanceTimersByTime(3_000);
    expect(scan).toHaveBeenCalledTimes(3);
    registry.close();
  });
});

describe('isServiceReady', () => {
  it('is false for waitSecondsForService after construction while needWaitForService is on', () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now, needWaitForService: true, waitSecondsForService: 2 });
    expect(registry.isServiceReady()).toBe(false);
    clock.advance(1_999);
    expect(registry.isServiceReady()).toBe(false);
    clock.advance(1);
    expect(registry.isServiceReady()).toBe(true);
    expect(new RouteRegistry({ now: clock.now }).isServiceReady()).toBe(true);
  });
});

describe('minBrokerIdChanged (RocketMQ notifyMinBrokerIdChanged)', () => {
  const b = (id: number, port: number, over: Partial<BrokerInfo> = {}) =>
    defaultBroker({ brokerId: id, brokerAddr: `127.0.0.1:${port}`, haServerAddr: `127.0.0.1:${port + 1}`, ...over });

  it('registration: a lower id than the group had notifies the others; a first or higher registration does not', () => {
    const registry = new RouteRegistry({ notifyMinBrokerIdChanged: true });
    const events = watch(registry);
    registry.registerBroker(registration(b(2, 10920, { enableActingMaster: false }), ['T']));
    expect(events).toEqual([]);
    registry.registerBroker(registration(b(1, 10910, { enableActingMaster: false }), ['T']));
    registry.registerBroker(registration(b(3, 10930, { enableActingMaster: false }), ['T']));
    expect(events).toEqual([{
      brokerName: 'Default_Broker', minBrokerId: 1, minBrokerAddr: '127.0.0.1:10910', offlineBrokerAddr: null,
      haBrokerAddr: '127.0.0.1:10911', targets: ['127.0.0.1:10920'],
    }]);
  });

  it('registration: a slave becoming master at the same address notifies itself (the only address left)', () => {
    const registry = new RouteRegistry({ notifyMinBrokerIdChanged: true });
    const events = watch(registry);
    registry.registerBroker(registration(b(1, 10910), ['T']));
    registry.registerBroker(registration(b(0, 10910), ['T']));
    expect(events.map((e) => [e.minBrokerId, e.targets])).toEqual([[0, ['127.0.0.1:10910']]]);
  });

  it('unregistration: the lowest id leaving notifies everyone left, only for acting-master groups', () => {
    for (const enableActingMaster of [true, false]) {
      const registry = new RouteRegistry({ notifyMinBrokerIdChanged: true });
      const events = watch(registry);
      for (const [id, port] of [[0, 10900], [1, 10910], [2, 10920]] as const) {
        registry.registerBroker(registration(b(id, port, { enableActingMaster }), ['T']));
      }
      registry.unregisterBroker(unregistration(b(2, 10920)));
      registry.unregisterBroker(unregistration(b(0, 10900)));
      expect(events).toEqual(enableActingMaster ? [{
        brokerName: 'Default_Broker', minBrokerId: 1, minBrokerAddr: '127.0.0.1:10910', offlineBrokerAddr: '127.0.0.1:10900',
        haBrokerAddr: null, targets: ['127.0.0.1:10910'],
      }] : []);
      registry.unregisterBroker(unregistration(b(1, 10910)));
      expect(events).toHaveLength(enableActingMaster ? 1 : 0);
    }
  });

  it('expiry goes through the same batch: one notice per group, with the last address that left as lowest', () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now, notifyMinBrokerIdChanged: true });
    const events = watch(registry);
    registry.registerBroker(registration(b(0, 10900), ['T']));
    registry.registerBroker(registration(b(1, 10910), ['T']));
    clock.advance(60_000);
    registry.registerBroker(registration(b(2, 10920), ['T']));
    clock.advance(61_000);
    expect(registry.scanNotActiveBroker()).toBe(2);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ minBrokerId: 2, minBrokerAddr: '127.0.0.1:10920', targets: ['127.0.0.1:10920'] });
    expect(['127.0.0.1:10900', '127.0.0.1:10910']).toContain(events[0]?.offlineBrokerAddr);
  });

  it('is never emitted while the option is off', () => {
    const registry = new RouteRegistry();
    const events = watch(registry);
    registry.registerBroker(registration(b(1, 10910), ['T']));
    registry.registerBroker(registration(b(0, 10900), ['T']));
    registry.unregisterBroker(unregistration(b(0, 10900)));
    expect(events).toEqual([]);
  });
});

describe('static topic mappings', () => {
  const mapping = (bname: string, epoch = 1): TopicQueueMappingInfo =>
    ({ topic: 'S', scope: '__global__', totalQueues: 2, bname, epoch, dirty: false, currIdMap: { 0: 0, 1: 1 } });
  const withMappings = (info: BrokerInfo, mappings: Record<string, TopicQueueMappingInfo>) => {
    const reg = registration(info, ['S', 'U']);
    return { ...reg, topicConfigWrapper: { ...reg.topicConfigWrapper, topicQueueMappingInfoMap: mappings } };
  };

  it('are stored on a first registration or a new data version, and shown in frozen routes', () => {
    const registry = new RouteRegistry();
    const master = defaultBroker();
    const changed: string[] = [];
    registry.on('topicRouteChanged', (e) => changed.push(e.topic));
    registry.registerBroker(withMappings(master, { S: mapping('Default_Broker', 1) }));
    const route = registry.getRouteInfoByTopic('S');
    expect(route?.topicQueueMappingByBroker).toEqual({ Default_Broker: mapping('Default_Broker', 1) });
    expect(Object.isFrozen(route?.topicQueueMappingByBroker?.['Default_Broker'])).toBe(true);
    expect(registry.getRouteInfoByTopic('U')?.topicQueueMappingByBroker).toBeUndefined();
    // Same data version: ignored, as RocketMQ.
    changed.length = 0;
    registry.registerBroker(withMappings(master, { S: mapping('Default_Broker', 2) }));
    expect(registry.getRouteInfoByTopic('S')?.topicQueueMappingByBroker?.['Default_Broker']?.epoch).toBe(1);
    expect(changed).toEqual([]);
    // New data version: stored, and the route change is announced.
    registry.registerBroker(withMappings({ ...master, dataVersion: { ...master.dataVersion, counter: 2 } }, { S: mapping('Default_Broker', 2) }));
    expect(registry.getRouteInfoByTopic('S')?.topicQueueMappingByBroker?.['Default_Broker']?.epoch).toBe(2);
    expect(changed).toEqual(['S']);
  });

  it("a slave's mappings are not stored; invalid mappings are refused with nothing changed", () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['S', 'U']));
    registry.registerBroker(withMappings(slaveBroker(), { S: mapping('Default_Broker') }));
    expect(registry.getRouteInfoByTopic('S')?.topicQueueMappingByBroker).toBeUndefined();
    const bad = withMappings(defaultBroker({ brokerName: 'other', brokerAddr: '127.0.0.1:1' }), {
      S: { ...mapping('other'), currIdMap: { x: 1 } as never },
    });
    expect(() => registry.registerBroker(bad)).toThrow(InvalidRequestError);
    expect(registry.getAllClusterInfo().brokerAddrTable['other']).toBeUndefined();
  });

  it('keep deleteTopicWithBrokerRegistration from deleting topics (RocketMQ: static topics unsupported there)', () => {
    const registry = new RouteRegistry({ deleteTopicWithBrokerRegistration: true });
    const master = defaultBroker();
    registry.registerBroker(registration(master, ['S', 'U']));
    const next = { ...master, dataVersion: { ...master.dataVersion, counter: 2 } };
    const reg = withMappings(next, { S: mapping('Default_Broker') });
    delete (reg.topicConfigWrapper.topicConfigTable as Record<string, unknown>)['U'];
    registry.registerBroker(reg);
    expect(registry.getRouteInfoByTopic('U')).not.toBeNull();
  });

  it('go with their broker group', () => {
    const registry = new RouteRegistry();
    const a = defaultBroker();
    const other = defaultBroker({ brokerName: 'B2', brokerAddr: '127.0.0.1:2' });
    registry.registerBroker(withMappings(a, { S: mapping('Default_Broker') }));
    registry.registerBroker(withMappings(other, { S: mapping('B2') }));
    expect(Object.keys(registry.getRouteInfoByTopic('S')?.topicQueueMappingByBroker ?? {})).toEqual(['B2', 'Default_Broker']);
    registry.unregisterBroker(unregistration(other));
    expect(Object.keys(registry.getRouteInfoByTopic('S')?.topicQueueMappingByBroker ?? {})).toEqual(['Default_Broker']);
  });
});
