/**
 * `startTestNamesrv`: a name server on loopback ephemeral ports that real
 * peers reach at `address`, optionally HTTP, closed with every connection.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouteRegistry } from '../src/index.js';
import { RemotingClient, RequestCode, ResponseCode } from '../src/remoting/index.js';
import {
  FakeBroker, WaitTimeoutError, startTestNamesrv, waitForBroker, waitForBrokerGone, waitForRoute, type TestNamesrv,
} from '../src/testing/index.js';

const opened: Array<{ close(): Promise<void> } | FakeBroker> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const x of opened.splice(0).reverse()) await (x instanceof FakeBroker ? x.stop() : x.close());
});

async function ns(options?: Parameters<typeof startTestNamesrv>[0]): Promise<TestNamesrv> {
  const started = await startTestNamesrv(options);
  opened.push(started);
  return started;
}

describe('startTestNamesrv', () => {
  it('serves RocketMQ clients on 127.0.0.1 at an ephemeral port', async () => {
    const n = await ns();
    expect(n.address).toBe(`127.0.0.1:${n.port}`);
    expect(n.port).toBeGreaterThan(0);
    expect(n.httpUrl).toBeUndefined();
    expect(n.registry).toBeInstanceOf(RouteRegistry);
    const client = await RemotingClient.connect(n.port);
    const res = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Nope' });
    expect(res.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    await client.close();
  });

  it('serves HTTP too when asked, and close() ends both ports', async () => {
    const n = await startTestNamesrv({ http: true });
    expect(n.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${n.httpUrl!}/cluster`);
    expect(res.status).toBe(200);
    await n.close();
    await expect(fetch(`${n.httpUrl!}/cluster`)).rejects.toThrow();
    await expect(RemotingClient.connect(n.port)).rejects.toThrow(/cannot connect/);
  });

  it('close() closes client connections and is idempotent', async () => {
    const n = await startTestNamesrv();
    const client = await RemotingClient.connect(n.port);
    await Promise.all([n.close(), n.close()]);
    await n.close();
    await expect((async () => client.invoke(RequestCode.GET_BROKER_CLUSTER_INFO))()).rejects.toThrow(/closed|not connected/);
    await client.close();
  });

  it('with an injected clock, runs no periodic scan: the test calls scanNotActiveBroker()', async () => {
    const start = vi.spyOn(RouteRegistry.prototype, 'start');
    let now = 1_000_000;
    const n = await ns({ now: () => now });
    expect(start).not.toHaveBeenCalled();
    await FakeBroker.start({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['T'], heartbeatTimeoutMillis: 10_000 })
      .then((b) => opened.push(b));
    now += 10_001;
    expect(n.registry.getRouteInfoByTopic('T')).not.toBeNull();
    expect(n.registry.scanNotActiveBroker()).toBe(1);
    expect(n.registry.getRouteInfoByTopic('T')).toBeNull();
  });

  it('without a clock, scans as a name server does: a silent broker leaves by itself', async () => {
    const start = vi.spyOn(RouteRegistry.prototype, 'start');
    const n = await ns({ scanIntervalMillis: 10 });
    expect(start).toHaveBeenCalledTimes(1);
    // A broker that promises a heartbeat every 20 ms and sends none in the next minute.
    await FakeBroker.start({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['T'], heartbeatTimeoutMillis: 20 })
      .then((b) => opened.push(b));
    await waitForBrokerGone(n, 'broker-a', { timeoutMillis: 5_000 });
    expect(n.registry.getRouteInfoByTopic('T')).toBeNull();
  });

  it('passes the registry options through', async () => {
    const n = await ns({ now: () => 5, brokerChannelExpiredMillis: 1234, deleteTopicWithBrokerRegistration: true });
    expect(n.registry.options.brokerChannelExpiredMillis).toBe(1234);
    expect(n.registry.options.deleteTopicWithBrokerRegistration).toBe(true);
    expect(n.registry.options.now()).toBe(5);
  });
});

describe('wait helpers', () => {
  it('waitForRoute resolves when the route appears, or at once when it exists; until narrows it', async () => {
    const n = await ns();
    const pending = waitForRoute(n, 'Orders', { until: (r) => r.brokerDatas.length === 2 });
    const first = waitForRoute(n.registry, 'Orders');
    opened.push(await FakeBroker.start({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['Orders'] }));
    expect((await first).brokerDatas.map((b) => b.brokerName)).toEqual(['broker-a']);
    opened.push(await FakeBroker.start({ namesrvAddr: n.address, brokerName: 'broker-b', topics: ['Orders'] }));
    expect((await pending).brokerDatas.map((b) => b.brokerName)).toEqual(['broker-a', 'broker-b']);
    expect((await waitForRoute(n, 'Orders')).queueDatas).toHaveLength(2);
  });

  it('waitForBroker and waitForBrokerGone follow registrations and departures', async () => {
    const n = await ns();
    const appeared = waitForBroker(n, { brokerName: 'broker-a', brokerId: 0 });
    const broker = await FakeBroker.start({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['T'] });
    expect(await appeared).toEqual({ clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerId: 0, brokerAddr: broker.address });
    const gone = waitForBrokerGone(n, { brokerAddr: broker.address });
    await broker.crash();
    await gone;
  });

  it('reject with WaitTimeoutError after the bound, leaving no listener behind', async () => {
    const n = await ns();
    const before = n.registry.listenerCount('topicRouteChanged');
    const err = await waitForRoute(n, 'Never', { timeoutMillis: 20 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err).toMatchObject({ code: 'ERR_WAIT_TIMEOUT', timeoutMillis: 20 });
    await expect(waitForBroker(n, 'nobody', { timeoutMillis: 20 })).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(n.registry.listenerCount('topicRouteChanged')).toBe(before);
    expect(n.registry.listenerCount('brokerRegistered')).toBe(0);
  });
});

describe('close order', () => {
  it('a name server closing under a broker does not break the broker\'s stop()', async () => {
    const n = await startTestNamesrv();
    const broker = await FakeBroker.start({ namesrvAddr: n.address, brokerName: 'broker-a', topics: ['T'] });
    const client = await RemotingClient.connect(broker.port);
    await n.close();
    await broker.stop();
    // The broker closed the producer's connection: nothing more can be sent on it.
    await expect((async () => client.invoke(34))()).rejects.toThrow(/closed|not connected/);
    await client.close();
  });
});
