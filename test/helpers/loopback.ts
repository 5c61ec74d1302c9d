/**
 * The loopback fixture of the remoting tests: a registry served on an
 * ephemeral 127.0.0.1 port, raw peers (well-behaved or not), clients, and
 * REGISTER_BROKER requests as brokers send them. Whatever a test opens
 * through {@link loopbackFixtures} is closed after it.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach } from 'vitest';
import { RouteRegistry, type RouteRegistryOptions } from '../../src/index.js';
import type { TopicConfig } from '../../src/core/types.js';
import {
  RemotingClient, RemotingServer, RequestCode, type RemotingCommand, type RemotingResponse, type RemotingServerOptions,
} from '../../src/remoting/index.js';
import { FrameDecoder, bodyCrc32, decodeFrame, encodeFrame, encodeRegisterBrokerBody } from '../../src/remoting/codec/index.js';
import { topicConfig } from './registry.js';

export interface Served {
  readonly registry: RouteRegistry;
  readonly server: RemotingServer;
  readonly port: number;
  /** Errors the server reported through its events, by event name. */
  readonly events: { protocolError: Error[]; requestError: Error[]; error: Error[] };
  close(): Promise<void>;
}

/** A registry served on an ephemeral loopback port. */
export async function serve(options: { registry?: RouteRegistryOptions; server?: RemotingServerOptions } = {}): Promise<Served> {
  const registry = new RouteRegistry(options.registry);
  const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1', ...options.server });
  const events = { protocolError: [] as Error[], requestError: [] as Error[], error: [] as Error[] };
  server.on('protocolError', (e) => events.protocolError.push(e.error));
  server.on('requestError', (e) => events.requestError.push(e.error));
  server.on('error', (e) => events.error.push(e));
  const { port } = await server.listen();
  return {
    registry, server, port, events,
    async close() {
      await server.close();
      registry.close();
    },
  };
}

/** A served registry with a connected client. */
export interface Harness extends Served {
  client: RemotingClient;
}

/** Per-test loopback fixtures of a test file; whatever they open is closed after each test, newest first. */
export function loopbackFixtures() {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const fixtures = {
    /** Runs `cleanup` after the current test. */
    defer(cleanup: () => unknown): void {
      cleanups.push(cleanup);
    },
    async start(options: Parameters<typeof serve>[0] = {}): Promise<Served> {
      const s = await serve(options);
      cleanups.push(() => s.close());
      return s;
    },
    /** A served registry and a client connected to it. */
    async harness(options: Parameters<typeof serve>[0] = {}): Promise<Harness> {
      const s = await fixtures.start(options);
      return { ...s, client: await fixtures.client(s.port) };
    },
    async peer(port: number, localAddress?: string): Promise<RawPeer> {
      const p = await RawPeer.open(port, localAddress);
      cleanups.push(() => p.destroy());
      return p;
    },
    async client(port: number): Promise<RemotingClient> {
      const c = await RemotingClient.connect(port, '127.0.0.1');
      cleanups.push(() => c.close());
      return c;
    },
  };
  return fixtures;
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

/** One whole REGISTER_BROKER request frame. */
export function registerFrame(spec: BrokerSpec = {}, opaque = 1): Buffer {
  const { ext, body } = registerRequest(spec);
  return encodeFrame({ code: RequestCode.REGISTER_BROKER, language: 0, version: 479, opaque, flag: 0, remark: null, extFields: ext }, body);
}

/** One whole request frame. */
export function requestFrame(code: number, extFields: Record<string, string>, opaque = 1, body: Buffer | null = null): Buffer {
  return encodeFrame({ code, language: 0, version: 479, opaque, flag: 0, remark: null, extFields }, body);
}

/** A big-endian int32, as frames and compressed bodies carry lengths. */
export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

/** `int32 length + bytes`: a string of RocketMQ's compressed REGISTER_BROKER layout. */
export function lengthPrefixed(s: string | Buffer): Buffer {
  const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([int32(bytes.length), bytes]);
}

/** Connects a client and registers a broker on its connection. */
export async function brokerClient(port: number, spec: BrokerSpec): Promise<RemotingClient> {
  const client = await RemotingClient.connect(port, '127.0.0.1');
  const res = await registerBroker(client, spec);
  if (res.code !== 0) throw new Error(`registration refused: ${res.code} ${res.remark ?? ''}`);
  return client;
}

/**
 * A raw client connection: writes any bytes (half frames, garbage, pipelines),
 * collects the answers the server sends, and can stall or reset.
 */
export class RawPeer {
  readonly socket: Socket;
  /** Answers received, decoded. */
  readonly frames: RemotingCommand[] = [];
  /** The same answers as received (without their length field): header text included. */
  readonly rawFrames: Buffer[] = [];
  closedAt: number | null = null;
  // Answers are copied out: a frame's body may be a view into a chunk.
  readonly #decoder = new FrameDecoder(64 << 20, (buf, start, end) => {
    const frame = Buffer.from(buf.subarray(start, end));
    this.rawFrames.push(frame);
    this.frames.push(decodeFrame(frame));
  });

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#decoder.push(chunk);
    });
    // A refused or reset connection fails with ECONNRESET: that is what these peers are for.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closedAt = performance.now();
    });
  }

  /**
   * Connects to a loopback port, from `localAddress` when given (any of 127.0.0.0/8).
   * Prefer `loopbackFixtures().peer`, which also closes it.
   */
  static async open(port: number, localAddress?: string): Promise<RawPeer> {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress === undefined ? {} : { localAddress }) });
    const peer = new RawPeer(socket);
    await once(socket, 'connect');
    return peer;
  }

  get closed(): boolean {
    return this.closedAt !== null;
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Sends a whole request and waits for its answer. */
  async request(frame: Buffer, ms = 5_000): Promise<RemotingCommand> {
    const n = this.frames.length;
    this.write(frame);
    await waitFor(() => this.frames.length > n || this.closed, ms, 'an answer');
    const answer = this.frames[n];
    if (answer === undefined) throw new Error('connection closed before the answer');
    return answer;
  }

  /** Resolves with the first `n` answers once they arrived; rejects when the connection closes first, or after `ms`. */
  async waitFrames(n: number, ms = 5_000): Promise<RemotingCommand[]> {
    await waitFor(() => this.frames.length >= n || this.closed, ms, `${n} answers`);
    if (this.frames.length < n) throw new Error(`connection closed after ${this.frames.length} of ${n} answers`);
    return this.frames.slice(0, n);
  }

  /** Resolves once the server closed the connection; rejects after `ms`. */
  async waitClosed(ms = 5_000): Promise<void> {
    await waitFor(() => this.closed, ms, 'the connection to close');
  }

  /** Closes with a TCP reset, as a crashed host or a middlebox does. */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Polls `condition` every few milliseconds; rejects after `ms`. */
export async function waitFor(condition: () => boolean, ms = 5_000, what = 'the condition'): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
