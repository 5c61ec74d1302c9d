/**
 * Server children for the decode attack tests: each started with a real broker
 * registered and a probe client, all closed by `closeAll()`; `underAttack`
 * runs an attack while sampling the child's memory and probing its routes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RemotingClient, ResponseCode } from '../../src/remoting/index.js';
import { MiB, routeProbe, sampleRss, until } from './attack-harness.js';
import { registerBroker } from './loopback.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVER = join(ROOT, 'test', 'helpers', 'attack-server.ts');

/** A server child with a route to probe. */
export interface Target {
  readonly child: ChildProcess;
  readonly port: number;
  /** A client on its own connection, with a route (TopicA) to ask for. */
  readonly probeClient: RemotingClient;
}

/** Starts server children and closes them and their clients afterwards. */
export class Targets {
  readonly #children = new Set<ChildProcess>();
  readonly #clients = new Set<RemotingClient>();

  /** Starts a server child, registers a real broker (so routes exist) and connects a probe client. */
  async start(): Promise<Target> {
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
    if (reg.code !== ResponseCode.SUCCESS) throw new Error(`the first registration was refused: ${reg.code}`);
    return { child, port, probeClient };
  }

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
