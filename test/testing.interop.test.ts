/**
 * The testing kit with a RocketMQ client nobody here wrote: ali-ons finds a
 * FakeBroker through startTestNamesrv's route and sends to it: single
 * messages, compressed bodies, retries past a failing broker, failover past
 * a crashed one and a closed name server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { FakeBroker, startTestNamesrv, waitForBrokerGone, type TestNamesrv } from '../src/testing/index.js';

interface AliOnsMessage { topic: string; keys: string | string[] }
interface AliOnsSendResult { sendStatus: string; msgId: string; queueOffset: number; messageQueue: { brokerName: string; queueId: number | string } }
interface AliOnsProducer {
  ready(): Promise<void>;
  send(msg: AliOnsMessage): Promise<AliOnsSendResult>;
  close(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): void;
}
interface AliOns {
  Producer: (new (options: Record<string, unknown>) => AliOnsProducer) & { defaultProducer?: AliOnsProducer };
  Message: new (topic: string, tags: string, body: string | Buffer) => AliOnsMessage;
}

const require = createRequire(import.meta.url);
const { Producer, Message } = require('ali-ons') as AliOns;
const silent = { info() {}, warn() {}, error() {}, debug() {} };

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

let seq = 0;
async function producer(nameSrv: string | string[]): Promise<AliOnsProducer> {
  const p = new Producer({
    nameSrv, httpclient: {}, logger: silent, producerGroup: `GID_KIT_${process.pid}_${++seq}`, instanceName: `kit-${process.pid}-${seq}`,
    sendMsgTimeout: 3_000,
  });
  // ali-ons' close() unregisters from every broker it used and rejects when one is gone (the failover test).
  cleanup.push(() => p.close().catch(() => undefined));
  // ali-ons reports a broker it cannot reach as an 'error' event besides retrying elsewhere.
  p.on('error', () => undefined);
  await p.ready();
  // ali-ons also starts one hidden default producer per process, on the first producer's name server, which
  // nobody closes: a closed name server must not turn its reports into unhandled errors.
  if (Producer.defaultProducer !== undefined && Producer.defaultProducer !== p) Producer.defaultProducer.on('error', () => undefined);
  return p;
}

async function namesrv(): Promise<TestNamesrv> {
  const ns = await startTestNamesrv();
  cleanup.push(() => ns.close());
  return ns;
}

async function broker(options: Parameters<typeof FakeBroker.start>[0]): Promise<FakeBroker> {
  const b = await FakeBroker.start(options);
  cleanup.push(() => b.stop());
  return b;
}

describe('ali-ons against the testing kit', () => {
  it('sends through the route to a FakeBroker, which records what was sent', async () => {
    const ns = await namesrv();
    const b = await broker({ namesrvAddr: ns.address, brokerName: 'broker-a', topics: ['Orders'] });
    const p = await producer(ns.address);
    const msg = new Message('Orders', 'TagA', 'hello');
    msg.keys = ['order-1', 'customer-7'];
    const result = await p.send(msg);
    expect(result.sendStatus).toBe('SEND_OK');
    expect(result.messageQueue.brokerName).toBe('broker-a');
    expect(result.msgId).toMatch(/^[0-9A-F]{32}$/);
    expect(result.queueOffset).toBe(0);
    expect(b.messages).toHaveLength(1);
    expect(b.messages[0]).toMatchObject({ topic: 'Orders', tags: 'TagA', keys: 'order-1 customer-7', body: Buffer.from('hello') });
    expect(b.messages[0]?.queueId).toBe(Number(result.messageQueue.queueId));
    expect(b.messages[0]?.properties).toMatchObject({ TAGS: 'TagA', KEYS: 'order-1 customer-7' });
  });

  it('gets back the body ali-ons compressed (4 KiB and more)', async () => {
    const ns = await namesrv();
    const b = await broker({ namesrvAddr: ns.address, brokerName: 'broker-a', topics: ['Big'] });
    const p = await producer(ns.address);
    const body = Buffer.from('0123456789abcdef'.repeat(1024));
    expect((await p.send(new Message('Big', 'T', body))).sendStatus).toBe('SEND_OK');
    expect(b.requests.find((r) => r.code === 310)?.extFields.f).toBe('1');
    expect(b.messages[0]?.body.equals(body)).toBe(true);
  });

  it('retries on another broker when one answers SYSTEM_ERROR', async () => {
    const ns = await namesrv();
    const bad = await broker({ namesrvAddr: ns.address, brokerName: 'broker-a', topics: ['T'], sendResponseCode: 1 });
    const good = await broker({ namesrvAddr: ns.address, brokerName: 'broker-b', topics: ['T'] });
    const p = await producer(ns.address);
    // ali-ons picks queues round robin over both brokers' 8: eight sends meet broker-a at least once.
    const sent = Array.from({ length: 8 }, (_, i) => `m${i}`);
    for (const body of sent) expect((await p.send(new Message('T', 'x', body))).messageQueue.brokerName).toBe('broker-b');
    expect(good.messages.map((m) => m.body.toString())).toEqual(sent);
    expect(bad.messages).toEqual([]);
    expect(bad.requests.filter((r) => r.code === 310).length).toBeGreaterThan(0);
  });

  it('fails over: a broker crashes and a name server goes away, sends still land', async () => {
    const [ns1, ns2] = [await namesrv(), await namesrv()];
    const namesrvAddr = [ns1.address, ns2.address];
    const a = await broker({ namesrvAddr, brokerName: 'broker-a', topics: ['T'] });
    const b = await broker({ namesrvAddr, brokerName: 'broker-b', topics: ['T'] });
    const p = await producer(namesrvAddr);
    await p.send(new Message('T', 'x', 'before'));
    await a.crash();
    await ns1.close();
    await waitForBrokerGone(ns2, 'broker-a');
    for (let i = 0; i < 4; i++) expect((await p.send(new Message('T', 'x', `after${i}`))).messageQueue.brokerName).toBe('broker-b');
    expect(b.messages.map((m) => m.body.toString())).toEqual(expect.arrayContaining(['after0', 'after1', 'after2', 'after3']));
    expect(ns2.registry.getRouteInfoByTopic('T')?.brokerDatas.map((d) => d.brokerName)).toEqual(['broker-b']);
  });
});
