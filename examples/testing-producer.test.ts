/**
 * Testing producer code with `rocketmq-namesrv/testing`: a name server and a
 * broker in-process, milliseconds per test, no JVM. The code under test here
 * is ali-ons' Producer; put yours in its place.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Message, Producer } from 'ali-ons';
import { FakeBroker, startTestNamesrv, type TestNamesrv } from 'rocketmq-namesrv/testing';

let ns: TestNamesrv;
let broker: FakeBroker;

beforeEach(async () => {
  ns = await startTestNamesrv();
  broker = await FakeBroker.start({ namesrvAddr: ns.address, brokerName: 'broker-a', topics: ['Orders'] });
});

afterEach(async () => {
  await broker.stop();
  await ns.close();
});

it('publishes an order event', async () => {
  const producer = new Producer({ nameSrv: ns.address, producerGroup: 'GID_ORDERS', httpclient: {} });
  await producer.ready();
  try {
    const result = await producer.send(new Message('Orders', 'created', JSON.stringify({ id: 42 })));
    expect(result.sendStatus).toBe('SEND_OK');
  } finally {
    await producer.close();
  }
  expect(broker.messages).toMatchObject([{ topic: 'Orders', tags: 'created' }]);
  expect(JSON.parse(broker.messages[0]!.body.toString())).toEqual({ id: 42 });
});
