/**
 * Faults over loopback: connections reset mid-frame, peers that stall,
 * brokers that die or go silent, stale connections of re-registered
 * brokers, connection floods, peers that stop reading. The server keeps
 * serving everyone else and drops exactly the brokers it should.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BrokerUnregisteredEvent } from '../src/index.js';
import { RemotingClient, RequestCode, ResponseCode } from '../src/remoting/index.js';
import { RawPeer, brokerClient, registerFrame, requestFrame, loopbackFixtures, waitFor, type Served } from './helpers/loopback.js';

const { start, peer, client, defer } = loopbackFixtures();

function unregistered(s: Served): BrokerUnregisteredEvent[] {
  const events: BrokerUnregisteredEvent[] = [];
  s.registry.on('brokerUnregistered', (e) => events.push(e));
  return events;
}

async function routeCode(c: RemotingClient, topic: string): Promise<number> {
  return (await c.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic })).code;
}

describe('connection reset mid-frame', () => {
  it('drops only the broker of the reset connection; everyone else is served', async () => {
    const s = await start();
    const events = unregistered(s);
    const healthy = await brokerClient(s.port, { brokerName: 'broker-a', brokerAddr: '10.0.0.1:10911', topics: ['A1', 'A2'] });
    defer(() => healthy.close());
    const doomed = await peer(s.port);
    expect((await doomed.request(registerFrame({ brokerName: 'broker-b', brokerAddr: '10.0.0.2:10911', topics: ['B1', 'B2'] }))).code).toBe(0);
    expect(s.registry.liveBrokerCount).toBe(2);

    const frame = registerFrame({ brokerName: 'broker-b', brokerAddr: '10.0.0.2:10911', topics: ['B1', 'B2'], counter: 2 });
    doomed.write(frame.subarray(0, frame.length >> 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    doomed.reset();

    await waitFor(() => s.registry.liveBrokerCount === 1, 2_000, 'broker-b to be dropped');
    expect(events).toEqual([expect.objectContaining({ brokerName: 'broker-b', brokerAddr: '10.0.0.2:10911', reason: 'channelDestroyed' })]);
    expect(await routeCode(healthy, 'B1')).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(await routeCode(healthy, 'A1')).toBe(ResponseCode.SUCCESS);
    await waitFor(() => s.server.connectionCount === 1, 2_000, 'the reset connection to be forgotten');
    // A reset is the peer's business, not a protocol error, and nothing escapes as a server error.
    expect(s.events).toEqual({ protocolError: [], requestError: [], error: [] });
  });

  it('survives resets at random points of random frames, leaking no connection or broker', async () => {
    const s = await start();
    const healthy = await client(s.port);
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.nat(10_000), fc.boolean(), fc.boolean(), async (cutAt, registerFirst, graceful) => {
      const p = await RawPeer.open(s.port);
      const addr = `10.1.0.${++n % 250}:10911`;
      if (registerFirst) expect((await p.request(registerFrame({ brokerName: `b${n}`, brokerAddr: addr }))).code).toBe(0);
      const frame = registerFrame({ brokerName: `b${n}`, brokerAddr: addr, counter: 2, topics: ['X', 'Y', 'Z'] });
      p.write(frame.subarray(0, cutAt % frame.length));
      if (graceful) p.destroy();
      else p.reset();
      await p.waitClosed(2_000);
      await waitFor(() => s.server.connectionCount === 1 && s.registry.liveBrokerCount === 0, 2_000, 'the server to forget the peer');
    }), { numRuns: 40 });
    expect(await routeCode(healthy, 'X')).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(s.events.requestError).toEqual([]);
    expect(s.events.error).toEqual([]);
  });
});

describe('stalled peers (slowloris)', () => {
  it('a peer that opens a frame and stalls is closed by the idle timeout, and its broker dropped', async () => {
    const s = await start({ server: { idleTimeoutMillis: 300 } });
    const events = unregistered(s);
    const stalled = await peer(s.port);
    expect((await stalled.request(registerFrame({ brokerName: 'slow', brokerAddr: '10.0.0.9:10911' }))).code).toBe(0);
    const frame = registerFrame({ brokerName: 'slow', brokerAddr: '10.0.0.9:10911', counter: 2 });
    const stalledAt = performance.now();
    stalled.write(frame.subarray(0, 6));
    await stalled.waitClosed(3_000);
    const after = (stalled.closedAt as number) - stalledAt;
    expect(after).toBeGreaterThanOrEqual(250);
    expect(after).toBeLessThan(2_000);
    expect(events).toEqual([expect.objectContaining({ brokerName: 'slow', reason: 'channelDestroyed' })]);
    expect(s.server.connectionCount).toBe(0);
  });

  it('many stalled peers are all closed, and a live client is served meanwhile', async () => {
    const s = await start({ server: { idleTimeoutMillis: 300 } });
    const peers = await Promise.all(Array.from({ length: 30 }, () => peer(s.port)));
    for (const p of peers) p.write(Buffer.from([0, 0, 1, 0, 0, 0]));
    const live = await client(s.port);
    // The live client keeps its connection by talking; each request resets its own idle timer.
    for (let i = 0; i < 5; i++) {
      expect(await routeCode(live, 'T')).toBe(ResponseCode.TOPIC_NOT_EXIST);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all(peers.map((p) => p.waitClosed(3_000)));
    expect(live.connected).toBe(true);
    expect(s.server.connectionCount).toBe(1);
  });
});

describe('brokers that die without unregistering', () => {
  it('a silent broker whose connection stays open is dropped within its timeout plus one scan interval', async () => {
    const s = await start({ registry: { scanIntervalMillis: 50 }, server: { idleTimeoutMillis: 0 } });
    s.registry.start();
    const events = unregistered(s);
    const silent = await peer(s.port);
    const registeredAt = performance.now();
    expect((await silent.request(registerFrame({ brokerName: 'mute', brokerAddr: '10.0.0.7:10911', heartbeatTimeoutMillis: 300 }))).code).toBe(0);
    await waitFor(() => events.length > 0, 3_000, 'the silent broker to expire');
    const after = performance.now() - registeredAt;
    expect(after).toBeGreaterThanOrEqual(300);
    // Timeout plus one scan interval, with slack for a busy CI machine.
    expect(after).toBeLessThan(300 + 50 + 700);
    expect(events).toEqual([expect.objectContaining({ brokerName: 'mute', reason: 'expired' })]);
    expect(s.registry.getRouteInfoByTopic('TopicA')).toBeNull();
    // The connection itself is still open; only the broker's registration is gone.
    expect(silent.closed).toBe(false);
  });

  it('a broker that keeps heartbeating (BROKER_HEARTBEAT) outlives its timeout', async () => {
    const s = await start({ registry: { scanIntervalMillis: 50 }, server: { idleTimeoutMillis: 0 } });
    s.registry.start();
    const events = unregistered(s);
    const broker = await peer(s.port);
    const spec = { brokerName: 'alive', brokerAddr: '10.0.0.8:10911', heartbeatTimeoutMillis: 300 };
    expect((await broker.request(registerFrame(spec))).code).toBe(0);
    for (let i = 0; i < 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const hb = await broker.request(requestFrame(RequestCode.BROKER_HEARTBEAT,
        { clusterName: 'DefaultCluster', brokerName: 'alive', brokerAddr: spec.brokerAddr, brokerId: '0' }, i + 2));
      expect(hb.code).toBe(0);
    }
    expect(events).toEqual([]);
    expect(s.registry.liveBrokerCount).toBe(1);
  });

  it('a broker whose process dies (connection closed) is dropped at once', async () => {
    const s = await start();
    const events = unregistered(s);
    const broker = await peer(s.port);
    expect((await broker.request(registerFrame({ brokerName: 'gone' }))).code).toBe(0);
    broker.destroy();
    await waitFor(() => events.length === 1, 2_000, 'the dead broker to be dropped');
    expect(events[0]).toMatchObject({ brokerName: 'gone', reason: 'channelDestroyed' });
  });
});

describe('a stale channel after re-registration', () => {
  it('closing the old connection of a broker that re-registered on a new one drops nothing', async () => {
    const s = await start();
    const events = unregistered(s);
    const spec = { brokerName: 'broker-r', brokerAddr: '10.0.0.5:10911' };
    const first = await peer(s.port);
    expect((await first.request(registerFrame(spec))).code).toBe(0);
    // The broker reconnects (say, after a network blip) and re-registers before the old socket dies.
    const second = await peer(s.port);
    expect((await second.request(registerFrame({ ...spec, counter: 2 }))).code).toBe(0);
    first.reset();
    await first.waitClosed();
    await waitFor(() => s.server.connectionCount === 1, 2_000, 'the old connection to be forgotten');
    expect(events).toEqual([]);
    expect(s.registry.liveBrokerCount).toBe(1);
    expect(s.registry.getRouteInfoByTopic('TopicA')?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: '10.0.0.5:10911' });
    // The connection it lives on now still counts.
    second.destroy();
    await waitFor(() => events.length === 1, 2_000, 'the broker to be dropped with its current connection');
    expect(events[0]).toMatchObject({ brokerName: 'broker-r', reason: 'channelDestroyed' });
  });

  it('an idle old connection timing out after the re-registration drops nothing', async () => {
    const s = await start({ server: { idleTimeoutMillis: 300 } });
    const events = unregistered(s);
    const spec = { brokerName: 'broker-r', brokerAddr: '10.0.0.5:10911' };
    const old = await peer(s.port);
    expect((await old.request(registerFrame(spec))).code).toBe(0);
    const fresh = await peer(s.port);
    expect((await fresh.request(registerFrame({ ...spec, counter: 2 }))).code).toBe(0);
    // Keep the fresh connection busy while the old one idles out.
    const keepAlive = setInterval(() => fresh.write(requestFrame(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, {}, 9)), 100);
    defer(() => clearInterval(keepAlive));
    await old.waitClosed(3_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual([]);
    expect(s.registry.liveBrokerCount).toBe(1);
  });
});

describe('connection floods', () => {
  it('refuses connections beyond maxConnections without hurting the ones it has', async () => {
    const s = await start({ server: { maxConnections: 8 } });
    const brokers = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      brokerClient(s.port, { brokerName: `broker-${i}`, brokerAddr: `10.0.1.${i}:10911`, topics: [`T${i}`, 'Shared'] })));
    for (const b of brokers) defer(() => b.close());
    expect(s.server.connectionCount).toBe(8);

    const flood = await Promise.all(Array.from({ length: 100 }, () => RawPeer.open(s.port).catch(() => null)));
    for (const p of flood) if (p !== null) defer(() => p.destroy());
    // Every extra connection is closed by the server, whatever it sends.
    for (const p of flood) p?.write(requestFrame(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, {}));
    await Promise.all(flood.map((p) => p?.waitClosed(3_000)));
    expect(flood.every((p) => p === null || p.frames.length === 0)).toBe(true);

    expect(s.server.connectionCount).toBe(8);
    expect(s.registry.liveBrokerCount).toBe(8);
    for (const b of brokers) {
      const res = await b.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Shared' });
      expect(res.code).toBe(ResponseCode.SUCCESS);
      expect((JSON.parse(res.body?.toString() ?? '{}') as { brokerDatas: unknown[] }).brokerDatas).toHaveLength(8);
    }
    // Capacity freed is capacity available again.
    await brokers[0]?.close();
    await waitFor(() => s.server.connectionCount === 7, 2_000, 'a slot to free up');
    const late = await client(s.port);
    expect(await routeCode(late, 'T1')).toBe(ResponseCode.SUCCESS);
  });
});

describe('peers that stop reading', () => {
  it('close() finishes promptly even when a peer never reads its answers', async () => {
    const s = await start({ server: { idleTimeoutMillis: 0 } });
    // A route big enough that answers pile up in the socket buffers.
    const topics = Array.from({ length: 200 }, (_, i) => `Topic-${i}`);
    const b = await brokerClient(s.port, { topics });
    defer(() => b.close());
    const deaf = await peer(s.port);
    deaf.socket.pause();
    const burst = Buffer.concat(Array.from({ length: 2_000 }, (_, i) => requestFrame(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, {}, i)));
    deaf.write(burst);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    const closing = s.close();
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 3_000))]);
    const took = performance.now() - started;
    // Otherwise close() waits forever for the peer to drain its answers (and the test's own cleanup hangs).
    deaf.destroy();
    await closing;
    expect(took).toBeLessThan(2_000);
  });
});
