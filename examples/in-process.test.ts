/**
 * How a user unit-tests broker or client code against the name server
 * in-process: no JVM, no container, an ephemeral loopback port, a fake clock,
 * milliseconds per test. Runs with the project's tests (`npm test`).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RouteRegistry } from 'rocketmq-namesrv';
import { RemotingClient, RemotingServer, RequestCode, ResponseCode } from 'rocketmq-namesrv/remoting';

let now = 0;
let registry: RouteRegistry;
let server: RemotingServer;
let port = 0;

beforeEach(async () => {
  now = 1_700_000_000_000;
  registry = new RouteRegistry({ now: () => now });
  server = new RemotingServer(registry, { port: 0, host: '127.0.0.1' });
  port = (await server.listen()).port;
});

afterEach(async () => {
  await server.close();
  registry.close();
});

/** Stands in for the code under test: a client that resolves where to send a topic's messages. */
async function brokersFor(topic: string, port: number): Promise<string[]> {
  const client = await RemotingClient.connect(port, '127.0.0.1');
  try {
    const res = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
    if (res.code === ResponseCode.TOPIC_NOT_EXIST) return [];
    const route = JSON.parse(res.body!.toString()) as { brokerDatas: Array<{ brokerAddrs: Record<string, string> }> };
    return route.brokerDatas.map((b) => b.brokerAddrs['0']!).filter(Boolean);
  } finally {
    await client.close();
  }
}

it('finds the master of each broker group, and stops using a broker that fell silent', async () => {
  for (const [name, addr] of [['broker-a', '10.0.0.1:10911'], ['broker-b', '10.0.0.2:10911']] as const) {
    registry.registerBroker({
      clusterName: 'DefaultCluster', brokerName: name, brokerId: 0, brokerAddr: addr,
      topicConfigWrapper: {
        topicConfigTable: {
          Orders: { topicName: 'Orders', readQueueNums: 4, writeQueueNums: 4, perm: 6 },
          [name]: { topicName: name, readQueueNums: 1, writeQueueNums: 1, perm: 7 },
        },
        dataVersion: { timestamp: now, counter: 1 },
      },
    });
  }
  expect(await brokersFor('Orders', port)).toEqual(['10.0.0.1:10911', '10.0.0.2:10911']);

  // broker-b misses its heartbeats for two minutes; broker-a keeps sending them.
  now += 120_001;
  registry.updateBrokerInfoUpdateTimestamp('DefaultCluster', '10.0.0.1:10911');
  expect(registry.scanNotActiveBroker()).toBe(1);
  expect(await brokersFor('Orders', port)).toEqual(['10.0.0.1:10911']);
  expect(await brokersFor('NoSuchTopic', port)).toEqual([]);
});
