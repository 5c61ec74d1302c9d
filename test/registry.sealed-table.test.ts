import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouteRegistry, type RegisterBrokerRequest, type RegisterBrokerStatus, type TopicConfig } from '../src/index.js';
import { sealTopicTable } from '../src/core/registration/topic-table.js';
import { PackableTopicTable } from '../src/core/registration/packed-table.js';
import { topicConfig } from './helpers/registry.js';

// A decode pool hands a broker's unchanged table back as the same sealed Map.
// Registered again with a new data version, the registry may skip comparing
// its entries, but only while that is exactly what the comparison would find:
// whatever changed the group's queues since (a deleted topic, a permission
// change) must still be repaired, as RocketMQ's walk over the table does.

const BROKER = { clusterName: 'c1', brokerName: 'broker-a', brokerId: 0, brokerAddr: '10.0.0.1:10911' };

function sealed(names: readonly string[]): Map<string, TopicConfig> {
  return sealTopicTable(new Map(names.map((n) => [n, topicConfig(n)])));
}

function register(registry: RouteRegistry, table: Map<string, TopicConfig>, counter: number, extra: Partial<RegisterBrokerRequest> = {}): RegisterBrokerStatus {
  const status = {} as RegisterBrokerStatus;
  registry.registerBroker({
    ...BROKER, topicConfigWrapper: { topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: 1, counter } }, ...extra,
  }, status);
  return status;
}

const NAMES = Array.from({ length: 50 }, (_, t) => `topic-${t}`);

describe('a sealed topic table registered again with a new data version', () => {
  it('keeps every route as it was', () => {
    const registry = new RouteRegistry();
    const table = sealed(NAMES);
    register(registry, table, 1);
    const before = registry.getRouteInfoByTopic('topic-9');
    expect(register(registry, table, 2).outcome).toBe('updated');
    expect(registry.getRouteInfoByTopic('topic-9')).toBe(before);
    expect(registry.topicCount).toBe(50);
    expect(registry.isBrokerTopicConfigChanged(BROKER.clusterName, BROKER.brokerAddr, { stateVersion: 0, timestamp: 1, counter: 2 })).toBe(false);
  });

  it('brings back a topic deleted on the name server since', () => {
    const registry = new RouteRegistry();
    const table = sealed(NAMES);
    register(registry, table, 1);
    registry.deleteTopic('topic-3');
    expect(registry.getRouteInfoByTopic('topic-3')).toBeNull();
    register(registry, table, 2);
    expect(registry.getRouteInfoByTopic('topic-3')?.queueDatas[0]).toMatchObject({ brokerName: 'broker-a', perm: 6 });
  });

  it('restores write permission wiped since', () => {
    const registry = new RouteRegistry();
    const table = sealed(NAMES);
    register(registry, table, 1);
    expect(registry.wipeWritePermOfBroker('broker-a')).toBe(50);
    expect(registry.getRouteInfoByTopic('topic-0')?.queueDatas[0]?.perm).toBe(4);
    register(registry, table, 2);
    for (const name of NAMES) expect(registry.getRouteInfoByTopic(name)?.queueDatas[0]?.perm).toBe(6);
  });

  it('is compared again when its group was dropped and registered anew', () => {
    const registry = new RouteRegistry();
    const table = sealed(NAMES);
    register(registry, table, 1);
    registry.unregisterBroker(BROKER);
    expect(registry.topicCount).toBe(0);
    register(registry, table, 2);
    expect(registry.topicCount).toBe(50);
  });

  it('applies the table again when another address registered a table of the group since', () => {
    const registry = new RouteRegistry();
    const table = sealed(NAMES);
    register(registry, table, 1);
    // The same group re-registered from a new master address, with other queue figures.
    registry.registerBroker({
      ...BROKER, brokerAddr: '10.0.0.2:10911',
      topicConfigWrapper: { topicConfigTable: new Map([['topic-0', topicConfig('topic-0', 2)]]), dataVersion: { stateVersion: 0, timestamp: 1, counter: 9 } },
    });
    expect(registry.getRouteInfoByTopic('topic-0')?.queueDatas[0]?.readQueueNums).toBe(2);
    register(registry, table, 3);
    expect(registry.getRouteInfoByTopic('topic-0')?.queueDatas[0]?.readQueueNums).toBe(8);
  });
});

describe('an ordinary Map changed in place and registered again', () => {
  it('is compared entry by entry: the change applies', () => {
    const registry = new RouteRegistry();
    const table = new Map(NAMES.map((n) => [n, topicConfig(n)]));
    register(registry, table, 1);
    table.set('topic-new', topicConfig('topic-new'));
    table.set('topic-0', topicConfig('topic-0', 4));
    register(registry, table, 2);
    expect(registry.getRouteInfoByTopic('topic-new')?.queueDatas).toHaveLength(1);
    expect(registry.getRouteInfoByTopic('topic-0')?.queueDatas[0]?.writeQueueNums).toBe(4);
  });
});

describe('sealTopicTable', () => {
  it('makes set, delete and clear throw and leaves reading alone', () => {
    const table = sealed(['a', 'b']);
    expect(() => table.set('c', topicConfig('c'))).toThrow(TypeError);
    expect(() => table.delete('a')).toThrow(TypeError);
    expect(() => table.clear()).toThrow(TypeError);
    expect([...table.keys()]).toStrictEqual(['a', 'b']);
    expect(table.get('b')?.topicName).toBe('b');
  });
});

describe('sealed tables against fresh copies of them, Maps against plain objects (differential fuzz)', () => {
  // Four registries get the same operations: one is handed each table as one
  // sealed instance, again and again; one the same but packable (the decode
  // pool's kind, which the registry packs once applied and which is rebuilt
  // when walked again); one a fresh Map every time; one a fresh plain object
  // every time (what JSON.parse gives). Whatever the container, a
  // registration applies what RocketMQ applies: they must never differ.
  const TOPICS = ['t0', 't1', 't2', 't3', 't4'];
  const ADDRS = ['10.0.0.1:1', '10.0.0.2:1', '10.0.0.3:1'];
  const NAMES = ['broker-a', 'broker-b'];
  const spec = fc.record({ topic: fc.integer({ min: 0, max: TOPICS.length - 1 }), queues: fc.integer({ min: 1, max: 3 }), perm: fc.constantFrom(2, 4, 6, 14) });
  const variant = fc.uniqueArray(spec, { minLength: 1, maxLength: 4, selector: (t) => t.topic });
  type Op =
    | { kind: 'register'; addr: number; name: number; id: number; table: number; counter: number; acting: boolean | null }
    | { kind: 'deleteTopic'; topic: number }
    | { kind: 'wipe' | 'addPerm'; name: number }
    | { kind: 'unregister'; addr: number; name: number; id: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({
      kind: fc.constant('register' as const), addr: fc.integer({ min: 0, max: 2 }), name: fc.integer({ min: 0, max: 1 }),
      id: fc.integer({ min: 0, max: 1 }), table: fc.integer({ min: 0, max: 2 }), counter: fc.integer({ min: 0, max: 3 }),
      acting: fc.constantFrom(null, true, false),
    }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteTopic' as const), topic: fc.integer({ min: 0, max: TOPICS.length - 1 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('wipe' as const, 'addPerm' as const), name: fc.integer({ min: 0, max: 1 }) }) },
    { weight: 1, arbitrary: fc.record({
      kind: fc.constant('unregister' as const), addr: fc.integer({ min: 0, max: 2 }), name: fc.integer({ min: 0, max: 1 }), id: fc.integer({ min: 0, max: 1 }),
    }) },
  );

  function state(registry: RouteRegistry): string {
    return JSON.stringify({ cluster: registry.getAllClusterInfo(), routes: TOPICS.map((t) => registry.getRouteInfoByTopic(t)) });
  }

  it('routes and clusters stay equal whatever happens between re-registrations', () => {
    fc.assert(fc.property(
      fc.array(variant, { minLength: 3, maxLength: 3 }), fc.array(op, { maxLength: 40 }), fc.boolean(), fc.boolean(),
      (variants, ops, supportActingMaster, deleteTopicWithBrokerRegistration) => {
        const options = { supportActingMaster, deleteTopicWithBrokerRegistration };
        const trusting = new RouteRegistry(options);
        const packing = new RouteRegistry(options);
        const walking = new RouteRegistry(options);
        const objects = new RouteRegistry(options);
        const registries = [[trusting, 'sealed'], [packing, 'packable'], [walking, 'map'], [objects, 'object']] as const;
        const entries = variants.map((v) => v.map((t) => [TOPICS[t.topic] as string, topicConfig(TOPICS[t.topic] as string, t.queues, t.perm)] as const));
        const sealedTables = entries.map((e) => sealTopicTable(new Map(e)));
        const packableTables = entries.map((e) => {
          const table = new PackableTopicTable();
          for (const [name, config] of e) table.set(name, { ...config });
          return sealTopicTable(table);
        });
        for (const [step, o] of ops.entries()) {
          for (const [registry, kind] of registries) {
            if (o.kind === 'register') {
              const e = entries[o.table] ?? [];
              const table = kind === 'sealed' ? sealedTables[o.table] as Map<string, TopicConfig>
                : kind === 'packable' ? packableTables[o.table] as Map<string, TopicConfig>
                  : kind === 'map' ? new Map(e) : Object.fromEntries(e);
              registry.registerBroker({
                clusterName: 'c1', brokerName: NAMES[o.name] as string, brokerId: o.id, brokerAddr: ADDRS[o.addr] as string,
                enableActingMaster: o.acting, topicConfigWrapper: { topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: 1, counter: o.counter } },
              });
            } else if (o.kind === 'deleteTopic') {
              registry.deleteTopic(TOPICS[o.topic] as string);
            } else if (o.kind === 'wipe') {
              registry.wipeWritePermOfBroker(NAMES[o.name] as string);
            } else if (o.kind === 'addPerm') {
              registry.addWritePermOfBroker(NAMES[o.name] as string);
            } else if (o.kind === 'unregister') {
              registry.unregisterBroker({ clusterName: 'c1', brokerName: NAMES[o.name] as string, brokerId: o.id, brokerAddr: ADDRS[o.addr] as string });
            }
          }
          const expected = state(objects);
          if (state(trusting) !== expected) throw new Error(`step ${step} (${JSON.stringify(o)}): sealed tables differ from plain objects`);
          if (state(packing) !== expected) throw new Error(`step ${step} (${JSON.stringify(o)}): packable tables differ from plain objects`);
          if (state(walking) !== expected) throw new Error(`step ${step} (${JSON.stringify(o)}): Maps differ from plain objects`);
        }
      },
    ), { numRuns: 400 });
  });
});
