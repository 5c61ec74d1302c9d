/**
 * A FakeBroker with access-control credentials signs what it sends to name
 * servers exactly as a RocketMQ broker's ACL RPC hook (and our
 * RemotingClient) does: a name server checking signatures accepts them.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../src/remoting/access/signature.js';
import { decodeFrameAt, encodeFrame, FrameDecoder } from '../src/remoting/codec/frame.js';
import {
  AccessControl, FLAG_RESPONSE, LanguageCode, RemotingClient, RequestCode, ResponseCode, SerializeType,
} from '../src/remoting/index.js';
import { parseAccessPolicy } from '../src/remoting/access/policy.js';
import type { RemotingCommand } from '../src/remoting/command.js';
import { InvalidOptionError } from '../src/index.js';
import { FakeBroker, startTestNamesrv, type FakeBrokerOptions } from '../src/testing/index.js';

const CREDENTIALS = { accessKey: 'rocketmq2', secretKey: '12345678' } as const;

/** A name server that records every request and answers SUCCESS: what a checking server would verify. */
async function recordingNamesrv(): Promise<{ server: Server; port: number; requests: RemotingCommand[]; close(): Promise<void> }> {
  const requests: RemotingCommand[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const decoder = new FrameDecoder(64 * 1024 * 1024, (buf, start, end) => {
      const request = decodeFrameAt(buf, start, end);
      requests.push(request);
      socket.write(encodeFrame({
        code: ResponseCode.SUCCESS, language: LanguageCode.JAVA, version: request.version, opaque: request.opaque,
        flag: FLAG_RESPONSE, remark: null, extFields: {},
      }, null, SerializeType.JSON));
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    server, port, requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function start(options: Omit<FakeBrokerOptions, 'namesrvAddr'>, namesrvAddr: string): Promise<FakeBroker> {
  const broker = await FakeBroker.start({ ...options, namesrvAddr });
  closers.push(() => broker.stop());
  return broker;
}

describe('FakeBroker credentials', () => {
  it('signs REGISTER_BROKER (body included) and UNREGISTER_BROKER so that the signatures verify', async () => {
    const ns = await recordingNamesrv();
    closers.push(() => ns.close());
    const broker = await start({ brokerName: 'broker-a', topics: ['Orders'], credentials: CREDENTIALS }, `127.0.0.1:${ns.port}`);
    await broker.stop();
    const codes = ns.requests.map((r) => r.code);
    expect(codes).toStrictEqual([RequestCode.REGISTER_BROKER, RequestCode.UNREGISTER_BROKER]);
    for (const request of ns.requests) {
      expect(request.extFields['AccessKey']).toBe('rocketmq2');
      expect(request.extFields['SecurityToken']).toBeUndefined();
      expect(verifySignature(CREDENTIALS.secretKey, request.extFields, request.body)).toBe(true);
      expect(verifySignature('wrong-secret', request.extFields, request.body)).toBe(false);
    }
    // The body is covered: the registration's signature does not hold for another body.
    const register = ns.requests[0]!;
    expect(register.body!.length).toBeGreaterThan(0);
    expect(verifySignature(CREDENTIALS.secretKey, register.extFields, Buffer.from('{}'))).toBe(false);
  });

  it('signs compressed registrations over the compressed bytes, with a security token, in ROCKETMQ headers too', async () => {
    const ns = await recordingNamesrv();
    closers.push(() => ns.close());
    const credentials = { ...CREDENTIALS, securityToken: 'token-1' };
    const broker = await start({
      brokerName: 'broker-z', topics: ['Orders'], credentials, compressedRegistration: true, serializeType: SerializeType.ROCKETMQ,
    }, `127.0.0.1:${ns.port}`);
    await broker.heartbeat();
    expect(ns.requests).toHaveLength(2);
    for (const request of ns.requests) {
      expect(request.extFields['SecurityToken']).toBe('token-1');
      expect(verifySignature(credentials.secretKey, request.extFields, request.body)).toBe(true);
    }
  });

  it('signs exactly as RemotingClient does for the same request', async () => {
    const ns = await recordingNamesrv();
    closers.push(() => ns.close());
    await start({ brokerName: 'broker-c', topics: ['Orders'], credentials: CREDENTIALS }, `127.0.0.1:${ns.port}`);
    const fromBroker = ns.requests[0]!;
    const { Signature: signature, AccessKey: _accessKey, ...plain } = fromBroker.extFields;
    const client = await RemotingClient.connect(ns.port, '127.0.0.1', { credentials: CREDENTIALS });
    await client.invoke(RequestCode.REGISTER_BROKER, plain, fromBroker.body ?? null);
    await client.close();
    const fromClient = ns.requests[1]!;
    expect(fromClient.extFields).toStrictEqual(fromBroker.extFields);
    expect(fromClient.extFields['Signature']).toBe(signature);
  });

  it('refuses credentials without both keys', async () => {
    await expect(FakeBroker.start({ namesrvAddr: '127.0.0.1:9', brokerName: 'b', credentials: { accessKey: 'a', secretKey: '' } }))
      .rejects.toBeInstanceOf(InvalidOptionError);
  });
});

describe('FakeBroker against a name server that checks signatures', () => {
  it('a signed broker registers and unregisters; an unsigned one is refused with NO_PERMISSION', async () => {
    const accessControl = new AccessControl(parseAccessPolicy(`
accounts:
  - { accessKey: ${CREDENTIALS.accessKey}, secretKey: "${CREDENTIALS.secretKey}", roles: [broker] }
anonymous: [client]
`));
    const ns = await startTestNamesrv({ now: () => 1_000, remoting: { accessControl } });
    try {
      const unsigned = FakeBroker.start({ namesrvAddr: ns.address, brokerName: 'b-unsigned', topics: ['T'] });
      await expect(unsigned).rejects.toMatchObject({ responseCode: ResponseCode.NO_PERMISSION });
      expect(ns.registry.getRouteInfoByTopic('T')).toBeNull();

      const broker = await FakeBroker.start({ namesrvAddr: ns.address, brokerName: 'b-signed', topics: ['T'], credentials: CREDENTIALS });
      expect(ns.registry.getRouteInfoByTopic('T')?.brokerDatas[0]?.brokerName).toBe('b-signed');
      await broker.stop();
      expect(ns.registry.getRouteInfoByTopic('T')).toBeNull();
    } finally {
      await ns.close();
    }
  });
});
