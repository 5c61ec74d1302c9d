/**
 * Property tests of the registry: random sequences of registrations,
 * unregistrations, topic edits, permission changes, clock moves, scans,
 * channel losses and KV changes keep every invariant users rely on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError, RouteRegistry } from '../src/index.js';
import { HOSTILE_NAMES, opArb, runOps, type RunOptions } from './helpers/fuzz-registry.js';

const optionsArb = (realistic: boolean): fc.Arbitrary<RunOptions> => fc.record({
  realistic: fc.constant(realistic),
  supportActingMaster: fc.boolean(),
  deleteTopicWithBrokerRegistration: fc.boolean(),
  orderMessageEnable: fc.boolean(),
});

describe('registry under random operations', () => {
  it('keeps its invariants when addresses keep their broker name (as real brokers do)', () => {
    fc.assert(
      fc.property(optionsArb(true), fc.array(opArb(true), { maxLength: 60, size: 'max' }), (options, ops) => runOps(ops, options)),
      { numRuns: 300 },
    );
  });

  it('keeps its invariants whatever names, ids and clusters requests mix', () => {
    fc.assert(
      fc.property(optionsArb(false), fc.array(opArb(false), { maxLength: 60, size: 'max' }), (options, ops) => runOps(ops, options)),
      { numRuns: 300 },
    );
  });

  it('a long run of heartbeats, expiries and re-registrations stays consistent', () => {
    fc.assert(
      fc.property(optionsArb(true), fc.array(opArb(true), { minLength: 150, maxLength: 250, size: 'max' }), (options, ops) => runOps(ops, options)),
      { numRuns: 20 },
    );
  });
});

describe('registry: cases the fuzzer found', () => {
  const table = (perm: number) => ({
    topicConfigTable: {
      T1: { topicName: 'T1', readQueueNums: 4, writeQueueNums: 4, perm },
      T2: { topicName: 'T2', readQueueNums: 4, writeQueueNums: 4, perm },
    },
    dataVersion: { timestamp: 1, counter: 1 },
  });

  it('unregistering a group under another cluster name leaves no cluster listing a group that is gone', () => {
    const registry = new RouteRegistry();
    registry.registerBroker({ clusterName: 'c1', brokerName: 'b', brokerAddr: 'A', brokerId: 0, topicConfigWrapper: table(6) });
    registry.unregisterBroker({ clusterName: 'c2', brokerName: 'b', brokerAddr: 'A', brokerId: 0 });
    const info = registry.getAllClusterInfo();
    expect(info.brokerAddrTable).toEqual({});
    expect(info.clusterAddrTable).toEqual({});
  });

  it('a group registered under two cluster names leaves neither listing it once it is gone', () => {
    const registry = new RouteRegistry();
    registry.registerBroker({ clusterName: 'c1', brokerName: 'b', brokerAddr: 'A', brokerId: 0, topicConfigWrapper: table(6) });
    registry.registerBroker({ clusterName: 'c2', brokerName: 'b', brokerAddr: 'B', brokerId: 1, topicConfigWrapper: table(6) });
    registry.unregisterBrokers([
      { clusterName: 'c1', brokerName: 'b', brokerAddr: 'A', brokerId: 0 },
      { clusterName: 'c2', brokerName: 'b', brokerAddr: 'B', brokerId: 1 },
    ]);
    expect(registry.getAllClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
  });

  it('no topicRouteChanged when an acting master becomes the master and the route stays the same', () => {
    const registry = new RouteRegistry({ supportActingMaster: true });
    const slave = { clusterName: 'c', brokerName: 'b', brokerAddr: 'A', enableActingMaster: true, topicConfigWrapper: table(4) };
    registry.registerBroker({ ...slave, brokerId: 1 });
    // Watchers look their routes up; a route nobody looked at since its last change may still get an event.
    const before = registry.getRouteInfoByTopic('T1');
    registry.getRouteInfoByTopic('T2');
    expect(before?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: 'A' });
    const changed: string[] = [];
    registry.on('topicRouteChanged', ({ topic }) => changed.push(topic));
    registry.registerBroker({ ...slave, brokerId: 0 });
    expect(registry.getRouteInfoByTopic('T1')).toEqual(before);
    expect(registry.getBrokerMemberGroup('c', 'b').brokerAddrs).toEqual({ 0: 'A' });
    expect(changed).toEqual([]);
    // A real change still fires.
    registry.wipeWritePermOfBroker('b');
    registry.addWritePermOfBroker('b');
    expect(changed).toEqual(['T1', 'T2']);
  });
});

describe('registry input validation', () => {
  it('any JSON value as a request is either accepted or refused with InvalidRequestError, never another error', () => {
    const registry = new RouteRegistry();
    const anything = fc.jsonValue({ maxDepth: 4 });
    const requestish = fc.record({
      clusterName: fc.oneof(fc.string(), anything), brokerAddr: fc.oneof(fc.string(), anything),
      brokerName: fc.oneof(fc.constantFrom(...HOSTILE_NAMES), fc.string(), anything), brokerId: fc.oneof(fc.nat(3), anything),
      topicConfigWrapper: fc.oneof(anything, fc.record({
        topicConfigTable: fc.dictionary(fc.oneof(fc.constantFrom(...HOSTILE_NAMES), fc.string()), anything, { maxKeys: 4 }),
        dataVersion: fc.oneof(anything, fc.record({ timestamp: fc.integer(), counter: fc.integer() })),
      })),
      filterServerList: anything,
      heartbeatTimeoutMillis: anything,
      enableActingMaster: anything,
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(anything, requestish), (req) => {
      for (const call of [
        () => registry.registerBroker(req as never),
        () => registry.unregisterBroker(req as never),
        () => registry.unregisterBrokers([req] as never),
        () => registry.registerTopic((req as { brokerName?: unknown } | null)?.brokerName as string, [req] as never),
        () => registry.deleteTopic((req as { clusterName?: unknown } | null)?.clusterName as string),
      ]) {
        try {
          call();
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidRequestError);
        }
      }
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }), { numRuns: 500 });
  });

  it('JSON with __proto__ keys, as a peer sends it, never reaches a prototype', () => {
    const registry = new RouteRegistry();
    const body = JSON.parse(`{
      "clusterName": "__proto__", "brokerAddr": "constructor", "brokerName": "__proto__", "brokerId": 0,
      "__proto__": { "polluted": "request" },
      "topicConfigWrapper": {
        "__proto__": { "polluted": "wrapper" },
        "dataVersion": { "timestamp": 1, "counter": 1, "__proto__": { "polluted": "version" } },
        "topicConfigTable": {
          "__proto__": { "topicName": "__proto__", "perm": 6, "__proto__": { "polluted": "config" } },
          "constructor": { "topicName": "constructor", "perm": 6 }
        }
      }
    }`) as never;
    expect(registry.registerBroker(body)).toEqual({ haServerAddr: null, masterAddr: null });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(registry.getRouteInfoByTopic('__proto__')?.brokerDatas[0]).toMatchObject({ cluster: '__proto__', brokerName: '__proto__' });
    expect(registry.getRouteInfoByTopic('constructor')?.queueDatas).toHaveLength(1);
    const info = registry.getAllClusterInfo();
    expect(Object.keys(info.brokerAddrTable)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(info.brokerAddrTable)).toBe(Object.prototype);
    expect(Object.keys(info.clusterAddrTable)).toEqual(['__proto__']);
    expect(registry.getAllTopicList().sort()).toEqual(['__proto__', 'constructor']);
    // A name that is an Object.prototype member is not mistaken for an existing entry.
    expect(registry.getRouteInfoByTopic('toString')).toBeNull();
    expect(registry.getRouteInfoByTopic('hasOwnProperty')).toBeNull();
    expect(registry.getTopicsByCluster('toString')).toEqual([]);
    expect(registry.getBrokerMemberGroup('valueOf', 'valueOf').brokerAddrs).toEqual({});
  });
});
