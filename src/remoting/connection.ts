/**
 * One accepted connection, RocketMQ's channel pipeline in one place:
 * decode (limits enforced) → admit → access check → dispatch → gather the
 * answers of one read → write, with backpressure. It also orders the
 * connection's registrations and turns its close into `onChannelDestroy`.
 *
 * Seams for later work, all fields of {@link ConnectionContext}:
 * - `admit`: per-frame admission (a memory budget, an in-flight limit);
 * - `checkAccess`: access control, decided before any body is decoded;
 * - `requests.decodeRegisterBody`: how REGISTER_BROKER bodies are decoded.
 * @internal
 */
import type { Socket } from 'node:net';
import type { EventEmitter } from 'eventemitter3';
import type { NamesrvMetrics } from '../core/metrics.js';
import { CommandDecoder, type FrameLimits } from './codec/frame.js';
import { FLAG_ONEWAY, FLAG_RESPONSE, RequestCode, ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import { dispatch } from './dispatch.js';
import type { RemotingServerEvents } from './events.js';
import type { Reply } from './reply.js';
import type { Peer, RequestContext } from './request-context.js';
import { encodeResponse, ResponseBatch } from './response.js';

/**
 * What an {@link AdmissionHook} decides: a `Reply` refuses the request (it is
 * answered with it and not dispatched); a function admits it and is called
 * once its answer is produced (to release what admitting took); `undefined`
 * admits it.
 */
export type Admission = Reply | (() => void) | undefined;

/**
 * Called for each decoded request before anything else, with its frame's
 * size (length field included). Throwing closes the connection.
 */
export type AdmissionHook = (request: RemotingCommand, frameBytes: number, peer: Peer) => Admission;

/**
 * Called for each admitted request before dispatch, with the raw (undecoded)
 * body: null allows it; a `Reply` refuses it (answered, not dispatched; a
 * oneway request gets no answer).
 */
export type AccessCheck = (request: RemotingCommand, peer: Peer) => Reply | null;

/** What every connection of a server shares. */
export interface ConnectionContext {
  /** What the handlers work with (its `decodeRegisterBody` is the body decoding seam). */
  readonly requests: RequestContext;
  readonly limits: FrameLimits;
  /** Neither reads nor writes for this long closes the connection; 0 disables it. */
  readonly idleTimeoutMillis: number;
  readonly metrics: NamesrvMetrics | null;
  /** Seam: per-frame admission; null admits everything. */
  readonly admit: AdmissionHook | null;
  /** Seam: access check before dispatch; null allows everything. */
  readonly checkAccess: AccessCheck | null;
  /** Where `protocolError` and `requestError` go. */
  readonly events: EventEmitter<RemotingServerEvents>;
  readonly pending: PendingRequests;
  readonly spares: SpareBuffers;
}

/**
 * Asynchronous requests still running on any connection, so a graceful close
 * can let them answer first.
 */
export class PendingRequests {
  #count = 0;
  #idleWaiters: Array<() => void> = [];

  begin(): void {
    this.#count++;
  }

  end(): void {
    if (--this.#count === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves once no request is running. */
  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}

/**
 * Output buffers for large batches (pipelined requests), recycled once
 * written: fresh memory for every batch costs page faults that rival the
 * copying. A few are kept, shared by all connections; small batches use
 * Node's own pool.
 */
export class SpareBuffers {
  static readonly BYTES = 1 << 20;
  static readonly MIN_USE = 16 * 1024;
  static readonly MAX_KEPT = 4;
  readonly #spares: Buffer[] = [];

  /** A spare for a batch of `bytes`, or null when the batch should use a fresh buffer. */
  take(bytes: number): Buffer | null {
    if (bytes < SpareBuffers.MIN_USE || bytes > SpareBuffers.BYTES) return null;
    return this.#spares.pop() ?? Buffer.allocUnsafeSlow(SpareBuffers.BYTES);
  }

  give(spare: Buffer): void {
    if (this.#spares.length < SpareBuffers.MAX_KEPT) this.#spares.push(spare);
  }
}

/** One accepted socket and its request pipeline; the {@link Peer} its handlers see. */
export class Connection implements Peer {
  readonly socket: Socket;
  readonly remoteAddress: string;
  readonly #ctx: ConnectionContext;
  readonly #decoder: CommandDecoder;
  /** Answers produced while one read is processed, written together. */
  readonly #batch = new ResponseBatch();
  /** True while a read is being processed (its answers go to #batch). */
  #batching = false;
  /** Reading is paused until the socket drains. */
  #paused = false;
  /** The server is closing: data is read and dropped. */
  #draining = false;
  /** The last registration still being decoded or applied. */
  #registrations: Promise<void> | null = null;

  /**
   * @param onClosed - called once the socket closed and its brokers were dropped from the registry.
   */
  constructor(socket: Socket, ctx: ConnectionContext, onClosed: (connection: Connection) => void) {
    this.socket = socket;
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#ctx = ctx;
    this.#decoder = new CommandDecoder(ctx.limits, (request, frameBytes) => this.#onRequest(request, frameBytes));
    if (ctx.idleTimeoutMillis > 0) {
      socket.setTimeout(ctx.idleTimeoutMillis);
      // RocketMQ's IdleStateHandler: no read and no write for the period closes the channel.
      socket.on('timeout', () => socket.destroy());
    }
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => {
      if (this.#paused) {
        this.#paused = false;
        socket.resume();
      }
    });
    // 'close' always follows; the error itself is the peer's business.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#decoder.dispose();
      ctx.requests.registry.onChannelDestroy(socket);
      onClosed(this);
    });
  }

  /** The registry's channel for brokers registered here: the socket. */
  get channel(): object {
    return this.socket;
  }

  inOrder<T>(decoded: Promise<T>, apply: (value: T) => Reply): Promise<Reply> {
    // Handled below, possibly later: a rejection must not count as unhandled meanwhile.
    decoded.catch(() => undefined);
    const previous = this.#registrations;
    const applied = (previous === null ? decoded : previous.then(() => decoded)).then(apply);
    const tail = applied.then(() => undefined, () => undefined);
    this.#registrations = tail;
    void tail.then(() => {
      if (this.#registrations === tail) this.#registrations = null;
    });
    return applied;
  }

  /** From now on, requests are read and dropped unanswered (the server is closing). */
  stopServing(): void {
    this.#draining = true;
  }

  /**
   * Flushes what is queued, then closes at once: a peer that keeps its side
   * open cannot stall this, and one that stopped reading gets `graceMillis`.
   * Resolves once the socket closed (its brokers are dropped by then).
   */
  close(graceMillis: number): Promise<void> {
    const socket = this.socket;
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.destroy(), graceMillis);
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end(() => socket.destroy());
    });
  }

  #onData(chunk: Buffer): void {
    // Closing: drain and drop, so the socket closes with FIN rather than RST.
    if (this.#draining) return;
    this.#batching = true;
    try {
      this.#decoder.push(chunk);
    } catch (err) {
      // A decode failure closes the connection, as RocketMQ's NettyDecoder does.
      this.#ctx.events.emit('protocolError', { remoteAddress: this.remoteAddress, error: err as Error });
      this.socket.destroy();
    } finally {
      this.#batching = false;
    }
    // Answers to the frames before a bad one still go out (a destroyed socket drops them).
    if (this.#batch.length > 0) this.#writeBatch();
  }

  #onRequest(request: RemotingCommand, frameBytes: number): void {
    // We never send requests, so a response is a confused peer; RocketMQ drops unmatched ones too.
    if ((request.flag & FLAG_RESPONSE) !== 0) return;
    const ctx = this.#ctx;
    const started = ctx.metrics === null ? 0 : performance.now();
    let release: (() => void) | undefined;
    if (ctx.admit !== null) {
      const admission = ctx.admit(request, frameBytes, this);
      if (typeof admission === 'object') {
        this.#respond(request, admission, started);
        return;
      }
      release = admission;
    }
    let result: Reply | Promise<Reply>;
    try {
      result = (ctx.checkAccess === null ? null : ctx.checkAccess(request, this)) ?? dispatch(ctx.requests, request, this);
    } catch (err) {
      result = this.#failure(request, err);
    }
    if (!(result instanceof Promise)) {
      release?.();
      this.#respond(request, result, started);
      return;
    }
    ctx.pending.begin();
    result
      .then(
        (reply) => this.#respond(request, reply, started),
        (err: unknown) => this.#respond(request, this.#failure(request, err), started),
      )
      .finally(() => {
        release?.();
        ctx.pending.end();
      })
      // Only a throwing event listener gets here: surface it as the synchronous path would, not as a rejection.
      .catch((err: unknown) => queueMicrotask(() => {
        throw err;
      }));
  }

  #failure(request: RemotingCommand, err: unknown): Reply {
    const error = err instanceof Error ? err : new Error(String(err));
    this.#ctx.events.emit('requestError', { remoteAddress: this.remoteAddress, code: request.code, error });
    return { code: ResponseCode.SYSTEM_ERROR, remark: `${error.name}: ${error.message}`, extFields: null, body: null };
  }

  #respond(request: RemotingCommand, reply: Reply, started: number): void {
    const metrics = this.#ctx.metrics;
    if (metrics !== null) {
      const ok = reply.code === ResponseCode.SUCCESS;
      metrics.observeRequest('remoting', request.code, performance.now() - started, ok);
      if (request.code === RequestCode.GET_ROUTEINFO_BY_TOPIC) metrics.observeRouteLookup('remoting', ok);
    }
    if ((request.flag & FLAG_ONEWAY) !== 0 || this.socket.destroyed) return;
    if (this.#batching) this.#batch.add(request, reply);
    else this.#write(encodeResponse(request, reply));
  }

  #writeBatch(): void {
    const spares = this.#ctx.spares;
    const spare = spares.take(this.#batch.byteLength);
    const data = this.#batch.take(spare);
    const recycle = spare === null ? undefined : (): void => spares.give(spare);
    if (this.socket.destroyed || this.socket.writableEnded) {
      recycle?.();
      return;
    }
    // The write callback means the bytes left the buffer: the spare may serve another batch.
    this.#write(data, recycle);
  }

  #write(data: Buffer, written?: () => void): void {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return;
    // Backpressure: a peer that does not read its answers stops being read.
    if (!socket.write(data, written) && !this.#paused) {
      this.#paused = true;
      socket.pause();
    }
  }
}
