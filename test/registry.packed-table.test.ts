import { describe, expect, it } from 'vitest';
import { RouteRegistry, type RegisterBrokerStatus, type TopicConfig } from '../src/index.js';
import { isSealedTopicTable, sealTopicTable } from '../src/core/registration/topic-table.js';
import { PackableTopicTable } from '../src/core/registration/packed-table.js';
import { DecodePool } from '../src/remoting/decode/decode-pool.js';
import { encodeRegisterBrokerBody } from '../src/remoting/codec/register-body.js';
import { MQVersion } from '../src/remoting/codes.js';

// The registry keeps the decode pool's last table of each broker only to
// know it again by identity; it packs it once applied (R5: 0.18 MiB per
// broker of 1 008 topics otherwise). A packed table must read back exactly
// as decoded, and registering it again must do what it did unpacked.

const BROKER = { clusterName: 'c1', brokerName: 'broker-a', brokerId: 0, brokerAddr: '10.0.0.1:10911' };

/** What the decoders give: fastjson's field order, the compressed decoder's, with and without attributes. */
function fastjson(name: string, perm = 6, queues = 8): TopicConfig {
  return {
    attributes: {}, order: false, perm, readQueueNums: queues, topicFilterType: 'SINGLE_TAG', topicName: name, topicSysFlag: 0, writeQueueNums: queues,
  } as TopicConfig;
}

function compressed(name: string, attributes: boolean): TopicConfig {
  const config: Record<string, unknown> = {
    topicName: name, readQueueNums: 16, writeQueueNums: 16, perm: 7, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false,
  };
  if (attributes) config.attributes = {};
  return config as unknown as TopicConfig;
}

function packable(entries: ReadonlyArray<readonly [string, TopicConfig]>): PackableTopicTable {
  const table = new PackableTopicTable();
  for (const [name, config] of entries) table.set(name, config);
  return sealTopicTable(table);
}

/** A deep copy that keeps key order and `-0` (structuredClone does). */
const copy = (entries: ReadonlyArray<readonly [string, TopicConfig]>): Array<[string, TopicConfig]> => structuredClone(entries.map(([k, v]) => [k, v]));

describe('PackableTopicTable', () => {
  it('reads back, once packed, exactly the entries it held: order, key order, values', () => {
    const entries: Array<[string, TopicConfig]> = [];
    for (let t = 0; t < 200; t++) entries.push([`topic-${t}`, fastjson(`topic-${t}`)]);
    entries.push(['TBW102', fastjson('TBW102', 7)], ['SCHEDULE_TOPIC_XXXX', fastjson('SCHEDULE_TOPIC_XXXX', 6, 18)]);
    entries.push(['c-0', compressed('c-0', false)], ['c-1', compressed('c-1', true)]);
    // Entries no template keeps: kept as they are.
    entries.push(['odd-attrs', { ...fastjson('odd-attrs'), attributes: { '+delete.policy': 'COMPACTION' } } as TopicConfig]);
    entries.push(['other-name', fastjson('not-the-key')]);
    entries.push(['minus-zero', { ...fastjson('minus-zero'), topicSysFlag: -0 }]);
    const proto: Record<string, unknown> = { topicName: '__proto__' };
    Object.defineProperty(proto, '__proto__', { value: 1, enumerable: true, writable: true, configurable: true });
    entries.push(['__proto__', proto as unknown as TopicConfig]);
    const expected = copy(entries);
    const table = packable(entries);
    table.pack();
    expect(table.packed).toBe(true);
    expect(table.size).toBe(expected.length);
    const back = [...table];
    expect(back).toStrictEqual(expected);
    for (let k = 0; k < back.length; k++) expect(Object.keys(back[k]![1])).toStrictEqual(Object.keys(expected[k]![1]));
    expect(Object.is(table.get('minus-zero')?.topicSysFlag, -0)).toBe(true);
    expect(table.packed).toBe(false);
    // Rebuilt entries are fresh objects: an attributes object is not shared between them.
    expect(table.get('topic-0')?.attributes).not.toBe(table.get('topic-1')?.attributes);
  });

  it('answers size, and stays packed, without rebuilding', () => {
    const table = packable([['a', fastjson('a')], ['b', fastjson('b')]]);
    table.pack();
    expect(table.size).toBe(2);
    expect(table.packed).toBe(true);
    expect(table.has('b')).toBe(true);
    expect(table.packed).toBe(false);
  });

  it('stays sealed through packing and reading', () => {
    const table = packable([['a', fastjson('a')], ['b', fastjson('b')]]);
    table.pack();
    expect(isSealedTopicTable(table)).toBe(true);
    expect(() => table.set('c', fastjson('c'))).toThrow(TypeError);
    expect(() => table.clear()).toThrow(TypeError);
    expect([...table.keys()]).toStrictEqual(['a', 'b']);
    expect(() => table.delete('a')).toThrow(TypeError);
  });

  it('leaves an unsealed table, or one mostly of odd entries, as it is', () => {
    const open = new PackableTopicTable([['a', fastjson('a')]]);
    open.pack();
    expect(open.packed).toBe(false);
    const odd = packable(Array.from({ length: 10 }, (_, t) => [`t${t}`, { ...fastjson(`t${t}`), attributes: { k: String(t) } } as TopicConfig]));
    odd.pack();
    expect(odd.packed).toBe(false);
    expect(odd.get('t3')?.attributes).toStrictEqual({ k: '3' });
  });
});

function register(registry: RouteRegistry, table: Map<string, TopicConfig>, counter: number): RegisterBrokerStatus {
  const status = {} as RegisterBrokerStatus;
  registry.registerBroker({ ...BROKER, topicConfigWrapper: { topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: 1, counter } } }, status);
  return status;
}

describe('the registry and a packable table', () => {
  const NAMES = Array.from({ length: 50 }, (_, t) => `topic-${t}`);

  it('packs it once applied, and a heartbeat of it leaves it packed', () => {
    const registry = new RouteRegistry();
    const table = packable(NAMES.map((n) => [n, fastjson(n)]));
    expect(register(registry, table, 1).outcome).toBe('registered');
    expect(table.packed).toBe(true);
    expect(register(registry, table, 1).outcome).toBe('heartbeat');
    expect(register(registry, table, 2).outcome).toBe('updated');
    expect(table.packed).toBe(true);
    expect(registry.getRouteInfoByTopic('topic-7')?.queueDatas[0]).toMatchObject({ brokerName: 'broker-a', readQueueNums: 8, perm: 6 });
  });

  it('walks it again, rebuilt, when the group changed since, and packs it again', () => {
    const registry = new RouteRegistry();
    const table = packable(NAMES.map((n) => [n, fastjson(n, n === 'topic-3' ? 4 : 6)]));
    register(registry, table, 1);
    registry.deleteTopic('topic-3');
    expect(registry.getRouteInfoByTopic('topic-3')).toBeNull();
    // An equal data version: RocketMQ adds what the group lacks, with the table's figures.
    expect(register(registry, table, 1).outcome).toBe('updated');
    expect(registry.getRouteInfoByTopic('topic-3')?.queueDatas[0]).toMatchObject({ brokerName: 'broker-a', perm: 4 });
    expect(table.packed).toBe(true);
  });
});

describe('a broker re-sending its table through a decode pool', () => {
  it('gets the same table back, packed by the registry, and stays a heartbeat', async () => {
    const pool = new DecodePool({ size: 1, inlineBelowBytes: 0 });
    try {
      const registry = new RouteRegistry();
      const topicConfigTable: Record<string, TopicConfig> = {};
      for (let t = 0; t < 300; t++) topicConfigTable[`topic-${t}`] = fastjson(`topic-${t}`);
      const body = (counter: number): Buffer => encodeRegisterBrokerBody({
        topicConfigSerializeWrapper: { topicConfigTable, dataVersion: { stateVersion: 0, timestamp: 1, counter } }, filterServerList: [],
      }, false);
      const options = { compressed: false, version: MQVersion.V5_0_0, maxInflatedBytes: 1 << 26, key: {} };
      const first = await pool.decode(body(1), options);
      const table = first.topicConfigSerializeWrapper.topicConfigTable;
      registry.registerBroker({ ...BROKER, topicConfigWrapper: first.topicConfigSerializeWrapper });
      expect(table instanceof PackableTopicTable && table.packed).toBe(true);
      const again = await pool.decode(body(2), options);
      expect(again.topicConfigSerializeWrapper.topicConfigTable).toBe(table);
      const status = {} as RegisterBrokerStatus;
      registry.registerBroker({ ...BROKER, topicConfigWrapper: again.topicConfigSerializeWrapper }, status);
      expect(status.outcome).toBe('updated');
      expect(table instanceof PackableTopicTable && table.packed).toBe(true);
      expect(registry.topicCount).toBe(300);
      expect([...table.values()]).toStrictEqual(Object.values(topicConfigTable));
    } finally {
      await pool.close();
    }
  });
});
