/**
 * Hostile REGISTER_BROKER bodies on the decode path (issue 20, rows H1, H2
 * and H10), against a server with default options in a child process whose
 * resident memory is sampled, with route probes on another connection
 * (answered within 5 s: a loaded shared machine adds seconds, a blocked
 * event loop added minutes):
 * - H1: a compressed registration of 4,000,000 small topics (~100 MiB
 *   inflated) is refused for `maxTopicsPerRegistration`, registry unchanged;
 *   100,000-topic registrations, plain and compressed, still register;
 * - H2: 50 connections × 20 zlib bombs (valid head, inflated up to the 64 MiB cap)
 *   beside a broker registering compressed and plain bodies: the broker is
 *   served in its turn, not behind the bombs;
 * - H10: 30 connections × one 16 MiB registration (10,000 topics, padded)
 *   at once: all decoded on the workers and registered (none refused for
 *   want of queue room), memory within the contract's 768 MiB.
 */
import { once } from 'node:events';
import { createDeflate } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestCode, ResponseCode } from '../src/remoting/index.js';
import { FrameDecoder, decodeFrame } from '../src/remoting/codec/index.js';
import { MiB, Targets, rawPeer, registerFrame as attackFrame, underAttack } from './helpers/attack-harness.js';
import { int32, registerRequest } from './helpers/loopback.js';

const CONTRACT_BOUND = 768 * MiB;
/** Route answers on another connection: well under the 30-90 s a blocked event loop cost before. */
const ROUTE_BOUND_MS = 5_000;
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

/**
 * A zlib bomb that passes every check of its first inflated bytes (a data
 * version, valid topic records, then a record whose fields come first and
 * whose attributes are ~`bytes` of spaces), so a worker inflates it up to the cap.
 */
function headedBomb(bytes: number): Promise<Buffer> {
  return deflated(async (push) => {
    const records = Array.from({ length: 20 }, (_, t) => Buffer.from(`bomb-topic-${t} 1 1 6 SINGLE_TAG`));
    const last = Buffer.from('bomb-topic-last 1 1 6 SINGLE_TAG ');
    await push(Buffer.concat([int32(2), Buffer.from('{}'), int32(21), ...records.flatMap((r) => [int32(r.length), r]),
      int32(last.length + bytes), last]));
    const spaces = Buffer.alloc(MiB, 0x20);
    for (let left = bytes; left > 0; left -= MiB) await push(left >= MiB ? spaces : spaces.subarray(0, left));
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
    const frames = peers.map((_, i) => attackFrame(i + 1, `huge-${i}`, body, true));
    const { peak, slowest } = await underAttack(target, CONTRACT_BOUND, 90_000, async () => {
      peers.forEach((p, i) => p.socket.write(frames[i] as Buffer));
      return () => peers.every((p) => p.responses() >= 1);
    });
    for (const answer of await Promise.all(answers)) {
      expect(answer.code).not.toBe(ResponseCode.SUCCESS);
      expect(answer.remark).toMatch(/maxTopicsPerRegistration \(500000\)/);
    }
    console.log(`H1: peak RSS ${Math.round(peak / MiB)} MiB, slowest route ${Math.round(slowest)} ms`);
    expect(peak).toBeLessThan(CONTRACT_BOUND);
    expect(slowest).toBeLessThan(ROUTE_BOUND_MS);
    // The registry is unchanged: no topic of the refused bodies exists.
    const route = await target.probeClient.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 't1' });
    expect(route.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    // A broker of 100,000 topics registers, plain and compressed.
    const topics = Array.from({ length: 100_000 }, (_, t) => `big-topic-${t}`);
    const broker = await targets.client(target.port);
    for (const compressed of [false, true]) {
      const { ext, body: big } = registerRequest({ brokerName: `big-${String(compressed)}`, brokerAddr: '127.0.0.2:10911', topics, compressed });
      const res = await broker.invoke(RequestCode.REGISTER_BROKER, ext, big, { timeoutMillis: 30_000 });
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
    const beside = (round: number): ReturnType<typeof registerRequest> => registerRequest({
      brokerName: 'broker-beside', brokerAddr: '127.0.0.3:10911', topics, compressed: round % 2 === 0, counter: round + 1,
    });
    // Registered before the attack, as a running broker is (and the decode worker is warm).
    const first = beside(0);
    expect((await broker.invoke(RequestCode.REGISTER_BROKER, first.ext, first.body, { timeoutMillis: 24_000 })).code).toBe(ResponseCode.SUCCESS);
    const bombs = attackers.map((_, c) => Buffer.concat(Array.from({ length: 20 }, (_, k) => attackFrame(c * 20 + k + 1, `bomb-${c}`, bomb, true))));
    const { peak, slowest } = await underAttack(target, CONTRACT_BOUND, 60_000, async () => {
      attackers.forEach((a, c) => a.socket.write(bombs[c] as Buffer));
      for (let round = 0; round < 6; round++) {
        const started = performance.now();
        const { ext, body } = beside(round + 1);
        // RocketMQ brokers wait 24 s (registerBrokerTimeoutMills) for an answer.
        const res = await broker.invoke(RequestCode.REGISTER_BROKER, ext, body, { timeoutMillis: 24_000 });
        expect(res.code).toBe(ResponseCode.SUCCESS);
        timings.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 3_000 - Math.min(3_000, performance.now() - started)));
      }
      return () => true;
    });
    for (const a of attackers) a.socket.destroy();
    console.log(`H2: peak RSS ${Math.round(peak / MiB)} MiB, slowest route ${Math.round(slowest)} ms`);
    // Each registration waited for at most one bomb per attacking connection, never for the whole backlog
    // (1,000 bombs): well within the 15 s after which a broker that did not re-register expires.
    console.log(`H2: registrations beside the bombs answered in ${timings.map((t) => Math.round(t)).join(', ')} ms`);
    expect(Math.max(...timings)).toBeLessThan(15_000);
    expect(peak).toBeLessThan(CONTRACT_BOUND);
    expect(slowest).toBeLessThan(ROUTE_BOUND_MS);
  }, 180_000);

  it('H10: 30 connections × a 16 MiB registration at once: all decoded on the workers and answered, memory within 768 MiB', async () => {
    const target = await targets.start();
    const peers = await Promise.all(Array.from({ length: 30 }, () => rawPeer(target.port)));
    // The contract's case: a legal frame just under the 16 MiB default, a real table of 10,000 topics padded to size.
    const table = Array.from({ length: 10_000 }, (_, t) => `"topic-${t}":{"attributes":{},"order":false,"perm":6,"readQueueNums":8,`
      + `"topicFilterType":"SINGLE_TAG","topicName":"topic-${t}","topicSysFlag":0,"writeQueueNums":8}`).join(',');
    const head = `{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":1,"stateVersion":0,"timestamp":1},`
      + `"topicConfigTable":{${table}}},"pad":"`;
    const body = Buffer.from(`${head}${'x'.repeat(16 * MiB - 64 * 1024 - head.length)}"}`);
    const answers = peers.map((p) => firstResponse(p.socket));
    // Encoded before the probes start: 480 MiB of CRC and copies would hold this process's own event loop.
    const frames = peers.map((_, i) => attackFrame(i + 1, `big-${i}`, body, false));
    const { peak, slowest } = await underAttack(target, CONTRACT_BOUND, 150_000, async () => {
      peers.forEach((p, i) => p.socket.write(frames[i] as Buffer));
      return () => peers.every((p) => p.responses() >= 1);
    });
    // None refused for want of queue room: every one waited for its connection's turn and registered.
    for (const answer of await Promise.all(answers)) expect(answer.code).toBe(ResponseCode.SUCCESS);
    console.log(`H10: peak RSS ${Math.round(peak / MiB)} MiB, slowest route ${Math.round(slowest)} ms`);
    expect(peak).toBeLessThan(CONTRACT_BOUND);
    expect(slowest).toBeLessThan(ROUTE_BOUND_MS);
  }, 240_000);
});
