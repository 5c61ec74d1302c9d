/**
 * The kit in one import: brokers that follow the test name server's clock,
 * lookups over the wire, and `ns.close()` stopping the brokers it holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemotingClient, RequestCode } from '../src/remoting/index.js';
import { FakeBroker, startTestNamesrv, type TestNamesrv } from '../src/testing/index.js';

const opened: TestNamesrv[] = [];
afterEach(async () => {
  for (const ns of opened.splice(0).reverse()) await ns.close();
});

async function ns(options?: Parameters<typeof startTestNamesrv>[0]): Promise<TestNamesrv> {
  const started = await startTestNamesrv(options);
  opened.push(started);
  return started;
}

/** Counts REGISTER_BROKER requests the registry sees. */
function countRegistrations(n: TestNamesrv): { count: number } {
  const seen = { count: 0 };
  const original = n.registry.registerBroker.bind(n.registry);
  n.registry.registerBroker = (req, status) => {
    seen.count += 1;
    return original(req, status);
  };
  return seen;
}

describe('brokers on the name server clock', () => {
  it('with a fake clock, brokers run no real heartbeat timer: tick() sends the due ones, then scans', async () => {
    let now = 1_700_000_000_000;
    const n = await ns({ now: () => now });
    const seen = countRegistrations(n);
    const a = await n.startBroker({ brokerName: 'broker-a', topics: ['Orders'], heartbeatIntervalMillis: 10 });
    const b = await FakeBroker.start({ namesrvAddr: n.address, brokerName: 'broker-b', topics: ['Orders'], heartbeatIntervalMillis: 300_000 });
    expect(seen.count).toBe(2);
    // Real time passes: a 10 ms interval on a real timer would have fired many times.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.count).toBe(2);
    expect(await n.tick()).toBe(0);
    expect(seen.count).toBe(2);
    now += 10;
    expect(await n.tick()).toBe(0);
    expect(seen.count).toBe(3);
    // broker-b heartbeats less often than the name server's 120 s timeout: the scan drops it.
    now += 120_001;
    expect(await n.tick()).toBe(1);
    expect(b.stopped).toBe(false);
    expect((await n.route('Orders'))?.brokerDatas.map((d) => d.brokerName)).toEqual(['broker-a']);
    expect(a.stopped).toBe(false);
  });

  it('a broker heartbeats on demand and when ticked, on its own clock', async () => {
    let now = 0;
    const n = await ns({ now: () => now });
    const broker = await n.startBroker({ brokerName: 'broker-a', topics: ['T'] });
    now += 29_999;
    expect(await broker.tick()).toBe(false);
    now += 1;
    expect(await broker.tick()).toBe(true);
    expect(await broker.tick()).toBe(false);
    now += 120_000;
    await broker.heartbeat();
    expect(n.registry.scanNotActiveBroker()).toBe(0);
  });
});

describe('lookups over the wire', () => {
  it('route(), clusterInfo() and topics() answer what a RocketMQ client gets', async () => {
    const n = await ns();
    const broker = await n.startBroker({ brokerName: 'broker-a', topics: ['Orders'] });
    const route = await n.route('Orders');
    expect(route?.brokerDatas).toEqual([
      { cluster: 'DefaultCluster', brokerName: 'broker-a', brokerAddrs: { 0: broker.address }, enableActingMaster: false },
    ]);
    expect(route?.queueDatas[0]).toMatchObject({ brokerName: 'broker-a', readQueueNums: 4, writeQueueNums: 4, perm: 6 });
    expect(await n.route('Nope')).toBeNull();
    const cluster = await n.clusterInfo();
    expect(cluster.clusterAddrTable).toEqual({ DefaultCluster: ['broker-a'] });
    expect(cluster.brokerAddrTable['broker-a']?.brokerAddrs).toEqual({ 0: broker.address });
    expect(await n.topics()).toContain('Orders');
  });

  it('close() ends the lookup connection too; lookups after it fail', async () => {
    const n = await startTestNamesrv();
    await n.route('x');
    await n.close();
    await expect(n.route('x')).rejects.toThrow(/closed/);
  });
});

describe('ns.close() stops its brokers', () => {
  it('stops brokers started through it and brokers that registered themselves, unregistering first', async () => {
    const n = await startTestNamesrv();
    const a = await n.startBroker({ brokerName: 'broker-a', topics: ['T'] });
    const b = await FakeBroker.start({ namesrvAddr: `localhost:${n.port}`, brokerName: 'broker-b', topics: ['T'] });
    const unregistered: string[] = [];
    n.registry.on('brokerUnregistered', (e) => unregistered.push(`${e.brokerName}:${e.reason}`));
    await n.close();
    expect(a.stopped && b.stopped).toBe(true);
    expect(unregistered.sort()).toEqual(['broker-a:unregister', 'broker-b:unregister']);
    const client = new RemotingClient({ port: a.port });
    await expect(client.connect()).rejects.toThrow(/cannot connect/);
  });

  it('leaves a broker another running test name server holds, until that one closes', async () => {
    const ns1 = await startTestNamesrv();
    const ns2 = await startTestNamesrv();
    const broker = await FakeBroker.start({ namesrvAddr: [ns1.address, ns2.address], brokerName: 'broker-a', topics: ['T'] });
    await ns1.close();
    expect(broker.stopped).toBe(false);
    const client = await RemotingClient.connect(ns2.port);
    expect((await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T' })).code).toBe(0);
    await client.close();
    await ns2.close();
    expect(broker.stopped).toBe(true);
  });
});
