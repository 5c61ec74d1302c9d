/**
 * Interop with a third-party RocketMQ client: ali-ons (Node, speaks only JSON
 * headers, reads fastjson routes with a lenient parser). A fake broker on
 * loopback is registered with our name server; the producer must find it
 * through the route and send to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { RouteRegistry } from '../src/index.js';
import { FLAG_RESPONSE, RemotingClient, RemotingServer, RequestCode, type RemotingCommand } from '../src/remoting/index.js';
import { FrameDecoder, encodeFrame } from '../src/remoting/codec/index.js';
import { decodeFrameAt } from '../src/remoting/codec/frame.js';
import { registerBroker } from './helpers/loopback.js';

interface AliOnsMessage { topic: string }
interface AliOnsSendResult { sendStatus: string; msgId: string; messageQueue: { brokerName: string; queueId: number } }
interface AliOnsProducer {
  ready(): Promise<void>;
  send(msg: AliOnsMessage): Promise<AliOnsSendResult>;
  close(): Promise<void>;
}
interface AliOns {
  Producer: (new (options: Record<string, unknown>) => AliOnsProducer) & { defaultProducer?: AliOnsProducer };
  Message: new (topic: string, tags: string, body: string | Buffer) => AliOnsMessage;
}

const require = createRequire(import.meta.url);
const { Producer, Message } = require('ali-ons') as AliOns;

const SEND_MESSAGE_V2 = 310;
const silent = { info() {}, warn() {}, error() {}, debug() {} };

/** A broker that answers every request with SUCCESS (and what a send result needs). */
class FakeBroker {
  readonly received: RemotingCommand[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor() {
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
      const decoder = new FrameDecoder(16 << 20, (buf, start, end) => {
        const request = decodeFrameAt(buf, start, end);
        this.received.push(request);
        if ((request.flag & 2) !== 0) return;
        const extFields: Record<string, string> = request.code === SEND_MESSAGE_V2
          ? { msgId: '7F00000100002A9F0000000000000001', queueId: request.extFields.e ?? '0', queueOffset: '42' }
          : {};
        socket.write(encodeFrame({ code: 0, language: 0, version: 479, opaque: request.opaque, flag: FLAG_RESPONSE, remark: null, extFields }));
      });
      socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    });
  }

  async listen(): Promise<number> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

describe('ali-ons against our name server', () => {
  const registry = new RouteRegistry();
  const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1' });
  const broker = new FakeBroker();
  let brokerClient: RemotingClient;
  let nsPort = 0;
  let brokerPort = 0;

  beforeAll(async () => {
    nsPort = (await server.listen()).port;
    brokerPort = await broker.listen();
    brokerClient = await RemotingClient.connect(nsPort);
    const res = await registerBroker(brokerClient, {
      brokerName: 'fake-broker', brokerAddr: `127.0.0.1:${brokerPort}`, topics: ['TopicTest', 'TBW102'],
    });
    expect(res.code).toBe(0);
  });

  afterAll(async () => {
    await Producer.defaultProducer?.close().catch(() => undefined);
    await brokerClient.close();
    await server.close();
    await broker.close();
    registry.close();
  });

  it('a producer fetches the fastjson route and sends to the registered broker', async () => {
    const spy = new RemotingClient({ port: nsPort });
    await spy.connect();
    // What an old client sees: fastjson with unquoted ids, which ali-ons parses leniently.
    const legacy = await spy.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' }, null, { version: 121 });
    expect(legacy.body!.toString()).toContain(`{0:"127.0.0.1:${brokerPort}"}`);
    await spy.close();

    const producer = new Producer({
      nameSrv: `127.0.0.1:${nsPort}`,
      httpclient: {},
      producerGroup: 'GID_INTEROP',
      instanceName: `interop-${process.pid}`,
      logger: silent,
      sendMsgTimeout: 3_000,
    });
    // The broker's address is in no configuration: only our route can have led the producer to it.
    try {
      await producer.ready();
      const result = await producer.send(new Message('TopicTest', 'TagA', 'hello from ali-ons'));
      expect(result.sendStatus).toBe('SEND_OK');
      expect(result.messageQueue.brokerName).toBe('fake-broker');
      const sends = broker.received.filter((r) => r.code === SEND_MESSAGE_V2);
      expect(sends).toHaveLength(1);
      expect(sends[0]?.extFields.b).toBe('TopicTest');
      expect(sends[0]?.body?.toString()).toBe('hello from ali-ons');
    } finally {
      await producer.close();
    }
  }, 15_000);
});
