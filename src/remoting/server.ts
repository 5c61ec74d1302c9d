/**
 * The TCP server speaking RocketMQ's remoting protocol in front of a
 * {@link RouteRegistry}: RocketMQ's `NettyRemotingServer` plus
 * `BrokerHousekeepingService`.
 * @module
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import { InvalidOptionError } from '../core/errors.js';
import { KvConfigStore } from '../core/kv-config.js';
import type { RouteRegistry } from '../core/registry.js';
import { FLAG_ONEWAY, FLAG_RESPONSE, RequestCode, ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import { FrameDecodeError } from './errors.js';
import { decodeFrameWithShape, FrameDecoder } from './frame.js';
import { handleRequest, type HandlerContext, type Reply } from './handlers.js';
import { JsonHeaderShape } from './header-scan.js';
import { resolveRemotingServerOptions, type RemotingServerOptions, type ResolvedRemotingServerOptions } from './options.js';
import { encodeResponse, ResponseBatch } from './response.js';

/** Payload of `protocolError`: a connection sent bytes that are not frames and was closed. */
export interface ProtocolErrorEvent {
  readonly remoteAddress: string;
  readonly error: Error;
}

/** Payload of `requestError`: a request failed and was answered with SYSTEM_ERROR. */
export interface RequestErrorEvent {
  readonly remoteAddress: string;
  /** The request code. */
  readonly code: number;
  readonly error: Error;
}

/** Events of a {@link RemotingServer} (eventemitter3 object-map form). */
export interface RemotingServerEvents {
  /** A connection was accepted. */
  connect: (event: { readonly remoteAddress: string }) => void;
  /** A connection closed (by either side, an error or the idle timeout); its brokers were dropped. */
  disconnect: (event: { readonly remoteAddress: string }) => void;
  protocolError: (event: ProtocolErrorEvent) => void;
  requestError: (event: RequestErrorEvent) => void;
  /** The listening socket failed after `listen()` resolved. */
  error: (error: Error) => void;
}

/** Per-connection state. */
interface Connection {
  readonly socket: Socket;
  readonly remoteAddress: string;
  readonly decoder: FrameDecoder;
  /** The layout of this peer's last JSON header: its next one is usually read by comparison. */
  readonly shape: JsonHeaderShape;
  /** Responses produced while one read is processed, written together. */
  readonly batch: ResponseBatch;
  /** True while a read is being processed (its responses go to `batch`). */
  batching: boolean;
  /** Reading is paused until the socket drains. */
  paused: boolean;
}

/**
 * Output buffers for large batches (pipelined requests) are recycled once
 * written: fresh memory for every batch costs page faults that rival the
 * copying. A few are kept, shared by all connections; small batches use
 * Node's own pool.
 */
const SPARE_BYTES = 1 << 20;
const MIN_SPARE_USE = 16 * 1024;
const MAX_SPARES = 4;
/** How long close() waits for a connection to take its last answers. */
const CLOSE_GRACE_MILLIS = 1_000;

/**
 * Serves a {@link RouteRegistry} over RocketMQ's remoting protocol, so Java,
 * Go, C++ and Node RocketMQ brokers and clients can use it as their name server.
 *
 * A connection that closes, fails or stays idle (`idleTimeoutMillis`) has
 * its brokers dropped through `registry.onChannelDestroy(socket)`; the
 * registration's channel is the `net.Socket` it came on.
 *
 * @example
 * ```ts
 * const server = new RemotingServer(new RouteRegistry(), { port: 9876 });
 * await server.listen();
 * // ...
 * await server.close();
 * ```
 */
export class RemotingServer extends EventEmitter<RemotingServerEvents> {
  readonly #options: ResolvedRemotingServerOptions;
  readonly #ctx: HandlerContext;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #listening = false;
  #closing: Promise<void> | null = null;
  /** Asynchronous requests still running, and who waits for them to finish. */
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];
  readonly #spares: Buffer[] = [];

  /**
   * @param registry - the registry to serve.
   * @param options - see {@link RemotingServerOptions}.
   * @throws {@link InvalidOptionError} when an option is invalid.
   */
  constructor(registry: RouteRegistry, options: RemotingServerOptions = {}) {
    super();
    if (typeof registry !== 'object' || registry === null || typeof registry.getRouteInfoByTopic !== 'function') {
      throw new InvalidOptionError('registry', 'must be a RouteRegistry');
    }
    this.#options = resolveRemotingServerOptions(options);
    const o = this.#options;
    this.#ctx = {
      registry,
      kvConfig: o.kvConfig ?? registry.options.kvConfig ?? new KvConfigStore(),
      // A zip bomb must not exhaust memory: the inflated body may be at most 8 frames large.
      maxInflatedBytes: Math.min(o.maxFrameBytes * 8, 0x7fffffff),
      returnOrderTopicConfigToBroker: o.returnOrderTopicConfigToBroker,
      standardRoutes: new WeakMap(),
      fastjsonRoutes: new WeakMap(),
      routesByTopic: { epoch: -1, standard: new Map(), fastjson: new Map() },
      registrations: new WeakMap(),
    };
    o.metrics?.attach(registry);
    this.#server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    if (Number.isFinite(o.maxConnections)) this.#server.maxConnections = o.maxConnections;
  }

  /** The options in force, defaults applied. */
  get options(): ResolvedRemotingServerOptions {
    return this.#options;
  }

  /** The KV store behind the KV requests. */
  get kvConfig(): KvConfigStore {
    return this.#ctx.kvConfig;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Starts listening on `options.port` and `options.host`.
   * @returns the address bound (useful with port 0).
   * @throws when the port cannot be bound, or the server was started or closed before.
   */
  listen(): Promise<AddressInfo> {
    if (this.#listening || this.#closing !== null) {
      return Promise.reject(new Error('RemotingServer.listen() may be called once, before close()'));
    }
    this.#listening = true;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.#listening = false;
        reject(err);
      };
      this.#server.once('error', onError);
      this.#server.listen({ port: this.#options.port, host: this.#options.host }, () => {
        this.#server.off('error', onError);
        this.#server.on('error', (err) => this.emit('error', err));
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** The bound address, or null when not listening. */
  address(): AddressInfo | null {
    const address = this.#server.address();
    return address !== null && typeof address === 'object' ? address : null;
  }

  /**
   * Stops gracefully: refuses new connections, lets running requests finish
   * and answer, then closes every connection (their brokers are dropped).
   * Requests arriving meanwhile get no answer. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const closed = this.#listening
      ? new Promise<void>((resolve) => this.#server.close(() => resolve()))
      : Promise.resolve();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    const sockets: Promise<void>[] = [];
    for (const conn of this.#connections) {
      const socket = conn.socket;
      // Flush what is queued, then close at once: a peer that keeps its side open cannot stall close(),
      // and one that stopped reading gets a grace period.
      socket.end(() => socket.destroy());
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MILLIS);
      timer.unref();
      sockets.push(new Promise((resolve) => socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      })));
    }
    // Resolve only once every connection's channel was destroyed in the registry.
    await Promise.all([closed, ...sockets]);
    this.#listening = false;
  }

  #accept(socket: Socket): void {
    if (this.#closing !== null) {
      socket.destroy();
      return;
    }
    const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const conn: Connection = {
      socket,
      remoteAddress,
      decoder: new FrameDecoder(this.#options.maxFrameBytes, (buf, start, end) => this.#onFrame(conn, buf, start, end)),
      shape: new JsonHeaderShape(),
      batch: new ResponseBatch(),
      batching: false,
      paused: false,
    };
    this.#connections.add(conn);
    if (this.#options.idleTimeoutMillis > 0) {
      socket.setTimeout(this.#options.idleTimeoutMillis);
      // RocketMQ's IdleStateHandler: no read and no write for the period closes the channel.
      socket.on('timeout', () => socket.destroy());
    }
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('drain', () => {
      if (conn.paused) {
        conn.paused = false;
        socket.resume();
      }
    });
    // 'close' always follows; the error itself is the peer's business.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#connections.delete(conn);
      conn.decoder.dispose();
      this.#ctx.registry.onChannelDestroy(socket);
      this.emit('disconnect', { remoteAddress });
    });
    this.emit('connect', { remoteAddress });
  }

  #onData(conn: Connection, chunk: Buffer): void {
    // Closing: drain and drop, so the socket closes with FIN rather than RST.
    if (this.#closing !== null) return;
    conn.batching = true;
    try {
      conn.decoder.push(chunk);
    } catch (err) {
      this.emit('protocolError', { remoteAddress: conn.remoteAddress, error: err as Error });
      conn.socket.destroy();
    } finally {
      conn.batching = false;
    }
    // Answers to the frames before a bad one still go out (a destroyed socket drops them).
    if (conn.batch.length > 0) this.#writeBatch(conn);
  }

  #writeBatch(conn: Connection): void {
    const bytes = conn.batch.byteLength;
    const spare = bytes >= MIN_SPARE_USE && bytes <= SPARE_BYTES ? (this.#spares.pop() ?? Buffer.allocUnsafeSlow(SPARE_BYTES)) : null;
    const data = conn.batch.take(spare);
    const socket = conn.socket;
    const recycle = spare === null ? undefined : (): void => {
      if (this.#spares.length < MAX_SPARES) this.#spares.push(spare);
    };
    if (socket.destroyed || socket.writableEnded) {
      recycle?.();
      return;
    }
    // The write callback means the bytes left the buffer: it may serve another batch.
    const written = socket.write(data, recycle);
    if (!written && !conn.paused) {
      conn.paused = true;
      socket.pause();
    }
  }

  #onFrame(conn: Connection, buf: Buffer, start: number, end: number): void {
    // A decode failure throws out of the decoder, which closes the connection, as RocketMQ's NettyDecoder does.
    const headerBytes = end - start >= 4 ? buf.readUInt32BE(start) & 0xffffff : 0;
    if (headerBytes > this.#options.maxHeaderBytes) {
      throw new FrameDecodeError(`header of ${headerBytes} bytes is over maxHeaderBytes (${this.#options.maxHeaderBytes})`);
    }
    const request = decodeFrameWithShape(buf, start, end, conn.shape);
    // Each entry takes at least 6 header bytes (`"k":"",`): only a long header can hold too many.
    if (headerBytes > 6 * this.#options.maxExtFields && countKeys(request.extFields) > this.#options.maxExtFields) {
      throw new FrameDecodeError(`request has more than maxExtFields (${this.#options.maxExtFields}) extFields`);
    }
    // We never send requests, so a response is a confused peer; RocketMQ drops unmatched ones too.
    if ((request.flag & FLAG_RESPONSE) !== 0) return;
    const started = this.#options.metrics === null ? 0 : performance.now();
    let result: Reply | Promise<Reply>;
    try {
      result = handleRequest(this.#ctx, request, conn.socket);
    } catch (err) {
      result = this.#failure(conn, request, err);
    }
    if (result instanceof Promise) {
      this.#inFlight++;
      result
        .then(
          (reply) => this.#respond(conn, request, reply, started),
          (err: unknown) => this.#respond(conn, request, this.#failure(conn, request, err), started),
        )
        .finally(() => {
          if (--this.#inFlight === 0) {
            const waiters = this.#idleWaiters;
            this.#idleWaiters = [];
            for (const resolve of waiters) resolve();
          }
        })
        // Only a throwing event listener gets here: surface it as the synchronous path would, not as a rejection.
        .catch((err: unknown) => queueMicrotask(() => {
          throw err;
        }));
    } else {
      this.#respond(conn, request, result, started);
    }
  }

  #failure(conn: Connection, request: RemotingCommand, err: unknown): Reply {
    const error = err instanceof Error ? err : new Error(String(err));
    this.emit('requestError', { remoteAddress: conn.remoteAddress, code: request.code, error });
    return { code: ResponseCode.SYSTEM_ERROR, remark: `${error.name}: ${error.message}`, extFields: null, body: null };
  }

  #respond(conn: Connection, request: RemotingCommand, reply: Reply, started: number): void {
    const metrics = this.#options.metrics;
    if (metrics !== null) {
      const ok = reply.code === ResponseCode.SUCCESS;
      metrics.observeRequest('remoting', request.code, performance.now() - started, ok);
      if (request.code === RequestCode.GET_ROUTEINFO_BY_TOPIC) metrics.observeRouteLookup('remoting', ok);
    }
    if ((request.flag & FLAG_ONEWAY) !== 0 || conn.socket.destroyed) return;
    if (conn.batching) conn.batch.add(request, reply);
    else this.#write(conn, encodeResponse(request, reply));
  }

  #write(conn: Connection, data: Buffer): void {
    if (conn.socket.destroyed || conn.socket.writableEnded) return;
    // Backpressure: a peer that does not read its answers stops being read.
    if (!conn.socket.write(data) && !conn.paused) {
      conn.paused = true;
      conn.socket.pause();
    }
  }
}

function countKeys(record: Record<string, string>): number {
  let n = 0;
  for (const key in record) if (Object.hasOwn(record, key)) n++;
  return n;
}
