/**
 * The five divergences from RocketMQ 5.3.3's name server that differential
 * testing found (issue 16), each as the shrunk sequence with Java's answer,
 * plus the fencing of a live broker against other connections closing.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RouteRegistry, type RegisterBrokerRequest, type TopicConfig } from '../src/index.js';
import { sealTopicTable } from '../src/core/registration/topic-table.js';

const C = 'c';

function table(topics: Record<string, number>, asMap: boolean): Record<string, TopicConfig> | Map<string, TopicConfig> {
  const entries = Object.entries(topics).map(([name, perm]) =>
    [name, { topicName: name, readQueueNums: 4, writeQueueNums: 4, perm }] as const);
  return asMap ? new Map(entries) : Object.fromEntries(entries);
}

function reg(
  addr: string, brokerName: string, brokerId: number, topics: Record<string, number>,
  extra: Partial<RegisterBrokerRequest> & { counter?: number; asMap?: boolean } = {},
): RegisterBrokerRequest {
  const { counter = 2, asMap = false, ...rest } = extra;
  return {
    clusterName: C, brokerAddr: addr, brokerName, brokerId, enableActingMaster: false,
    topicConfigWrapper: { topicConfigTable: table(topics, asMap), dataVersion: { stateVersion: 0, timestamp: 1, counter } },
    ...rest,
  };
}

const routedTo = (r: RouteRegistry, topic: string): string[] =>
  r.getRouteInfoByTopic(topic)?.queueDatas.map((q) => q.brokerName) ?? [];

describe.each([false, true])('issue 16 divergences (topic table as a %s)', (asMap) => {
  const kind = asMap ? 'Map' : 'plain object';

  it(`1. an equal data version still adds topics never seen (${kind})`, () => {
    const r = new RouteRegistry();
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6 }, { asMap }));
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6, T2: 6 }, { asMap }));
    expect(routedTo(r, 'T2')).toEqual(['b0']);
  });

  it(`2. …and restores topics the name server deleted, after a partial registration (${kind})`, () => {
    const r = new RouteRegistry();
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6 }, { asMap, counter: 1 }));
    r.deleteTopic('T1');
    // What registerIncrementBrokerData sends when a topic is created: only it, at the new version.
    r.registerBroker(reg('A0', 'b0', 0, { T2: 6 }, { asMap, counter: 2 }));
    expect(routedTo(r, 'T1')).toEqual([]);
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6, T2: 6 }, { asMap, counter: 2 }));
    expect(routedTo(r, 'T1')).toEqual(['b0']);
  });
});

describe.each(['Map', 'plain object', 'sealed Map'] as const)('issue 22: an equal data version, topic table as a %s', (kind) => {
  const asMap = kind !== 'plain object';
  const seal = (r: RegisterBrokerRequest): RegisterBrokerRequest => {
    const w = r.topicConfigWrapper;
    if (kind !== 'sealed Map' || w === undefined || w === null) return r;
    return { ...r, topicConfigWrapper: { ...w, topicConfigTable: sealTopicTable(w.topicConfigTable as Map<string, TopicConfig>) } };
  };
  const at = (topics: Record<string, number>, counter: number) => seal(reg('A1', 'B3', 0, topics, { asMap, counter }));

  it('adds a topic of a smaller table than the last one (Java: [T0, T2, T5], WIPE_WRITE_PERM counts 3)', () => {
    const r = new RouteRegistry();
    r.registerBroker(at({ T5: 6, T0: 6 }, 4));
    r.registerBroker(at({ T2: 6 }, 4));
    expect(r.getAllTopicList().sort()).toEqual(['T0', 'T2', 'T5']);
    expect(routedTo(r, 'T2')).toEqual(['B3']);
    expect(r.wipeWritePermOfBroker('B3')).toBe(3);
  });

  it('restores a deleted topic after a newer version registered another table', () => {
    const r = new RouteRegistry();
    r.registerBroker(at({ T0: 6, T1: 6 }, 1));
    r.deleteTopic('T0');
    r.registerBroker(at({ T1: 6, T2: 6 }, 2));
    r.registerBroker(at({ T0: 6, T1: 6 }, 2));
    expect(routedTo(r, 'T0')).toEqual(['B3']);
  });

  it('adds missing topics but leaves the figures of held ones as they are (isTopicConfigChanged)', () => {
    const r = new RouteRegistry();
    r.registerBroker(at({ T0: 6, T1: 6 }, 1));
    r.registerBroker(at({ T0: 4, T1: 6, T2: 6 }, 1));
    expect(r.getRouteInfoByTopic('T0')?.queueDatas[0]?.perm).toBe(6);
    expect(routedTo(r, 'T2')).toEqual(['B3']);
  });
});

describe('issue 22: the same sealed table registered again', () => {
  it('at an equal version restores what the name server deleted and keeps what it changed, as the walk would', () => {
    const r = new RouteRegistry();
    const table = sealTopicTable(new Map([['T0', topicOf('T0')], ['T1', topicOf('T1')]]));
    const again = (counter: number) => r.registerBroker({ ...reg('A0', 'b0', 0, {}, { counter }), topicConfigWrapper: {
      topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: 1, counter } } });
    again(1);
    r.deleteTopic('T0');
    r.wipeWritePermOfBroker('b0');
    again(1);
    expect(r.getRouteInfoByTopic('T0')?.queueDatas[0]?.perm).toBe(6);
    expect(r.getRouteInfoByTopic('T1')?.queueDatas[0]?.perm).toBe(4);
    // A new version compares the figures again: T1 gets its write bit back.
    again(2);
    expect(r.getRouteInfoByTopic('T1')?.queueDatas[0]?.perm).toBe(6);
  });
});

function topicOf(name: string): TopicConfig {
  return { topicName: name, readQueueNums: 4, writeQueueNums: 4, perm: 6 };
}

describe('PERM_PRIORITY (issue 22)', () => {
  it('a topic with perm 14 registers, routes 14, and WIPE_WRITE_PERM keeps priority and read (12)', () => {
    const r = new RouteRegistry();
    expect(r.registerBroker(reg('A0', 'b0', 0, { T0: 14, T1: 6 }))).not.toBeNull();
    expect(r.getRouteInfoByTopic('T0')?.queueDatas[0]?.perm).toBe(14);
    expect(r.wipeWritePermOfBroker('b0')).toBe(2);
    expect(r.getRouteInfoByTopic('T0')?.queueDatas[0]?.perm).toBe(12);
    r.registerTopic('T9', [{ brokerName: 'b0', readQueueNums: 1, writeQueueNums: 1, perm: 15, topicSysFlag: 0 }]);
    expect(r.getRouteInfoByTopic('T9')?.queueDatas[0]?.perm).toBe(15);
    expect(() => r.registerBroker(reg('A0', 'b0', 0, { T0: 16, T1: 6 }, { counter: 3 }))).toThrow(/from 0 to 15, got 16/);
  });

  it('a topic with the priority bit keeps its own queue counts beside one whose figures differ by one write queue', () => {
    const r = new RouteRegistry();
    const table = new Map<string, TopicConfig>([
      ['A', { topicName: 'A', readQueueNums: 8, writeQueueNums: 9, perm: 0 }],
      ['B', { topicName: 'B', readQueueNums: 8, writeQueueNums: 8, perm: 8 }],
    ]);
    r.registerBroker({ ...reg('A0', 'b0', 0, {}), topicConfigWrapper: { topicConfigTable: table, dataVersion: { timestamp: 1, counter: 1 } } });
    expect(r.getRouteInfoByTopic('A')?.queueDatas[0]).toMatchObject({ writeQueueNums: 9, perm: 0 });
    expect(r.getRouteInfoByTopic('B')?.queueDatas[0]).toMatchObject({ writeQueueNums: 8, perm: 8 });
  });
});

describe('issue 16 divergences', () => {
  it('3. filter servers of an address are refreshed in the routes of every group listing it', () => {
    const r = new RouteRegistry();
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6 }, { filterServerList: ['F'] }));
    expect(r.getRouteInfoByTopic('T0')?.filterServerTable).toEqual({ A0: ['F'] });
    const changed: string[] = [];
    r.on('topicRouteChanged', ({ topic }) => changed.push(topic));
    r.registerBroker(reg('A0', 'b1', 0, { T2: 6, T3: 6 }, { filterServerList: [] }));
    expect(r.getRouteInfoByTopic('T0')?.filterServerTable).toEqual({});
    expect(changed.sort()).toEqual(['T0', 'T1', 'T2', 'T3']);
  });

  it('4. a closing connection removes the group that still lists its address', () => {
    const r = new RouteRegistry();
    const a0 = { id: 'A0 connection' };
    r.registerBroker(reg('A0', 'b0', 1, { T0: 6, T1: 6 }, { channel: a0 }));
    r.registerBroker(reg('A0', 'b1', 1, { T2: 6, T3: 6 }, { channel: a0 }));
    r.registerBroker(reg('A1', 'b1', 1, { T2: 6, T3: 6 }, { channel: { id: 'A1 connection' } }));
    r.onChannelDestroy(a0);
    expect(r.getRouteInfoByTopic('T0')).toBeNull();
    expect(r.getAllClusterInfo().brokerAddrTable).not.toHaveProperty('b0');
    expect(r.getRouteInfoByTopic('T2')?.brokerDatas[0]?.brokerAddrs).toEqual({ 1: 'A1' });
    expect(r.getLiveBrokers().map((b) => b.brokerAddr)).toEqual(['A1']);
  });

  it('5. …and changes nothing when the address is in no group any more', () => {
    const r = new RouteRegistry();
    const a4 = { id: 'A4 connection' };
    r.registerBroker(reg('A4', 'b0', 2, { T1: 6, T6: 6 }, { channel: a4 }));
    // A1 is now b0's prime slave with acting master on: its own topics lose write, T1 keeps it.
    r.registerBroker(reg('A1', 'b0', 2, { T6: 6, T7: 6 }, { channel: { id: 'A1 connection' }, enableActingMaster: true }));
    expect(r.getRouteInfoByTopic('T1')?.queueDatas[0]?.perm).toBe(6);
    const before = JSON.stringify([r.getAllClusterInfo(), r.getRouteInfoByTopic('T1'), r.getRouteInfoByTopic('T6')]);
    r.onChannelDestroy(a4);
    expect(JSON.stringify([r.getAllClusterInfo(), r.getRouteInfoByTopic('T1'), r.getRouteInfoByTopic('T6')])).toBe(before);
    expect(r.getRouteInfoByTopic('T1')?.queueDatas[0]?.perm).toBe(6);
    // Only its liveness goes (RocketMQ keeps even that, and never expires it).
    expect(r.queryBrokerTopicConfig(C, 'A4')).toBeNull();
  });

  it('expiry resolves the groups the same way as a closing connection', () => {
    let now = 0;
    const r = new RouteRegistry({ now: () => now, brokerChannelExpiredMillis: 1_000 });
    r.registerBroker(reg('A0', 'b0', 1, { T0: 6, T1: 6 }));
    r.registerBroker(reg('A0', 'b1', 1, { T2: 6, T3: 6 }));
    now = 500;
    r.registerBroker(reg('A1', 'b1', 1, { T2: 6, T3: 6 }));
    now = 1_200;
    expect(r.scanNotActiveBroker()).toBe(1);
    expect(r.getRouteInfoByTopic('T0')).toBeNull();
    expect(routedTo(r, 'T2')).toEqual(['b1']);
  });
});

describe('fencing: only the connections a broker lives on count', () => {
  it('a restarted broker survives its stale old connection closing later (take-over)', () => {
    const r = new RouteRegistry();
    const old = { id: 'before restart' };
    const fresh = { id: 'after restart' };
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6 }, { channel: old }));
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6 }, { channel: fresh }));
    r.onChannelDestroy(old);
    expect(routedTo(r, 'T0')).toEqual(['b0']);
    expect(r.liveBrokerCount).toBe(1);
    r.onChannelDestroy(fresh);
    expect(r.getRouteInfoByTopic('T0')).toBeNull();
    expect(r.liveBrokerCount).toBe(0);
  });

  it('another connection registering a live address cannot remove it by disconnecting (hijack)', () => {
    const r = new RouteRegistry();
    const broker = { id: 'the broker' };
    const intruder = { id: 'someone else' };
    const removed: string[] = [];
    r.on('brokerUnregistered', (e) => removed.push(e.brokerAddr));
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6 }, { channel: broker }));
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6 }, { channel: intruder }));
    r.onChannelDestroy(intruder);
    expect(routedTo(r, 'T0')).toEqual(['b0']);
    expect(removed).toEqual([]);
    r.onChannelDestroy(broker);
    expect(removed).toEqual(['A0']);
  });

  it('expiry still applies by timestamps whatever connections stay open', () => {
    let now = 0;
    const r = new RouteRegistry({ now: () => now, brokerChannelExpiredMillis: 1_000 });
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6 }, { channel: { id: 'open forever' } }));
    now = 1_001;
    expect(r.scanNotActiveBroker()).toBe(1);
    expect(r.getRouteInfoByTopic('T0')).toBeNull();
  });
});

describe('topic name interning', () => {
  it('keeps one instance of a topic name however many brokers register it with their own copy', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // A 2 MiB name, decoded separately per broker as the wire does: 20 copies unless interned.
    const json = JSON.stringify(`T${'x'.repeat(2 * 1024 * 1024)}`);
    const r = new RouteRegistry();
    const register = (b: number): void => {
      const topic = JSON.parse(json) as string;
      const other = JSON.parse(JSON.stringify(`other-${b}`)) as string;
      const t = new Map<string, TopicConfig>([
        [topic, { topicName: topic, readQueueNums: 4, writeQueueNums: 4, perm: 6 }],
        [other, { topicName: other, readQueueNums: 4, writeQueueNums: 4, perm: 6 }],
      ]);
      r.registerBroker({ clusterName: C, brokerAddr: `A${b}`, brokerName: `b${b}`, brokerId: 0,
        topicConfigWrapper: { topicConfigTable: t, dataVersion: { timestamp: 1, counter: 1 } } });
    };
    register(0);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let b = 1; b < 20; b++) register(b);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(r.getRouteInfoByTopic(JSON.parse(json) as string)?.queueDatas).toHaveLength(20);
    // 19 more copies would be 76 MiB (two bytes a char once flattened) or 38 MiB.
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });
});

describe('Java quirks we do not copy', () => {
  it('a group left with no address by a refused one-topic role switch is dropped with its queues', () => {
    const r = new RouteRegistry();
    r.registerBroker(reg('A0', 'b0', 0, { T0: 6, T1: 6 }));
    expect(r.registerBroker(reg('A0', 'b0', 1, { T0: 6 }))).toBeNull();
    expect(r.getRouteInfoByTopic('T0')).toBeNull();
    expect(r.getAllClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} });
  });

  it('a broker registered into a group first created in another cluster is still dropped when its connection closes', () => {
    const r = new RouteRegistry();
    const ch = { id: 'c2 broker' };
    r.registerBroker({ ...reg('A0', 'b0', 0, { T0: 6, T1: 6 }), clusterName: 'c1' });
    r.registerBroker({ ...reg('A1', 'b0', 1, { T0: 6, T1: 6 }), clusterName: 'c2', channel: ch });
    r.onChannelDestroy(ch);
    expect(r.getBrokerMemberGroup('c1', 'b0').brokerAddrs).toEqual({ 0: 'A0' });
    expect(r.liveBrokerCount).toBe(1);
  });
});
