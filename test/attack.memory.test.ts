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
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RemotingClient, RequestCode, ResponseCode } from '../src/remoting/index.js';
import { bodyCrc32, encodeFrame, FrameDecoder } from '../src/remoting/codec/index.js';
import { registerBroker } from './helpers/loopback.js';
import { zlibBomb } from './helpers/zlib-bomb.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = join(ROOT, 'test', 'helpers', 'attack-server.ts');
const MiB = 1024 * 1024;
const PHASE_TIMEOUT_MS = 90_000;

/** Resident memory of a process in bytes (Linux /proc). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  if (kb === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) * 1024;
}

/** Samples RSS every 10 ms; calls `onExceed` once when it passes `limit`. */
function sampleRss(pid: number, limit: number, onExceed: (rss: number) => void): { peak: () => number; stop: () => void } {
  let peak = 0;
  let exceeded = false;
  const timer = setInterval(() => {
    let rss: number;
    try {
      rss = rssOf(pid);
    } catch {
      return; // the child has gone; the phase notices by itself
    }
    peak = Math.max(peak, rss);
    if (rss > limit && !exceeded) {
      exceeded = true;
      onExceed(rss);
    }
  }, 10);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}

/** Sends a route request every 100 ms on its own connection; records the slowest answer. */
function routeProbe(client: RemotingClient): { stop: () => Promise<number> } {
  let slowest = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const res = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' }, null, { timeoutMillis: 2_000 });
      expect(res.code).toBe(ResponseCode.SUCCESS);
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  loop.catch(() => {}); // surfaced by stop()
  return {
    stop: async () => {
      running = false;
      await loop;
      return slowest;
    },
  };
}

/** Opens a raw socket; resolves with it and a counter of response frames. */
async function rawPeer(port: number): Promise<{ socket: Socket; responses: () => number; closed: Promise<unknown> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  let count = 0;
  const decoder = new FrameDecoder(64 * MiB, () => count++);
  socket.on('data', (c: Buffer) => decoder.push(c));
  socket.on('error', () => {});
  return { socket, responses: () => count, closed: once(socket, 'close') };
}

function registerFrame(opaque: number, brokerName: string, body: Buffer, compressed: boolean): Buffer {
  return encodeFrame({
    code: RequestCode.REGISTER_BROKER, language: 0, version: 479, opaque, flag: 0, remark: null,
    extFields: {
      clusterName: 'AttackCluster', brokerName, brokerAddr: `10.66.0.${opaque % 250}:10911`, brokerId: '0',
      haServerAddr: '10.66.0.1:10912', enableActingMaster: 'false', compressed: String(compressed),
      bodyCrc32: String(bodyCrc32(body)),
    },
  }, body);
}

/** Resolves when `done()` is true, polling; rejects after `ms` or when `abort` rejects. */
async function until(done: () => boolean, ms: number, abort: Promise<never>): Promise<void> {
  const deadline = performance.now() + ms;
  const poll = (async () => {
    while (!done()) {
      if (performance.now() > deadline) throw new Error(`not done within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await Promise.race([poll, abort]);
}

interface Target {
  child: ChildProcess;
  port: number;
  /** A client on its own connection, with a route to ask for. */
  probeClient: RemotingClient;
}

/** Starts a server child, registers a real broker (so routes exist) and connects a probe client. */
async function startTarget(): Promise<Target> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${String(code)})`)));
  });
  const probeClient = await RemotingClient.connect(port, '127.0.0.1');
  clients.add(probeClient);
  // A first registration with exactly one topic is refused (as in RocketMQ): register two.
  const reg = await registerBroker(probeClient, { brokerName: 'broker-real', brokerAddr: '127.0.0.1:10911', topics: ['TopicA', 'TopicB'] });
  expect(reg.code).toBe(ResponseCode.SUCCESS);
  return { child, port, probeClient };
}

/**
 * Runs an attack while sampling the child's RSS and probing routes. A sample
 * over `limit` kills the child and fails at once.
 */
async function attack(target: Target, limit: number, send: () => Promise<() => boolean>): Promise<{ peak: number; slowest: number }> {
  const { child } = target;
  let failExceeded: (err: Error) => void = () => {};
  const exceeded = new Promise<never>((_, reject) => (failExceeded = reject));
  exceeded.catch(() => {});
  const sampler = sampleRss(child.pid!, limit, (rss) => {
    child.kill('SIGKILL');
    failExceeded(new Error(`RSS reached ${Math.round(rss / MiB)} MiB (limit ${limit / MiB} MiB)`));
  });
  const probe = routeProbe(target.probeClient);
  try {
    const done = await send();
    await until(done, PHASE_TIMEOUT_MS, exceeded);
    const slowest = await Promise.race([probe.stop(), exceeded]);
    return { peak: sampler.peak(), slowest };
  } finally {
    sampler.stop();
    await probe.stop().catch(() => {});
  }
}

const running = new Set<ChildProcess>();
const clients = new Set<RemotingClient>();

afterEach(async () => {
  await Promise.all([...clients].map((c) => c.close()));
  clients.clear();
  await Promise.all([...running].map((child) => {
    child.kill('SIGKILL');
    return once(child, 'exit');
  }));
});

describe('memory under hostile input (child process, RSS sampled)', () => {
  it('24 pipelined 120 MiB zlib bombs on one connection: peak RSS ≤ 512 MiB, routes answered within 2 s', async () => {
    const target = await startTarget();
    const bomb = await zlibBomb(120 * MiB);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const peer = await rawPeer(target.port);
    const { peak, slowest } = await attack(target, 512 * MiB, async () => {
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
    const target = await startTarget();
    const peers = await Promise.all(Array.from({ length: 30 }, () => rawPeer(target.port)));
    // Just under the 16 MiB default maxFrameBytes: a legal frame, a JSON body padded to size.
    const pad = 'x'.repeat(16 * MiB - 64 * 1024);
    const body = Buffer.from(JSON.stringify({ topicConfigSerializeWrapper: { topicConfigTable: {} }, filterServerList: [], pad }));
    // Encoded before the probes start: 30 × 16 MiB of CRC and copies would hold this process's own event loop.
    const frames = peers.map((_, i) => registerFrame(i + 1, `big-${i}`, body, false));
    const { peak, slowest } = await attack(target, 768 * MiB, async () => {
      peers.forEach((p, i) => p.socket.write(frames[i] as Buffer));
      return () => peers.every((p) => p.responses() >= 1 || p.socket.destroyed);
    });
    for (const p of peers) p.socket.destroy();
    expect(peak).toBeLessThanOrEqual(768 * MiB);
    expect(slowest).toBeLessThan(2_000);
    // Afterwards: a fresh connection is served normally.
    const fresh = await RemotingClient.connect(target.port, '127.0.0.1');
    clients.add(fresh);
    expect((await fresh.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' })).code).toBe(ResponseCode.SUCCESS);
  }, 150_000);
});
