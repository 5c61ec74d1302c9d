/**
 * A new data version walks the broker's table against its group's queues,
 * following the group's own order where the table keeps it (see
 * `InOrderLookup`). Whatever order a table comes in (the same, reordered,
 * topics added, dropped or moved), every topic must end with the figures the
 * table gives it, and topics the table lacks keep theirs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RouteRegistry, type RegisterBrokerRequest, type TopicConfig } from '../src/index.js';
import { InOrderLookup } from '../src/core/tables/in-order-lookup.js';
import type { QueueData } from '../src/core/types.js';

const NAMES = Array.from({ length: 24 }, (_, i) => `T${i}`);

/** A table entry: a topic and its queue counts (read = write) and perm. */
const entryArb = fc.record({ name: fc.constantFrom(...NAMES), queues: fc.integer({ min: 1, max: 3 }), perm: fc.constantFrom(6, 4, 14) });
const tableArb = fc.uniqueArray(entryArb, { selector: (e) => e.name, minLength: 2, maxLength: NAMES.length });

type Entry = { name: string; queues: number; perm: number };

function register(r: RouteRegistry, entries: readonly Entry[], counter: number, asMap: boolean): void {
  const configs = entries.map((e): [string, TopicConfig] =>
    [e.name, { topicName: e.name, readQueueNums: e.queues, writeQueueNums: e.queues, perm: e.perm, topicSysFlag: 0 }]);
  const req: RegisterBrokerRequest = {
    clusterName: 'c', brokerName: 'b', brokerId: 0, brokerAddr: '10.0.0.1:10911',
    topicConfigWrapper: { topicConfigTable: asMap ? new Map(configs) : Object.fromEntries(configs), dataVersion: { timestamp: 1, counter } },
  };
  r.registerBroker(req);
}

function figuresOf(r: RouteRegistry, topic: string): { queues: number; perm: number } | undefined {
  const qd = r.getRouteInfoByTopic(topic)?.queueDatas[0];
  return qd === undefined ? undefined : { queues: qd.writeQueueNums, perm: qd.perm };
}

describe('a new data version, whatever order its table comes in', () => {
  it('leaves every topic with the figures of the last table that held it', () => {
    fc.assert(fc.property(fc.array(tableArb, { minLength: 2, maxLength: 5 }), fc.boolean(), (tables, asMap) => {
      const r = new RouteRegistry();
      const expected = new Map<string, { queues: number; perm: number }>();
      tables.forEach((entries, i) => {
        register(r, entries, i + 1, asMap);
        for (const e of entries) expected.set(e.name, { queues: e.queues, perm: e.perm });
        for (const [name, figures] of expected) expect(figuresOf(r, name)).toEqual(figures);
      });
      expect(r.topicCount).toBe(expected.size);
    }), { numRuns: 300 });
  });

  it('applies a changed topic placed anywhere: after dropped ones, moved ones or new ones', () => {
    const r = new RouteRegistry();
    const base = NAMES.map((name) => ({ name, queues: 1, perm: 6 }));
    register(r, base, 1, true);
    // T5 and T6 (adjacent) dropped, T20 moved to the front, X added in the middle, T9 and T23 changed.
    const next = [{ name: 'T20', queues: 1, perm: 6 }, ...base.filter((e) => !['T5', 'T6', 'T20'].includes(e.name))];
    next.splice(10, 0, { name: 'X', queues: 2, perm: 6 });
    for (const e of next) if (e.name === 'T9' || e.name === 'T23') e.queues = 3;
    register(r, next, 2, true);
    expect(figuresOf(r, 'T9')).toEqual({ queues: 3, perm: 6 });
    expect(figuresOf(r, 'T23')).toEqual({ queues: 3, perm: 6 });
    expect(figuresOf(r, 'X')).toEqual({ queues: 2, perm: 6 });
    expect(figuresOf(r, 'T5')).toEqual({ queues: 1, perm: 6 });
    expect(figuresOf(r, 'T8')).toEqual({ queues: 1, perm: 6 });
  });
});

describe('entries of topics the group holds', () => {
  it.each([
    ['a new', 2, false], ['an equal', 1, false], ['a new', 2, true], ['an equal', 1, true],
  ] as const)('are still validated at %s data version (counter %i, acting master %s)', (_, counter, actingMaster) => {
    for (const bad of [{ perm: 6.5 }, { readQueueNums: '8' }, { topicSysFlag: -1 }, { writeQueueNums: 2 ** 60 }]) {
      const r = new RouteRegistry({ supportActingMaster: true });
      const req = (config: Record<string, unknown>, c: number): RegisterBrokerRequest => ({
        clusterName: 'c', brokerName: 'b', brokerId: actingMaster ? 1 : 0, brokerAddr: '10.0.0.1:10911', enableActingMaster: actingMaster,
        topicConfigWrapper: {
          topicConfigTable: new Map<string, TopicConfig>([
            ['A', { topicName: 'A', readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0, ...config }],
            ['B', { topicName: 'B', readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 }],
          ]),
          dataVersion: { timestamp: 1, counter: c },
        },
      });
      r.registerBroker(req({}, 1));
      expect(() => r.registerBroker(req(bad, counter)), JSON.stringify(bad)).toThrow(/topicConfigTable\["A"\]/);
    }
  });
});

describe('InOrderLookup', () => {
  const qd = (n: number): QueueData => ({ brokerName: 'b', readQueueNums: n, writeQueueNums: n, perm: 6, topicSysFlag: 0 });

  it('answers as the Map does for any sequence of topics', () => {
    const keys = fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: NAMES.length });
    const asked = fc.array(fc.constantFrom(...NAMES, 'missing'), { maxLength: 60 });
    fc.assert(fc.property(keys, asked, (held, topics) => {
      const map = new Map(held.map((name, i) => [name, qd(i)] as const));
      const lookup = new InOrderLookup(map);
      for (const topic of topics) expect(lookup.get(topic)).toBe(map.get(topic));
    }), { numRuns: 500 });
  });

  it('answers as the Map does for its own order with entries dropped, moved and added', () => {
    const map = new Map<string, QueueData>(Array.from({ length: 200 }, (_, i) => [`t${i}`, qd(i)]));
    const asked: string[] = [...map.keys()].filter((_, i) => i % 7 !== 3 && i % 11 !== 4);
    asked.splice(50, 0, 't199', 'new-1');
    asked.push('t3', 't0', 'new-2');
    const lookup = new InOrderLookup(map);
    for (const topic of asked) expect(lookup.get(topic)).toBe(map.get(topic));
  });
});
