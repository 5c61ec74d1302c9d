/**
 * Testing broker code with `rocketmq-namesrv/testing`: register with a real
 * name server in-process, then assert what it saw. A fake clock makes expiry
 * instant: no periodic scan runs, the test scans when it wants.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RemotingClient } from 'rocketmq-namesrv/remoting';
import { buildRegisterBrokerRequest, startTestNamesrv, type TestNamesrv } from 'rocketmq-namesrv/testing';

/** Stands in for your broker: registers over TCP as a RocketMQ broker does. */
async function startMyBroker(port: number): Promise<RemotingClient> {
  const client = await RemotingClient.connect(port);
  const req = buildRegisterBrokerRequest({ brokerName: 'broker-a', brokerAddr: '10.0.0.1:10911', topics: ['Orders'] });
  await client.invoke(req.code, req.extFields, req.body);
  return client;
}

let now = 1_700_000_000_000;
let ns: TestNamesrv;

beforeEach(async () => {
  ns = await startTestNamesrv({ now: () => now });
});

afterEach(() => ns.close());

it('registers its topic, and is dropped after two minutes without a heartbeat', async () => {
  const broker = await startMyBroker(ns.port);
  expect(ns.registry.getRouteInfoByTopic('Orders')?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: '10.0.0.1:10911' });
  expect(ns.registry.getAllClusterInfo().clusterAddrTable).toEqual({ DefaultCluster: ['broker-a'] });

  now += 120_001;
  expect(ns.registry.scanNotActiveBroker()).toBe(1);
  expect(ns.registry.getRouteInfoByTopic('Orders')).toBeNull();
  await broker.close();
});
