/**
 * The harness of the attack tests: a name server in a child process (its
 * resident memory sampled from /proc), a real broker registered on it, route
 * probes on their own connection, and raw attacking peers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { RemotingClient, RequestCode, ResponseCode, type RemotingCommand } from '../../src/remoting/index.js';
import { bodyCrc32, decodeFrameAt, encodeFrame, FrameDecoder } from '../../src/remoting/codec/index.js';
import { registerBroker } from './loopback.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER = join(ROOT, 'test', 'helpers', 'attack-server.ts');
export const MiB = 1024 * 1024;
/** How long one attack phase may take before the test fails. */
export const PHASE_TIMEOUT_MS = 90_000;

/** Resident memory of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  if (kb === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) * 1024;
}

/** Samples RSS every 10 ms; calls `onExceed` once when it passes `limit`. */
export function sampleRss(pid: number, limit: number, onExceed: (rss: number) => void): { peak: () => number; stop: () => void } {
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
export function routeProbe(client: RemotingClient): { stop: () => Promise<number> } {
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

/** Opens a raw socket; resolves with it, a counter of response frames and the responses. */
export async function rawPeer(port: number): Promise<{ socket: Socket; responses: () => number; answers: RemotingCommand[]; closed: Promise<unknown> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  const answers: RemotingCommand[] = [];
  const decoder = new FrameDecoder(64 * MiB, (buf, start, end) => answers.push(decodeFrameAt(buf, start, end)));
  socket.on('data', (c: Buffer) => decoder.push(c));
  socket.on('error', () => {});
  return { socket, responses: () => answers.length, answers, closed: once(socket, 'close') };
}

export function registerFrame(opaque: number, brokerName: string, body: Buffer, compressed: boolean): Buffer {
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
export async function until(done: () => boolean, ms: number, abort: Promise<never>): Promise<void> {
  const deadline = performance.now() + ms;
  const poll = (async () => {
    while (!done()) {
      if (performance.now() > deadline) throw new Error(`not done within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await Promise.race([poll, abort]);
}

/** A server child with a route to probe. */
export interface Target {
  readonly child: ChildProcess;
  readonly port: number;
  /** A client on its own connection, with a route (TopicA) to ask for. */
  readonly probeClient: RemotingClient;
}

/** Starts server children for one test file and closes them and their clients after each test (`closeAll`). */
export class Targets {
  readonly #children = new Set<ChildProcess>();
  readonly #clients = new Set<RemotingClient>();

  /**
   * Starts a server child (default options, plus `options`; `scan`: silent brokers expire), registers a
   * real broker (so routes exist) and connects a probe client.
   */
  async start(options: Record<string, unknown> = {}, scan = false): Promise<Target> {
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ATTACK_SERVER_OPTIONS: JSON.stringify(options), ATTACK_SERVER_SCAN: scan ? '1' : '0' },
    });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /port (\d+)/.exec(out);
        if (m !== null) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`server exited early (${String(code)})`)));
    });
    const probeClient = await this.client(port);
    // A first registration with exactly one topic is refused (as in RocketMQ): register two.
    const reg = await registerBroker(probeClient, { brokerName: 'broker-real', brokerAddr: '127.0.0.1:10911', topics: ['TopicA', 'TopicB'] });
    expect(reg.code).toBe(ResponseCode.SUCCESS);
    return { child, port, probeClient };
  }

  /** A client of a target, closed by {@link closeAll}. */
  async client(port: number): Promise<RemotingClient> {
    const client = await RemotingClient.connect(port, '127.0.0.1');
    this.#clients.add(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#clients].map((c) => c.close()));
    this.#clients.clear();
    await Promise.all([...this.#children].map((child) => {
      child.kill('SIGKILL');
      return once(child, 'exit');
    }));
  }
}

/**
 * Runs an attack while sampling the child's RSS and probing routes: `send`
 * starts it and returns when it is over. A sample over `limit` kills the
 * child and fails at once.
 */
export async function underAttack(
  target: Target, limit: number, timeoutMs: number, send: () => Promise<() => boolean>,
): Promise<{ peak: number; slowest: number }> {
  const { child } = target;
  let failExceeded: (err: Error) => void = () => {};
  const exceeded = new Promise<never>((_, reject) => (failExceeded = reject));
  exceeded.catch(() => {});
  const sampler = sampleRss(child.pid as number, limit, (rss) => {
    child.kill('SIGKILL');
    failExceeded(new Error(`RSS reached ${Math.round(rss / MiB)} MiB (limit ${limit / MiB} MiB)`));
  });
  const probe = routeProbe(target.probeClient);
  try {
    const done = await Promise.race([send(), exceeded]);
    await until(done, timeoutMs, exceeded);
    const slowest = await Promise.race([probe.stop(), exceeded]);
    return { peak: sampler.peak(), slowest };
  } finally {
    sampler.stop();
    await probe.stop().catch(() => {});
  }
}
