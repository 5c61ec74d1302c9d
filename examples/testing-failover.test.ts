/**
 * A failover test with `rocketmq-namesrv/testing`: two name servers, two
 * brokers; one broker crashes and one name server goes away, and the
 * producer (ali-ons here, yours in its place) keeps delivering.
 */
import { expect, it } from 'vitest';
import { Message, Producer } from 'ali-ons';
import { FakeBroker, startTestNamesrv, waitForBrokerGone } from 'rocketmq-namesrv/testing';

it('keeps sending when a broker crashes and a name server is gone', async () => {
  const [ns1, ns2] = await Promise.all([startTestNamesrv(), startTestNamesrv()]);
  const namesrvAddr = [ns1.address, ns2.address];
  const a = await FakeBroker.start({ namesrvAddr, brokerName: 'broker-a', topics: ['Orders'] });
  const b = await FakeBroker.start({ namesrvAddr, brokerName: 'broker-b', topics: ['Orders'] });
  const producer = new Producer({ nameSrv: namesrvAddr, producerGroup: 'GID_FAILOVER', httpclient: {} });
  producer.on('error', () => {}); // ali-ons reports the dead broker here, besides retrying elsewhere
  await producer.send(new Message('Orders', 'created', 'warm-up')); // the producer now knows both brokers

  await a.crash();
  await ns1.close();
  await waitForBrokerGone(ns2, 'broker-a');
  for (const id of [1, 2, 3]) await producer.send(new Message('Orders', 'created', `order-${id}`));

  expect(b.messages.map((m) => m.body.toString()).slice(-3)).toEqual(['order-1', 'order-2', 'order-3']);
  await producer.close().catch(() => {}); // rejects: it cannot unregister from the crashed broker
  await b.stop();
  await ns2.close();
});
