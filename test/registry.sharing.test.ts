/**
 * Routes of topics with equal content share their frozen lists (and route),
 * which keeps per-topic memory small; a change must still give fresh
 * snapshots, leave old ones as they were, and never leak one topic's parts
 * into another's route.
 */
import { describe, expect, it } from 'vitest';
import { KvConfigStore, RouteRegistry, type TopicRouteData } from '../src/index.js';
import { defaultBroker, registration, slaveBroker, unregistration } from './helpers/registry.js';

const brokerA = defaultBroker({ brokerName: 'broker-a', brokerAddr: '10.0.0.1:10911' });
const brokerB = defaultBroker({ brokerName: 'broker-b', brokerAddr: '10.0.1.1:10911' });
const slaveA = slaveBroker({ brokerName: 'broker-a', brokerAddr: '10.0.0.2:10911' });

function routeOf(registry: RouteRegistry, topic: string): TopicRouteData {
  const route = registry.getRouteInfoByTopic(topic);
  expect(route).not.toBeNull();
  return route as TopicRouteData;
}

describe('routes of topics on the same groups', () => {
  it('share their brokerDatas; a group change gives a fresh one and leaves old routes as they were', () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(brokerA, ['A', 'B']));
    registry.registerBroker(registration(brokerB, ['A', 'B']));
    const a = routeOf(registry, 'A');
    const b = routeOf(registry, 'B');
    expect(a.brokerDatas.map((bd) => bd.brokerName)).toEqual(['broker-a', 'broker-b']);
    expect(b.brokerDatas).toBe(a.brokerDatas);
    expect(b.queueDatas).toBe(a.queueDatas);
    // The same groups with other queue figures: equal brokers, its own queues.
    const base = routeOf(registry, 'baseTopic');
    expect(base.brokerDatas).toEqual(a.brokerDatas);
    expect(base.queueDatas.map((qd) => qd.readQueueNums)).toEqual([16, 16]);
    expect(a.queueDatas.map((qd) => qd.readQueueNums)).toEqual([8, 8]);
    const aBefore = structuredClone(a);

    const events: string[] = [];
    registry.on('topicRouteChanged', (e) => events.push(e.topic));
    registry.registerBroker(registration(slaveA, ['A', 'B']));
    expect(events.sort()).toEqual(['A', 'B', 'baseTopic']);

    const a2 = routeOf(registry, 'A');
    const b2 = routeOf(registry, 'B');
    expect(a2.brokerDatas).not.toBe(a.brokerDatas);
    expect(a2.brokerDatas[0]!.brokerAddrs).toEqual({ 0: brokerA.brokerAddr, 1: slaveA.brokerAddr });
    expect(b2.brokerDatas).toBe(a2.brokerDatas);
    expect(b2.brokerDatas[1]).toBe(a.brokerDatas[1]); // broker-b did not change: its snapshot stays
    // The old snapshots are untouched.
    expect(a).toEqual(aBefore);
    expect(b.brokerDatas[0]!.brokerAddrs).toEqual({ 0: brokerA.brokerAddr });
    expect(Object.isFrozen(a2.brokerDatas)).toBe(true);
  });

  it('a group that goes away is gone from every shared route', () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(brokerA, ['A', 'B']));
    registry.registerBroker(registration(brokerB, ['A', 'B']));
    const before = routeOf(registry, 'A');
    registry.unregisterBroker(unregistration(brokerB));
    for (const topic of ['A', 'B']) {
      const route = routeOf(registry, topic);
      expect(route.brokerDatas.map((bd) => bd.brokerName)).toEqual(['broker-a']);
      expect(route.queueDatas.map((qd) => qd.brokerName)).toEqual(['broker-a']);
    }
    expect(before.brokerDatas.map((bd) => bd.brokerName)).toEqual(['broker-a', 'broker-b']);
  });

  it('a topic\'s orderTopicConf stays its own', () => {
    const kvConfig = new KvConfigStore();
    const registry = new RouteRegistry({ orderMessageEnable: true, kvConfig });
    registry.registerBroker(registration(brokerA, ['A', 'B']));
    expect(routeOf(registry, 'B').orderTopicConf).toBeUndefined();
    kvConfig.put('ORDER_TOPIC_CONFIG', 'A', 'broker-a:8');
    const a = routeOf(registry, 'A');
    const b = routeOf(registry, 'B');
    expect(a.orderTopicConf).toBe('broker-a:8');
    expect(b.orderTopicConf).toBeUndefined();
    expect(b.brokerDatas).toBe(a.brokerDatas);
  });

  it.each([['the sync topic first', true], ['the acting-master topic first', false]])(
    'an acting master shows only where it applies (%s)',
    (_, syncFirst) => {
      const registry = new RouteRegistry({ supportActingMaster: true });
      const sync = `rmq_sys_SYNC_BROKER_MEMBER_${brokerA.brokerName}`;
      registry.registerBroker(registration(brokerA, [sync, 'T']));
      registry.registerBroker(registration(slaveA, [sync, 'T']));
      registry.unregisterBroker(unregistration(brokerA));
      const order = syncFirst ? [sync, 'T'] : ['T', sync];
      const routes = new Map(order.map((topic) => [topic, routeOf(registry, topic)]));
      // RocketMQ leaves the sync topics with the real ids; other topics show the slave as acting master.
      expect(routes.get(sync)!.brokerDatas[0]!.brokerAddrs).toEqual({ 1: slaveA.brokerAddr });
      expect(routes.get('T')!.brokerDatas[0]!.brokerAddrs).toEqual({ 0: slaveA.brokerAddr });
      expect(routes.get('T')!.queueDatas).toBe(routes.get(sync)!.queueDatas);
    },
  );
});
