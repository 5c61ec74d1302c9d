/**
 * Testing producer code with `rocketmq-namesrv/testing`: a name server and a
 * broker in-process, milliseconds per test, no JVM. The code under test here
 * is ali-ons' Producer; put yours in its place. This file is the README's
 * vitest example, verbatim (test/readme.test.ts checks they stay the same).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Message, Producer } from 'ali-ons';
import { startTestNamesrv, type TestNamesrv } from 'rocketmq-namesrv/testing';

let ns: TestNamesrv;
beforeEach(async () => {
  ns = await startTestNamesrv();                 // registry + RemotingServer on 127.0.0.1:<ephemeral>
});
afterEach(() => ns.close());                     // stops its brokers (they unregister), closes every connection

it('publishes an order event', async () => {
  const broker = await ns.startBroker({ brokerName: 'broker-a', topics: ['Orders'] });
  expect((await ns.route('Orders'))?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: broker.address }); // what clients get

  // The code under test, ali-ons here, finds the broker through the name server:
  const producer = new Producer({ nameSrv: ns.address, producerGroup: 'GID_ORDERS', httpclient: {} });
  await producer.ready();
  try {
    const result = await producer.send(new Message('Orders', 'created', '{"id":42}'));
    expect(result.sendStatus).toBe('SEND_OK');
  } finally {
    await producer.close();
  }
  expect(broker.messages).toMatchObject([{ topic: 'Orders', tags: 'created' }]); // body, queueId, properties too
});
