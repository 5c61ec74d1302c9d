/**
 * The registry's bound on what it holds in all (`maxRouteEntries`): route
 * entries are topic × broker queue entries plus live broker addresses. A
 * registration or `registerTopic` past it is refused with a reason and
 * changes nothing; brokers already held keep heartbeating.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidOptionError, NamesrvError, ROUTE_REGISTRY_DEFAULTS, RouteRegistry, RouteRegistryFullError, type RegisterBrokerRequest,
} from '../src/index.js';
import { RemotingClient, RemotingServer, RequestCode, ResponseCode } from '../src/remoting/index.js';
import { registerBroker } from './helpers/loopback.js';

function reg(addr: string, brokerName: string, topics: string[], counter = 1): RegisterBrokerRequest {
  const topicConfigTable = new Map(topics.map((t) => [t, { topicName: t, readQueueNums: 4, writeQueueNums: 4, perm: 6 }]));
  return {
    clusterName: 'c', brokerName, brokerAddr: addr, brokerId: 0,
    topicConfigWrapper: { topicConfigTable, dataVersion: { stateVersion: 0, timestamp: 1, counter } },
  };
}

const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function snapshot(r: RouteRegistry): string {
  return JSON.stringify([r.getAllClusterInfo(), r.getAllTopicList().sort(), r.getLiveBrokers().map((b) => b.brokerAddr), r.routeEntryCount]);
}

describe('maxRouteEntries', () => {
  it('defaults to 4,000,000: room for 2,000 brokers × 1,008 topics and T(100 000)', () => {
    expect(ROUTE_REGISTRY_DEFAULTS.maxRouteEntries).toBe(4_000_000);
    expect(new RouteRegistry().options.maxRouteEntries).toBe(4_000_000);
    expect(2_000 * 1_008 + 2_000).toBeLessThan(4_000_000);
    expect(100_000 * 4 + 200).toBeLessThan(4_000_000);
  });

  it('counts queue entries and live addresses, and refuses a registration past it with a reason, changing nothing', () => {
    const r = new RouteRegistry({ maxRouteEntries: 10 });
    const events: string[] = [];
    r.on('brokerRegistered', (e) => events.push(e.brokerAddr));
    r.on('topicRouteChanged', (e) => events.push(e.topic));
    r.registerBroker(reg('A', 'a', names('T', 5)));
    expect(r.routeEntryCount).toBe(6);
    events.length = 0;
    const before = snapshot(r);
    let error: unknown;
    try {
      r.registerBroker(reg('B', 'b', names('U', 5)));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RouteRegistryFullError);
    expect(error).toBeInstanceOf(NamesrvError);
    expect(error).toMatchObject({ code: 'ERR_REGISTRY_FULL', held: 6, adding: 6, limit: 10 });
    expect((error as Error).message).toMatch(/registration of b at B refused: .*maxRouteEntries \(10\)/);
    expect(snapshot(r)).toBe(before);
    expect(events).toEqual([]);
    // A broker already held heartbeats and re-registers its table freely.
    expect(r.registerBroker(reg('A', 'a', names('T', 5)))).not.toBeNull();
    expect(r.registerBroker(reg('A', 'a', names('T', 5), 2))).not.toBeNull();
    // Growing it is counted too: 3 more fit, 2 more after that do not.
    r.registerBroker(reg('A', 'a', names('T', 8), 3));
    expect(r.routeEntryCount).toBe(9);
    expect(() => r.registerBroker(reg('A', 'a', names('T', 10), 4))).toThrow(RouteRegistryFullError);
    expect(r.getAllTopicList()).toHaveLength(8);
    // Unregistering frees room.
    r.unregisterBroker({ clusterName: 'c', brokerName: 'a', brokerAddr: 'A', brokerId: 0 });
    expect(r.routeEntryCount).toBe(0);
    r.registerBroker(reg('B', 'b', names('U', 5)));
    expect(r.routeEntryCount).toBe(6);
  });

  it('counts a topic two keys of a table name once: it fits exactly, and a refusal reports what it would really add', () => {
    const twice = (addr: string, brokerName: string): RegisterBrokerRequest => {
      const req = reg(addr, brokerName, names('T', 3));
      const table = req.topicConfigWrapper?.topicConfigTable as unknown as Map<string, { topicName: string }>;
      table.set('alias', { topicName: 'T0' });
      return req;
    };
    // 3 topics + the address = 4 entries, though the table has 4 keys.
    const r = new RouteRegistry({ maxRouteEntries: 4 });
    r.registerBroker(twice('A', 'a'));
    expect(r.routeEntryCount).toBe(4);
    const full = new RouteRegistry({ maxRouteEntries: 3 });
    expect(() => full.registerBroker(twice('A', 'a'))).toThrow(expect.objectContaining({ held: 0, adding: 4, limit: 3 }));
    expect(full.routeEntryCount).toBe(0);
  });

  it('refuses registerTopic past it, and deleted topics free room', () => {
    const r = new RouteRegistry({ maxRouteEntries: 4 });
    r.registerBroker(reg('A', 'a', ['T0', 'T1']));
    const qd = { brokerName: 'a', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 };
    r.registerTopic('T2', [qd]);
    expect(r.routeEntryCount).toBe(4);
    expect(() => r.registerTopic('T3', [qd])).toThrow(RouteRegistryFullError);
    expect(r.getRouteInfoByTopic('T3')).toBeNull();
    // Changing queues a group already holds adds nothing.
    r.registerTopic('T2', [{ ...qd, readQueueNums: 2 }]);
    r.deleteTopic('T0');
    r.registerTopic('T3', [qd]);
    expect(r.getRouteInfoByTopic('T3')?.queueDatas).toHaveLength(1);
  });

  it('is an option checked at construction, not changeable while running', () => {
    expect(() => new RouteRegistry({ maxRouteEntries: 0 })).toThrow(InvalidOptionError);
    expect(() => new RouteRegistry({ maxRouteEntries: 1.5 })).toThrow(/maxRouteEntries/);
    expect(() => new RouteRegistry().updateOptions({ maxRouteEntries: 5 } as never)).toThrow(/cannot be changed/);
  });
});

describe('maxRouteEntries over the wire', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('REGISTER_BROKER past it answers SYSTEM_ERROR naming the limit; the routes held stay served', async () => {
    const registry = new RouteRegistry({ maxRouteEntries: 5 });
    const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1' });
    const { port } = await server.listen();
    cleanups.push(() => registry.close(), () => server.close());
    const client = await RemotingClient.connect(port, '127.0.0.1');
    cleanups.push(() => client.close());
    expect((await registerBroker(client, { brokerName: 'a', brokerAddr: '10.0.0.1:1', topics: ['T0', 'T1', 'T2'] })).code).toBe(ResponseCode.SUCCESS);
    const refused = await registerBroker(client, { brokerName: 'b', brokerAddr: '10.0.0.2:1', topics: ['U0', 'U1'] });
    expect(refused.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(refused.remark).toMatch(/RouteRegistryFullError: .*maxRouteEntries \(5\)/);
    expect(registry.getLiveBrokers().map((b) => b.brokerAddr)).toEqual(['10.0.0.1:1']);
    const route = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T0' });
    expect(route.code).toBe(ResponseCode.SUCCESS);
    expect((await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'U0' })).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });
});
