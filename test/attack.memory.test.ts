/**
 * The memory amplification attacks of issue 11, against a server in a child
 * process whose resident memory (VmRSS) is sampled throughout:
 * - 24 pipelined REGISTER_BROKER frames on one unauthenticated connection,
 *   `compressed=true` with a correct `bodyCrc32`, each body a ~120 KiB zlib
 *   stream inflating to 120 MiB: peak RSS must stay ≤ 512 MiB;
 * - 30 connections each sending a legal (just under 16 MiB) frame at once:
 *   peak RSS ≤ 768 MiB;
 * in both, route requests on another connection are answered within 2 s, and
 * the server answers normally afterwards. A sample over the limit ends the
 * phase at once (and kills the child), so a failing run stays short.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RequestCode, ResponseCode } from '../src/remoting/index.js';
import { MiB, PHASE_TIMEOUT_MS, rawPeer, registerFrame, Targets, underAttack } from './helpers/attack-harness.js';
import { zlibBomb } from './helpers/zlib-bomb.js';

const targets = new Targets();
afterEach(() => targets.closeAll());

describe('memory under hostile input (child process, RSS sampled)', () => {
  it('24 pipelined 120 MiB zlib bombs on one connection: peak RSS ≤ 512 MiB, routes answered within 2 s', async () => {
    const target = await targets.start();
    const bomb = await zlibBomb(120 * MiB);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const peer = await rawPeer(target.port);
    const { peak, slowest } = await underAttack(target, 512 * MiB, PHASE_TIMEOUT_MS, async () => {
      const frames = Array.from({ length: 24 }, (_, i) => registerFrame(i + 1, `bomb-${i}`, bomb, true));
      peer.socket.write(Buffer.concat(frames));
      let closed = false;
      void peer.closed.then(() => (closed = true));
      return () => peer.responses() >= 24 || closed;
    });
    peer.socket.destroy();
    expect(peak).toBeLessThanOrEqual(512 * MiB);
    expect(slowest).toBeLessThan(2_000);
    const res = await target.probeClient.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' });
    expect(res.code).toBe(ResponseCode.SUCCESS);
  }, 150_000);

  it('30 connections × a legal 16 MiB frame at once: peak RSS ≤ 768 MiB, routes answered within 2 s', async () => {
    const target = await targets.start();
    const peers = await Promise.all(Array.from({ length: 30 }, () => rawPeer(target.port)));
    // Just under the 16 MiB default maxFrameBytes: a legal frame, a JSON body padded to size.
    const pad = 'x'.repeat(16 * MiB - 64 * 1024);
    const body = Buffer.from(JSON.stringify({ topicConfigSerializeWrapper: { topicConfigTable: {} }, filterServerList: [], pad }));
    // Encoded before the probes start: 30 × 16 MiB of CRC and copies would hold this process's own event loop.
    const frames = peers.map((_, i) => registerFrame(i + 1, `big-${i}`, body, false));
    const { peak, slowest } = await underAttack(target, 768 * MiB, PHASE_TIMEOUT_MS, async () => {
      peers.forEach((p, i) => p.socket.write(frames[i] as Buffer));
      return () => peers.every((p) => p.responses() >= 1 || p.socket.destroyed);
    });
    for (const p of peers) p.socket.destroy();
    expect(peak).toBeLessThanOrEqual(768 * MiB);
    expect(slowest).toBeLessThan(2_000);
    // Afterwards: a fresh connection is served normally.
    const fresh = await targets.client(target.port);
    expect((await fresh.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' })).code).toBe(ResponseCode.SUCCESS);
  }, 150_000);
});
