/**
 * Access control on the wire: a RemotingServer with an access policy, over
 * loopback. Every refusal answers 16 (NO_PERMISSION) with a remark naming the
 * request class, changes nothing, and leaves the connection serving; a
 * refused oneway request gets no answer.
 */
import { describe, expect, it } from 'vitest';
import { AccessControl, parseAccessPolicy, signExtFields } from '../src/remoting/access/index.js';
import { FLAG_ONEWAY, RemotingClient, RequestCode, ResponseCode, type RemotingServerOptions } from '../src/remoting/index.js';
import { encodeFrame } from '../src/remoting/codec/index.js';
import { loopbackFixtures, registerBroker, registerRequest, requestFrame } from './helpers/loopback.js';
import { zlibBomb } from './helpers/zlib-bomb.js';

const fx = loopbackFixtures();

const OPS = { accessKey: 'ops', secretKey: 's3cret-ops' };
const BROKER = { accessKey: 'broker-a', secretKey: 'bk-sécret' };

function control(whiteBroker: readonly string[] = []): AccessControl {
  return new AccessControl(parseAccessPolicy(JSON.stringify({
    accounts: [
      { accessKey: OPS.accessKey, secretKey: OPS.secretKey, roles: ['admin', 'broker', 'client'] },
      { accessKey: BROKER.accessKey, secretKey: BROKER.secretKey, roles: ['broker'] },
    ],
    anonymous: ['client'],
    whiteRemoteAddresses: { broker: whiteBroker },
  })));
}

/** A server with `accessControl`, a broker registered by the ops account, and an unsigned client. */
async function guarded(whiteBroker: readonly string[] = [], server: RemotingServerOptions = {}) {
  const accessControl = control(whiteBroker);
  const s = await fx.start({ server: { accessControl, ...server } });
  const ops = await RemotingClient.connect(s.port, '127.0.0.1', { credentials: OPS });
  fx.defer(() => ops.close());
  expect((await registerBroker(ops, { topics: ['TopicA', 'TopicB'] })).code).toBe(ResponseCode.SUCCESS);
  const anon = await fx.client(s.port);
  return { ...s, accessControl, ops, anon };
}

function expectRefused(res: { code: number; remark: string | null }, className: string): void {
  expect(res.code).toBe(ResponseCode.NO_PERMISSION);
  expect(res.remark).toContain(`"${className}"`);
}

describe('access control on the remoting port', () => {
  it('serves anonymous reads unsigned', async () => {
    const s = await guarded();
    const route = await s.anon.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' });
    expect(route.code).toBe(ResponseCode.SUCCESS);
    expect((await s.anon.invoke(RequestCode.GET_BROKER_CLUSTER_INFO, {})).code).toBe(ResponseCode.SUCCESS);
  });

  it('refuses an unsigned admin write with 16 naming the class, changes nothing, and keeps serving the connection', async () => {
    const s = await guarded();
    const put = await s.anon.invoke(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' });
    expectRefused(put, 'admin');
    expect(s.server.kvConfig.get('ns', 'k')).toBeNull();
    expectRefused(await s.anon.invoke(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' }), 'admin');
    expectRefused(await s.anon.invoke(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'TopicA' }), 'admin');
    // An unknown code is admin too: refused before it could be answered "not supported".
    expectRefused(await s.anon.invoke(9999, {}), 'admin');
    const route = s.registry.getRouteInfoByTopic('TopicA');
    expect(route?.queueDatas[0]?.perm).toBe(6);
    // Same connection, next request: served.
    expect((await s.anon.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' })).code).toBe(ResponseCode.SUCCESS);
    expect(s.events.protocolError).toEqual([]);
  });

  it('allows a write signed by an account holding the class (RemotingClient credentials, non-ASCII value)', async () => {
    const s = await guarded();
    const put = await s.ops.invoke(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'värde ✓ 値' });
    expect(put.code).toBe(ResponseCode.SUCCESS);
    expect(s.server.kvConfig.get('ns', 'k')).toBe('värde ✓ 値');
    const wipe = await s.ops.invoke(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' });
    expect(wipe.code).toBe(ResponseCode.SUCCESS);
    expect(s.registry.getRouteInfoByTopic('TopicA')?.queueDatas[0]?.perm).toBe(4);
  });

  it('refuses a wrong secret, an unknown key and an account without the class; nothing changes', async () => {
    const s = await guarded();
    const cases: Array<[{ accessKey: string; secretKey: string }, string]> = [
      [{ accessKey: 'ops', secretKey: 'not-the-secret' }, 'signature rejected'],
      [{ accessKey: 'nobody', secretKey: 's3cret-ops' }, 'signature rejected'],
      [BROKER, 'does not hold'],
    ];
    for (const [credentials, why] of cases) {
      const c = await RemotingClient.connect(s.port, '127.0.0.1', { credentials });
      fx.defer(() => c.close());
      const res = await c.invoke(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' });
      expectRefused(res, 'admin');
      expect(res.remark).toContain(why);
      // The connection stays open and answers the next request (a read: refused too when the
      // signature is bad, since a bad signature is never ignored; allowed for the broker account).
      const next = await c.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' });
      expect(next.code).toBe(credentials === BROKER ? ResponseCode.SUCCESS : ResponseCode.NO_PERMISSION);
      expect(c.connected).toBe(true);
    }
    expect(s.server.kvConfig.get('ns', 'k')).toBeNull();
  });

  it('refuses a tampered field or a tampered body, even of an anonymous class', async () => {
    const s = await guarded();
    const peer = await fx.peer(s.port);
    const signed = signExtFields(OPS, { namespace: 'ns', key: 'k', value: 'v' }, null);
    const tampered = { ...signed, value: 'evil' };
    expectRefused(await peer.request(requestFrame(RequestCode.PUT_KV_CONFIG, tampered, 1)), 'admin');
    // Signed properly, the same request passes on the same connection.
    expect((await peer.request(requestFrame(RequestCode.PUT_KV_CONFIG, signed, 2))).code).toBe(ResponseCode.SUCCESS);
    expect(s.server.kvConfig.get('ns', 'k')).toBe('v');

    const { ext, body } = registerRequest({ brokerName: 'broker-b', brokerAddr: '127.0.0.1:20911' });
    const signedReg = signExtFields(BROKER, ext, body);
    const badBody = Buffer.from(body);
    badBody[badBody.length - 2] = (badBody[badBody.length - 2] ?? 0) ^ 1;
    expectRefused(await peer.request(requestFrame(RequestCode.REGISTER_BROKER, signedReg, 3, badBody)), 'broker');
    expect(s.registry.getLiveBrokers().map((b) => b.brokerName)).toEqual(['broker-a']);
    // A read (anonymous class) with a forged signature is refused too.
    const forgedRead = { ...signExtFields(OPS, { topic: 'TopicA' }, null), topic: 'TopicB' };
    expectRefused(await peer.request(requestFrame(RequestCode.GET_ROUTEINFO_BY_TOPIC, forgedRead, 4)), 'client');
    expect(peer.closed).toBe(false);
  });

  it('refuses an unsigned REGISTER_BROKER from an address not white-listed, and allows it from a white-listed one', async () => {
    const outside = await guarded(['10.0.0.0/8']);
    const res = await registerBroker(outside.anon, { brokerName: 'intruder', brokerAddr: '127.0.0.1:30911' });
    expectRefused(res, 'broker');
    expect(outside.registry.getLiveBrokers().map((b) => b.brokerName)).toEqual(['broker-a']);
    // White-listed for broker only: still not admin.
    const inside = await guarded(['127.0.0.1']);
    expect((await registerBroker(inside.anon, { brokerName: 'broker-b', brokerAddr: '127.0.0.1:20911' })).code).toBe(ResponseCode.SUCCESS);
    expect(inside.registry.getLiveBrokers().map((b) => b.brokerName).sort()).toEqual(['broker-a', 'broker-b']);
    expectRefused(await inside.anon.invoke(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'TopicA' }), 'admin');
  });

  it('signs a compressed registration over its compressed bytes, and the broker account may register', async () => {
    const s = await guarded();
    const broker = await RemotingClient.connect(s.port, '127.0.0.1', { credentials: BROKER });
    fx.defer(() => broker.close());
    const res = await registerBroker(broker, { brokerName: 'broker-z', brokerAddr: '127.0.0.1:40911', topics: ['TopicZ', 'TopicY'], compressed: true });
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(s.registry.getRouteInfoByTopic('TopicZ')).not.toBeNull();
  });

  it('gives a refused oneway request no answer; the next request is answered', async () => {
    const s = await guarded();
    const peer = await fx.peer(s.port);
    peer.write(encodeFrame({
      code: RequestCode.PUT_KV_CONFIG, language: 0, version: 479, opaque: 7, flag: FLAG_ONEWAY, remark: null,
      extFields: { namespace: 'ns', key: 'k', value: 'v' },
    }));
    const answer = await peer.request(requestFrame(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' }, 8));
    expect(answer.opaque).toBe(8);
    expect(answer.code).toBe(ResponseCode.SUCCESS);
    expect(peer.frames).toHaveLength(1);
    expect(s.server.kvConfig.get('ns', 'k')).toBeNull();
  });

  it('decides before decoding: a refused zlib bomb is never inflated', async () => {
    const s = await guarded();
    const bomb = await zlibBomb(64 << 20);
    const { ext } = registerRequest({ brokerName: 'bomb', brokerAddr: '127.0.0.1:50911', compressed: true });
    const peer = await fx.peer(s.port);
    const res = await peer.request(requestFrame(RequestCode.REGISTER_BROKER, { ...ext, bodyCrc32: '0' }, 1, bomb));
    expectRefused(res, 'broker');
    // Only frames were ever held: far below what one inflated bomb would have cost.
    expect(s.server.memoryStats().peakHeldBytes).toBeLessThan(4 << 20);
  });

  it('applies a new policy at once (setPolicy, as a reload does)', async () => {
    const s = await guarded();
    expectRefused(await s.anon.invoke(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' }), 'admin');
    s.accessControl.setPolicy(parseAccessPolicy('anonymous: [client, admin]'));
    expect((await s.anon.invoke(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' })).code).toBe(ResponseCode.SUCCESS);
    s.accessControl.setPolicy(parseAccessPolicy('anonymous: []'));
    expectRefused(await s.anon.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' }), 'client');
  });

  it('matches an IPv4-mapped peer (dual-stack listener on ::) against IPv4 entries', async (t) => {
    let s: Awaited<ReturnType<typeof fx.start>>;
    try {
      s = await fx.start({ server: { host: '::', accessControl: control(['127.0.0.1']) } });
    } catch {
      t.skip(); // no IPv6 on this host
      return;
    }
    // The server sees a connection once its first byte arrived (TLS sniffing).
    const seen = new Promise<string>((resolve) => s.server.once('connect', (e) => resolve(e.remoteAddress)));
    const c = await fx.client(s.port);
    const registered = await registerBroker(c, { brokerName: 'mapped', brokerAddr: '127.0.0.1:60911' });
    if (!(await seen).startsWith('::ffff:127.0.0.1:')) {
      t.skip(); // no dual-stack listener here: no mapped addresses to check
      return;
    }
    expect(registered.code).toBe(ResponseCode.SUCCESS);
    expect(s.registry.getLiveBrokers().map((b) => b.brokerName)).toEqual(['mapped']);
    expectRefused(await c.invoke(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' }), 'admin');
  });
});
