/**
 * Hostile REGISTER_BROKER bodies on the decode path (issue 20, rows H1, H2
 * and H10), against a server with default options in a child process whose
 * resident memory is sampled, with route probes on another connection:
 * - H1: a compressed registration of 4,000,000 small topics (~100 MiB
 *   inflated) is refused for `maxTopicsPerRegistration`, registry unchanged;
 *   100,000-topic registrations, plain and compressed, still register;
 * - H2: 50 connections × 20 zlib bombs (valid head, inflating to ~120 MiB)
 *   beside a broker registering compressed and plain bodies: the broker is
 *   served in its turn, not behind the bombs;
 * - H10: 30 connections × one 16 MiB registration of real topics at once:
 *   all answered, memory within the contract's 768 MiB.
 */
import { once } from 'node:events';
import { createDeflate } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestCode, ResponseCode } from '../src/remoting/index.js';
import { FrameDecoder, decodeFrame } from '../src/remoting/codec/index.js';
import { MiB, Targets, attackFrame, rawPeer, underAttack } from './helpers/attack-harness.js';
import { int32, registerBroker } from './helpers/loopback.js';

const CONTRACT_BOUND = 768 * MiB;
const targets = new Targets();

afterEach(() => targets.closeAll());

/** Deflates what `write` writes, piece by piece (no piece held longer than needed). */
async function deflated(write: (push: (piece: Buffer) => Promise<void>) => Promise<void>): Promise<Buffer> {
  const deflate = createDeflate({ level: 6 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = once(deflate, 'end');
  await write(async (piece) => {
    if (!deflate.write(piece)) await once(deflate, 'drain');
  });
  deflate.end();
  await ended;
  return Buffer.concat(out);
}

/** RocketMQ's compressed layout with `count` topics `t<i> 1 1 6 SINGLE_TAG`. */
function manyTopicsBody(count: number): Promise<Buffer> {
  return deflated(async (push) => {
    const version = Buffer.from('{"counter":1,"stateVersion":0,"timestamp":1}');
    await push(Buffer.concat([int32(version.length), version, int32(count)]));
    for (let from = 0; from < count; from += 100_000) {
      const records: Buffer[] = [];
      for (let t = from; t < Math.min(count, from + 100_000); t++) {
        const record = Buffer.from(`t${t} 1 1 6 SINGLE_TAG`);
        records.push(int32(record.length), record);
      }
      await push(Buffer.concat(records));
    }
    const filters = Buffer.from('[]');
    await push(Buffer.concat([int32(filters.length), filters, int32(0)]));
  });
}

/** A zlib bomb whose head is valid (a data version, one topic), so it is inflated whole: ~`bytes` of zeros. */
function headedBomb(bytes: number): Promise<Buffer> {
  return deflated(async (push) => {
    await push(Buffer.concat([int32(2), Buffer.from('{}'), int32(1), int32(bytes)]));
    const zeros = Buffer.alloc(MiB);
    for (let left = bytes; left > 0; left -= MiB) await push(left >= MiB ? zeros : zeros.subarray(0, left));
  });
}

/** The response to the first frame a peer gets. */
function firstResponse(socket: import('node:net').Socket): Promise<{ code: number; remark: string | null }> {
  return new Promise((resolve) => {
    const decoder = new FrameDecoder(64 * MiB, (buf, start, end) => {
      const cmd = decodeFrame(buf.subarray(start, end));
      resolve({ code: cmd.code, remark: cmd.remark });
    });
    socket.on('data', (c: Buffer) => decoder.push(c));
  });
}

describe('hostile registrations on the decode path (child process, RSS sampled)', () => {
  it('H1: 4,000,000 compressed topics are refused for maxTopicsPerRegistration; 100k-topic bodies still register', async () => {
    const target = await targets.start();
    const body = await manyTopicsBody(4_000_000);
    expect(body.length).toBeLessThan(16 * MiB - 4096);
    const peers = await Promise.all([0, 1, 2].map(() => rawPeer(target.port)));
    const answers = peers.map((p) => firstResponse(p.socket));
    const { peak, slowest } = await underAttack(target, CONTRACT_BOUND, 90_000, async () => {
      peers.forEach((p, i) => p.socket.write(attackFrame(i + 1, `huge-${i}`, body, true)));
      return () => peers.every((p) => p.responses() >= 1);
    });
    for (const answer of await Promise.all(answers)) {
      expect(answer.code).not.toBe(ResponseCode.SUCCESS);
      expect(answer.remark).toMatch(/maxTopicsPerRegistration \(500000\)/);
    }
    expect(peak).toBeLessThan(CONTRACT_BOUND);
    expect(slowest).toBeLessThan(2_000);
    // The registry is unchanged: no topic of the refused bodies exists.
    const route = await target.probeClient.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 't1' });
    expect(route.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    // A broker of 100,000 topics registers, plain and compressed.
    const topics = Array.from({ length: 100_000 }, (_, t) => `big-topic-${t}`);
    const broker = await targets.client(target.port);
    for (const compressed of [false, true]) {
      const res = await registerBroker(broker, { brokerName: `big-${String(compressed)}`, brokerAddr: '127.0.0.2:10911', topics, compressed });
      expect(res.code).toBe(ResponseCode.SUCCESS);
    }
    const bigRoute = await target.probeClient.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'big-topic-99999' });
    expect(bigRoute.code).toBe(ResponseCode.SUCCESS);
  }, 180_000);

  it('H2: 50 connections × 20 zlib bombs do not hold up a broker registering compressed and plain bodies', async () => {
    const target = await targets.start();
    const bomb = await headedBomb(120 * MiB);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const attackers = await Promise.all(Array.from({ length: 50 }, () => rawPeer(target.port)));
    const broker = await targets.client(target.port);
    // A broker's table over 64 KiB plain: ~1,000 topics, as RocketMQ 5 brokers register.
    const topics = Array.from({ length: 1_000 }, (_, t) => `broker-topic-${t}`);
    const timings: number[] = [];
    const { peak, slowest } = await underAttack(target, CONTRACT_BOUND, 60_000, async () => {
      attackers.forEach((a, c) => a.socket.write(Buffer.concat(
        Array.from({ length: 20 }, (_, k) => attackFrame(c * 20 + k + 1, `bomb-${c}`, bomb, true)))));
      for (let round = 0; round < 6; round++) {
        const started = performance.now();
        const res = await registerBroker(broker, {
          brokerName: 'broker-beside', brokerAddr: '127.0.0.3:10911', topics, compressed: round % 2 === 0, counter: round + 1,
        });
        expect(res.code).toBe(ResponseCode.SUCCESS);
        timings.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 3_000 - Math.min(3_000, performance.now() - started)));
      }
      return () => true;
    });
    for (const a of attackers) a.socket.destroy();
    // Each registration waited for at most one bomb per attacking connection, never for the whole backlog.
    expect(Math.max(...timings)).toBeLessThan(12_000);
    expect(peak).toBeLessThan(CONTRACT_BOUND);
    expect(slowest).toBeLessThan(2_000);
  }, 180_000);

  it('H10: 30 connections × a 16 MiB registration of real topics at once: all answered, memory within 768 MiB', async () => {
    const target = await targets.start();
    const peers = await Promise.all(Array.from({ length: 30 }, () => rawPeer(target.port)));
    // ~96,000 fastjson topic records fill a frame just under the 16 MiB limit.
    const record = (t: number): string => `"topic-with-a-long-name-${t}":{"attributes":{},"order":false,"perm":6,"readQueueNums":8,`
      + `"topicFilterType":"SINGLE_TAG","topicName":"topic-with-a-long-name-${t}","topicSysFlag":0,"writeQueueNums":8}`;
    const records: string[] = [];
    let size = 0;
    for (let t = 0; size < 16 * MiB - 64 * 1024; t++) {
      const r = record(t);
      records.push(r);
      size += r.length + 1;
    }
    const body = Buffer.from(`{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":1,"stateVersion":0,`
      + `"timestamp":1},"topicConfigTable":{${records.join(',')}}}}`);
    expect(body.length).toBeLessThan(16 * MiB - 1024);
    const answers = peers.map((p) => firstResponse(p.socket));
    const { peak, slowest } = await underAttack(target, CONTRACT_BOUND, 150_000, async () => {
      // One broker name: each registration replaces the last, so the registry holds one table, not thirty.
      peers.forEach((p, i) => p.socket.write(attackFrame(i + 1, 'big', body, false)));
      return () => peers.every((p) => p.responses() >= 1);
    });
    for (const answer of await Promise.all(answers)) expect(answer.code).toBe(ResponseCode.SUCCESS);
    expect(peak).toBeLessThan(CONTRACT_BOUND);
    expect(slowest).toBeLessThan(2_000);
  }, 240_000);
});
