/** Helpers of the remoting tests: a server on loopback, raw sockets, broker registrations. */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { RouteRegistry, type RouteRegistryOptions } from '../../src/index.js';
import type { TopicConfig } from '../../src/core/types.js';
import {
  FrameDecoder, RemotingClient, RemotingServer, RequestCode, decodeFrame, encodeRegisterBrokerBody, bodyCrc32,
  type RemotingCommand, type RemotingResponse, type RemotingServerOptions,
} from '../../src/remoting/index.js';

export interface Harness {
  registry: RouteRegistry;
  server: RemotingServer;
  port: number;
  client: RemotingClient;
  /** Closes client, server and registry. */
  close(): Promise<void>;
}

/** A registry served on an ephemeral loopback port, with a connected client. */
export async function startHarness(
  options: { registry?: RouteRegistryOptions; server?: RemotingServerOptions } = {},
): Promise<Harness> {
  const registry = new RouteRegistry(options.registry);
  const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1', ...options.server });
  const { port } = await server.listen();
  const client = await RemotingClient.connect(port, '127.0.0.1');
  return {
    registry, server, port, client,
    async close() {
      await client.close();
      await server.close();
      registry.close();
    },
  };
}

export function topicConfig(topicName: string, overrides: Partial<TopicConfig> = {}): TopicConfig {
  return { topicName, readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0, ...overrides };
}

export interface BrokerSpec {
  clusterName?: string;
  brokerName?: string;
  brokerAddr?: string;
  brokerId?: number;
  haServerAddr?: string;
  topics?: readonly string[];
  counter?: number;
  compressed?: boolean;
  heartbeatTimeoutMillis?: number;
  extra?: Record<string, string>;
}

/** The header and body of a REGISTER_BROKER request, as a RocketMQ broker sends it. */
export function registerRequest(spec: BrokerSpec = {}): { ext: Record<string, string>; body: Buffer } {
  const brokerAddr = spec.brokerAddr ?? '127.0.0.1:10911';
  // A Map: `__proto__` is a legal topic name, which plain assignment would swallow.
  const table = new Map<string, TopicConfig>();
  for (const t of spec.topics ?? ['TopicA', 'TopicB']) table.set(t, topicConfig(t));
  const body = encodeRegisterBrokerBody({
    topicConfigSerializeWrapper: { topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: 1000, counter: spec.counter ?? 1 } },
    filterServerList: [],
  }, spec.compressed ?? false);
  const ext: Record<string, string> = {
    clusterName: spec.clusterName ?? 'DefaultCluster',
    brokerName: spec.brokerName ?? 'broker-a',
    brokerAddr,
    brokerId: String(spec.brokerId ?? 0),
    haServerAddr: spec.haServerAddr ?? brokerAddr.replace(/:\d+$/, ':10912'),
    enableActingMaster: 'false',
    compressed: String(spec.compressed ?? false),
    bodyCrc32: String(bodyCrc32(body)),
    ...spec.extra,
  };
  if (spec.heartbeatTimeoutMillis !== undefined) ext['heartbeatTimeoutMillis'] = String(spec.heartbeatTimeoutMillis);
  return { ext, body };
}

/** Registers a broker over `client`; resolves the response. */
export function registerBroker(client: RemotingClient, spec: BrokerSpec = {}): Promise<RemotingResponse> {
  const { ext, body } = registerRequest(spec);
  return client.invoke(RequestCode.REGISTER_BROKER, ext, body);
}

/** A raw socket that collects whole response frames. */
export class RawConnection {
  readonly socket: Socket;
  readonly frames: RemotingCommand[] = [];
  // Answers are copied out: a frame's body may be a view into a chunk.
  readonly #decoder = new FrameDecoder(64 << 20, (buf, start, end) => this.frames.push(decodeFrame(Buffer.from(buf.subarray(start, end)))));
  #waiters: Array<() => void> = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#decoder.push(chunk);
      this.#wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawConnection(socket);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once `n` frames arrived (or rejects when the socket closes first, or after `ms`). */
  async waitFrames(n: number, ms = 5_000): Promise<RemotingCommand[]> {
    const deadline = Date.now() + ms;
    while (this.frames.length < n) {
      if (this.closed) throw new Error(`socket closed after ${this.frames.length} of ${n} frames`);
      if (Date.now() > deadline) throw new Error(`timed out after ${this.frames.length} of ${n} frames`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.frames.slice(0, n);
  }

  /** Resolves once the server closed the socket (rejects after `ms`). */
  async waitClosed(ms = 5_000): Promise<void> {
    if (this.closed) return;
    await Promise.race([
      once(this.socket, 'close'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('socket still open')), ms).unref()),
    ]);
  }

  write(data: Uint8Array): void {
    this.socket.write(data);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
