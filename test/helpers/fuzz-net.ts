/**
 * Loopback helpers of the fault and security tests: a served registry, raw
 * peers that misbehave on purpose, and REGISTER_BROKER requests as brokers send them.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach } from 'vitest';
import { RouteRegistry, type RouteRegistryOptions } from '../../src/index.js';
import {
  RemotingClient, RemotingServer, RequestCode, FrameDecoder, decodeFrame, encodeFrame,
  type RemotingCommand, type RemotingServerOptions,
} from '../../src/remoting/index.js';
import { registerRequest, type BrokerSpec } from './remoting.js';

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

export { registerRequest, type BrokerSpec } from './remoting.js';

/** Per-test loopback fixtures of a test file; whatever they open is closed after each test, newest first. */
export function loopbackFixtures() {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    /** Runs `cleanup` after the current test. */
    defer(cleanup: () => unknown): void {
      cleanups.push(cleanup);
    },
    async start(options: Parameters<typeof serve>[0] = {}): Promise<Served> {
      const s = await serve(options);
      cleanups.push(() => s.close());
      return s;
    },
    async peer(port: number): Promise<RawPeer> {
      const p = await RawPeer.open(port);
      cleanups.push(() => p.destroy());
      return p;
    },
    async client(port: number): Promise<RemotingClient> {
      const c = await RemotingClient.connect(port, '127.0.0.1');
      cleanups.push(() => c.close());
      return c;
    },
  };
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

/** A client connection that can misbehave: half frames, stalls, resets. */
export class RawPeer {
  readonly socket: Socket;
  readonly frames: RemotingCommand[] = [];
  closedAt: number | null = null;
  // Answers are copied out: a frame's body may be a view into a chunk.
  readonly #decoder = new FrameDecoder(64 << 20, (buf, start, end) => this.frames.push(decodeFrame(Buffer.from(buf.subarray(start, end)))));

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

  static async open(port: number): Promise<RawPeer> {
    const socket = connect(port, '127.0.0.1');
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

/** Connects a client and registers a broker on its connection. */
export async function brokerClient(port: number, spec: BrokerSpec): Promise<RemotingClient> {
  const client = await RemotingClient.connect(port, '127.0.0.1');
  const { ext, body } = registerRequest(spec);
  const res = await client.invoke(RequestCode.REGISTER_BROKER, ext, body);
  if (res.code !== 0) throw new Error(`registration refused: ${res.code} ${res.remark ?? ''}`);
  return client;
}
