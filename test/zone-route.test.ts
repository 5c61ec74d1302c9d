/**
 * Zone mode: the cases of RocketMQ 5.3.3's `ZoneRouteRPCHook` (which groups
 * survive, their queues and filter servers) and when the hook applies.
 */
import { describe, expect, it } from 'vitest';
import { filterRouteByZone, zoneToFilterBy } from '../src/core/routes/zone-route.js';
import type { BrokerData, QueueData, TopicRouteData } from '../src/core/types.js';

function group(brokerName: string, zoneName: string | undefined, addrs: Record<string, string>): BrokerData {
  return Object.freeze({
    cluster: 'DefaultCluster',
    brokerName,
    brokerAddrs: Object.freeze({ ...addrs }),
    ...(zoneName === undefined ? {} : { zoneName }),
    enableActingMaster: false,
  });
}

function queues(brokerName: string): QueueData {
  return Object.freeze({ brokerName, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 });
}

type StaticRoute = TopicRouteData;

/** Zone a: broker-a; zone b: broker-b; broker-c has lost its master (zone b); broker-d has no zone. */
function route(): StaticRoute {
  const filterServerTable: Record<string, readonly string[]> = {
    '10.0.0.1:10911': ['10.0.0.1:30000'],
    '10.0.1.1:10911': ['10.0.1.1:30000'],
    '10.0.1.2:10911': ['10.0.1.2:30000'],
    '10.0.2.2:10911': ['10.0.2.2:30000'],
  };
  return Object.freeze({
    orderTopicConf: 'broker-a:4',
    queueDatas: Object.freeze(['broker-a', 'broker-b', 'broker-c', 'broker-d'].map(queues)),
    brokerDatas: Object.freeze([
      group('broker-a', 'zone-a', { 0: '10.0.0.1:10911', 1: '10.0.0.2:10911' }),
      group('broker-b', 'zone-b', { 0: '10.0.1.1:10911', 1: '10.0.1.2:10911' }),
      group('broker-c', 'zone-b', { 1: '10.0.2.2:10911' }),
      group('broker-d', undefined, { 0: '10.0.3.1:10911' }),
    ]),
    filterServerTable: Object.freeze(filterServerTable),
    topicQueueMappingByBroker: Object.freeze({
      'broker-b': { topic: 'T', scope: '__global__', totalQueues: 8, bname: 'broker-b', epoch: 0, dirty: false, currIdMap: {} },
    }),
  });
}

const names = (r: TopicRouteData): string[] => r.brokerDatas.map((b) => b.brokerName);

describe('filterRouteByZone', () => {
  it("keeps the client's zone and every master-less group, whatever its zone", () => {
    const filtered = filterRouteByZone(route(), 'zone-a');
    expect(names(filtered)).toEqual(['broker-a', 'broker-c']);
    expect(filtered.queueDatas.map((q) => q.brokerName)).toEqual(['broker-a', 'broker-c']);
  });

  it('drops the filter servers of every address of a removed group, slaves included', () => {
    const filtered = filterRouteByZone(route(), 'zone-a');
    expect(Object.keys(filtered.filterServerTable).sort()).toEqual(['10.0.0.1:10911', '10.0.2.2:10911']);
  });

  it('compares zone names ignoring case, and drops a group without a zone', () => {
    expect(names(filterRouteByZone(route(), 'ZONE-B'))).toEqual(['broker-b', 'broker-c']);
    expect(names(filterRouteByZone(route(), 'zone-x'))).toEqual(['broker-c']);
  });

  it('keeps what Java does not filter: orderTopicConf, topicQueueMappingByBroker, queues of unlisted groups', () => {
    const input: StaticRoute = { ...route(), queueDatas: [...route().queueDatas, queues('broker-gone')] };
    const filtered = filterRouteByZone(input, 'zone-a');
    expect(filtered.orderTopicConf).toBe('broker-a:4');
    expect(filtered.topicQueueMappingByBroker).toBe(input.topicQueueMappingByBroker);
    expect(filtered.queueDatas.map((q) => q.brokerName)).toEqual(['broker-a', 'broker-c', 'broker-gone']);
  });

  it('never modifies the shared route, and returns a frozen one', () => {
    const input = route();
    const before = JSON.stringify(input);
    const filtered = filterRouteByZone(input, 'zone-a');
    expect(JSON.stringify(input)).toBe(before);
    expect(Object.isFrozen(filtered)).toBe(true);
    expect(Object.isFrozen(filtered.brokerDatas)).toBe(true);
    expect(Object.isFrozen(filtered.filterServerTable)).toBe(true);
  });

  it('returns the route itself when every group stays', () => {
    const input = route();
    const sameZone = { ...input, brokerDatas: input.brokerDatas.filter((b) => b.brokerName !== 'broker-b' && b.brokerName !== 'broker-d') };
    expect(filterRouteByZone(sameZone, 'zone-a')).toBe(sameZone);
  });

  it('keeps a filter server table keyed __proto__ as an own entry', () => {
    const table: Record<string, readonly string[]> = { ...route().filterServerTable };
    Object.defineProperty(table, '__proto__', { value: ['x'], enumerable: true });
    const input: TopicRouteData = { ...route(), filterServerTable: table };
    const filtered = filterRouteByZone(input, 'zone-a');
    expect(Object.hasOwn(filtered.filterServerTable, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(filtered.filterServerTable)).toBe(Object.prototype);
  });
});

describe('zoneToFilterBy: whether a request is filtered', () => {
  it('reads __ZONE_MODE with Boolean.parseBoolean and requires a non-blank __ZONE_NAME', () => {
    expect(zoneToFilterBy({ topic: 't', __ZONE_MODE: 'true', __ZONE_NAME: 'zone-a' })).toBe('zone-a');
    expect(zoneToFilterBy({ __ZONE_MODE: 'TRUE', __ZONE_NAME: ' zone-a' })).toBe(' zone-a');
    expect(zoneToFilterBy(new Map([['__ZONE_MODE', 'True'], ['__ZONE_NAME', 'z']]))).not.toBeNull();
    for (const mode of ['false', 'yes', '1', ' true', '']) {
      expect(zoneToFilterBy({ __ZONE_MODE: mode, __ZONE_NAME: 'zone-a' })).toBeNull();
    }
    expect(zoneToFilterBy({ __ZONE_NAME: 'zone-a' })).toBeNull();
    expect(zoneToFilterBy({ __ZONE_MODE: 'true' })).toBeNull();
    expect(zoneToFilterBy({ __ZONE_MODE: 'true', __ZONE_NAME: ' \t' })).toBeNull();
    expect(zoneToFilterBy(undefined)).toBeNull();
  });

  it('does not read inherited keys', () => {
    const fields = Object.create({ __ZONE_MODE: 'true', __ZONE_NAME: 'zone-a' }) as Record<string, string>;
    expect(zoneToFilterBy(fields)).toBeNull();
  });
});
