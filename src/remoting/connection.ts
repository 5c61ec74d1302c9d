/**
 * One accepted connection, RocketMQ's channel pipeline in one place. Each read
 * goes one way, top to bottom:
 * 1. decode: the read is pushed into the connection's {@link RequestDecoder};
 * 2. admit: for each frame whose length is known, {@link FrameAdmission}
 *    decides (requests in flight, the body cap of its request code, its
 *    reservation in the memory budget); a frame not admitted stays where it
 *    arrived and reading pauses until it can be;
 * 3. take: the admitted frame's command, once complete;
 * 4. access check, then dispatch to its handler; REGISTER_BROKER comes back
 *    as {@link Ordered} work, applied here in arrival order;
 * 5. encode: the answers of one read are gathered and written together, with
 *    backpressure (a peer not reading its answers stops being read).
 * A frame in progress is watched for its rate and deadline ({@link SlowFrameWatch}).
 * The connection's close releases what it holds and becomes `onChannelDestroy`.
 *
 * Seams, fields of {@link ConnectionContext}: `checkAccess` (access control,
 * decided before any body is decoded) and `requests.decodeRegisterBody` (how
 * REGISTER_BROKER bodies are decoded).
 * @internal
 */
import type { Socket } from 'node:net';
import type { EventEmitter } from 'eventemitter3';
import type { NamesrvMetrics } from '../metrics/namesrv-metrics.js';
import { FrameAdmission, type AdmissionLimits, type Refusal, type Verdict } from './admission.js';
import type { FrameLimits } from './codec/frame.js';
import { RequestDecoder } from './codec/request-decoder.js';
import { FLAG_ONEWAY, FLAG_RESPONSE, RequestCode, ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import { dispatch } from './dispatch.js';
import type { RemotingServerEvents } from './events.js';
import type { FrameMemory } from './frame-memory.js';
import type { MemoryBudget } from './memory-budget.js';
import { fail, type Reply } from './reply.js';
import { Ordered, type Peer, type RequestContext } from './request-context.js';
import { formatPeer, socketPeer, type PeerIdentity } from './peer-identity.js';
import type { SlowFrameError } from './errors.js';
import type { SlowFrameWatch, WatchedConnection } from './slow-frames.js';
import { encodeResponseInto, ResponseBatch } from './response.js';

/** How long a connection that refused a frame keeps reading (and dropping) before it closes for good. */
const REFUSAL_GRACE_MILLIS = 1_000;

/** What a request applied after its connection closed answers (nobody reads it). */
const CONNECTION_CLOSED: Reply = fail(ResponseCode.SYSTEM_ERROR, 'connection closed');

/**
 * Called for each request before dispatch, with the raw (undecoded) body and
 * the connection's peer (the client a trusted PROXY header named, if any): null allows it; a `Reply` refuses it
 * (answered, not dispatched; a oneway request gets no answer).
 */
export type AccessCheck = (request: RemotingCommand, peer: PeerIdentity) => Reply | null;

/** What every connection of a server shares. */
export interface ConnectionContext {
  /** What the handlers work with (its `decodeRegisterBody` is the body decoding seam). */
  readonly requests: RequestContext;
  readonly limits: FrameLimits;
  /** Neither reads nor writes for this long closes the connection; 0 disables it. */
  readonly idleTimeoutMillis: number;
  readonly metrics: NamesrvMetrics | null;
  /** Bytes held at once by all connections: each frame is reserved here before it is buffered. */
  readonly budget: MemoryBudget;
  /** What each connection's {@link FrameAdmission} enforces (the same budget, requests in flight, body caps). */
  readonly admission: AdmissionLimits;
  /** Closes connections whose frame in progress is too slow. */
  readonly slowFrames: SlowFrameWatch;
  /** Seam: access check before dispatch; null allows everything (and costs nothing). */
  readonly checkAccess: AccessCheck | null;
  /** Where `protocolError` and `requestError` go. */
  readonly events: EventEmitter<RemotingServerEvents>;
  readonly pending: PendingRequests;
  readonly spares: SpareBuffers;
  /** Memory of large frames, lent to each until its request is answered. */
  readonly frameMemory: FrameMemory;
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
 * Output buffers, shared by all connections. Large batches (pipelined
 * requests) use spares recycled once written: fresh memory for every batch
 * costs page faults that rival the copying. A few are kept.
 *
 * Smaller answers (one request per read, over many connections) use one
 * scratch buffer: a write the socket completes at once (the usual case) has
 * copied the bytes to the kernel before `write` returns, so the scratch is
 * free again and stays warm in the CPU cache. A write the socket has to
 * queue keeps the buffer: the scratch is then given up, see {@link lostScratch}.
 */
export class SpareBuffers {
  static readonly BYTES = 1 << 20;
  static readonly MIN_USE = 16 * 1024;
  static readonly MAX_KEPT = 4;
  /**
   * The size of Node's own buffer pool: a scratch a stalled socket keeps holds
   * on to no more memory than a pooled answer would.
   */
  static readonly SCRATCH_BYTES = 8 * 1024;
  readonly #spares: Buffer[] = [];
  #scratch: Buffer | null = null;

  /** The scratch buffer, for output of at most {@link SCRATCH_BYTES} written to a socket with nothing queued. */
  scratch(): Buffer {
    return (this.#scratch ??= Buffer.allocUnsafeSlow(SpareBuffers.SCRATCH_BYTES));
  }

  /** `data` was written from the scratch but the socket queued it: the scratch now belongs to that write. */
  lostScratch(data: Buffer): void {
    if (this.#scratch !== null && data.buffer === this.#scratch.buffer) this.#scratch = null;
  }

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
export class Connection implements Peer, WatchedConnection {
  readonly socket: Socket;
  /** Who is at the other end: the socket's peer, or the client a trusted PROXY header named. */
  readonly peer: PeerIdentity;
  readonly remoteAddress: string;
  readonly #ctx: ConnectionContext;
  readonly #decoder: RequestDecoder;
  readonly #admission: FrameAdmission;
  /** Answers produced while one read is processed, written together. */
  readonly #batch = new ResponseBatch();
  /**
   * The first answer of a read, kept out of #batch: most reads carry one
   * request, and its answer is written without gathering.
   */
  #firstRequest: RemotingCommand | null = null;
  #firstReply: Reply | null = null;
  /** True while a read is being processed (its answers go to #batch). */
  #batching = false;
  /** The socket's write buffer is full: reading waits for 'drain'. */
  #writeBlocked = false;
  /** Why admission holds the next frame back, if it does. */
  #stalledOn: 'inFlight' | 'budget' | null = null;
  /** Whether socket.pause() is in force. */
  #readPaused = false;
  /** The server is closing, or a frame was refused: data is read and dropped. */
  #draining = false;
  /** Frames taken so far (the slow-frame watch tells frames apart by it). */
  #frameSerial = 0;
  /** Whether the slow-frame watch follows this connection's frame in progress. */
  #watched = false;
  /** The last registration still being decoded or applied. */
  #registrations: Promise<void> | null = null;
  readonly #closed = new AbortController();

  /**
   * @param onClosed - called once the socket closed and its brokers were dropped from the registry.
   * @param peer - who the handshake found at the other end (default: the socket's own peer).
   */
  constructor(socket: Socket, ctx: ConnectionContext, onClosed: (connection: Connection) => void, peer: PeerIdentity = socketPeer(socket)) {
    this.socket = socket;
    this.peer = peer;
    this.remoteAddress = formatPeer(peer);
    this.#ctx = ctx;
    this.#decoder = new RequestDecoder(ctx.limits, (frameBytes) => ctx.frameMemory.take(frameBytes));
    this.#admission = new FrameAdmission(ctx.admission, this.#closed.signal, () => this.#unstall());
    if (ctx.idleTimeoutMillis > 0) {
      socket.setTimeout(ctx.idleTimeoutMillis);
      // RocketMQ's IdleStateHandler: no read and no write for the period closes the channel.
      socket.on('timeout', () => socket.destroy());
    }
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => {
      if (!this.#writeBlocked) return;
      this.#writeBlocked = false;
      this.#updateReading();
    });
    // 'close' always follows; the error itself is the peer's business.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#decoder.dispose();
      ctx.slowFrames.unwatch(this);
      // A reservation still waiting gives up its place; one granted for a frame never decoded is returned.
      this.#closed.abort(new Error('connection closed'));
      this.#admission.close();
      ctx.requests.registry.onChannelDestroy(socket);
      onClosed(this);
    });
  }

  /** The registry's channel for brokers registered here: the socket. */
  get channel(): object {
    return this.socket;
  }

  get signal(): AbortSignal {
    return this.#closed.signal;
  }

  /** Bytes of the frame in progress received so far. */
  get bufferedBytes(): number {
    return this.#decoder.bufferedBytes;
  }

  /** Frames taken so far. */
  get frameSerial(): number {
    return this.#frameSerial;
  }

  /** The slow-frame watch's verdict: the peer holds a reservation without sending its frame. */
  abortSlowFrame(error: SlowFrameError): void {
    this.#ctx.events.emit('protocolError', { remoteAddress: this.remoteAddress, error });
    this.socket.destroy();
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
    this.#feed(chunk);
  }

  /** Decodes `chunk` (or, without one, what was held back), handles its requests and writes the answers together. */
  #feed(chunk: Buffer | null): void {
    this.#batching = true;
    try {
      if (chunk !== null) this.#decoder.push(chunk);
      this.#readFrames();
    } catch (err) {
      // A decode failure closes the connection, as RocketMQ's NettyDecoder does.
      this.#ctx.events.emit('protocolError', { remoteAddress: this.remoteAddress, error: err as Error });
      this.socket.destroy();
    } finally {
      this.#batching = false;
    }
    // Answers to the frames before a bad one still go out (a destroyed socket drops them).
    const first = this.#firstRequest;
    if (first !== null) {
      const reply = this.#firstReply as Reply;
      this.#firstRequest = null;
      this.#firstReply = null;
      this.#writeOne(first, reply);
    } else if (this.#batch.length > 0) {
      this.#writeBatch();
    }
    this.#watchProgress();
  }

  /** Admits, takes and handles frames until the decoder has no complete admitted one. */
  #readFrames(): void {
    const decoder = this.#decoder;
    for (;;) {
      if (!decoder.admitted) {
        const frameBytes = decoder.nextFrameBytes();
        if (frameBytes < 0) return;
        const verdict = this.#admission.admit(frameBytes, decoder);
        if (verdict !== 'admitted') {
          this.#hold(verdict);
          return;
        }
        decoder.admit();
      }
      const request = decoder.take();
      if (request === null) return;
      this.#frameSerial++;
      this.#handle(request, this.#admission.taken());
    }
  }

  /** Acts on a frame admission did not let in. */
  #hold(verdict: Exclude<Verdict, 'admitted'>): void {
    if (verdict === 'more') return; // its header is on its way: keep reading
    if (verdict === 'inFlight' || verdict === 'budget') this.#stall(verdict);
    else this.#refuse(verdict);
  }

  /**
   * Answers a frame refused unread, then closes: its body (perhaps megabytes)
   * is never buffered; what still arrives is read and dropped until the peer
   * closes, or for the close grace at most.
   */
  #refuse(refusal: Refusal): void {
    const { request, reply, error } = refusal;
    this.#ctx.events.emit('protocolError', { remoteAddress: this.remoteAddress, error });
    this.#draining = true;
    this.#decoder.dispose();
    if ((request.flag & (FLAG_ONEWAY | FLAG_RESPONSE)) === 0) this.#gather(request, reply);
    const socket = this.socket;
    queueMicrotask(() => {
      setTimeout(() => socket.destroy(), REFUSAL_GRACE_MILLIS).unref();
      socket.end();
    });
  }

  /** Follows the frame in progress for the slow-frame watch while the peer, not the server, decides its pace. */
  #watchProgress(): void {
    const watch = this.#decoder.bufferedBytes > 0 && this.#stalledOn === null && !this.#draining && !this.socket.destroyed;
    if (watch === this.#watched) return;
    this.#watched = watch;
    if (watch) this.#ctx.slowFrames.watch(this);
    else this.#ctx.slowFrames.unwatch(this);
  }

  #stall(reason: 'inFlight' | 'budget'): void {
    this.#stalledOn = reason;
    this.#updateReading();
  }

  /** The next frame may be admitted: decode what was kept, then read again. */
  #unstall(): void {
    this.#stalledOn = null;
    if (this.socket.destroyed) return;
    if (!this.#draining) this.#feed(null);
    this.#updateReading();
  }

  /** Pauses or resumes the socket to match what reading waits for. */
  #updateReading(): void {
    const pause = this.#writeBlocked || this.#stalledOn !== null;
    if (pause === this.#readPaused) return;
    this.#readPaused = pause;
    if (pause) this.socket.pause();
    else this.socket.resume();
  }

  /** Access check, dispatch, and the answer (now or once the work is done). */
  #handle(request: RemotingCommand, reserved: number): void {
    // We never send requests, so a response is a confused peer; RocketMQ drops unmatched ones too.
    if ((request.flag & FLAG_RESPONSE) !== 0) {
      this.#release(request, reserved);
      return;
    }
    const ctx = this.#ctx;
    const started = ctx.metrics === null ? 0 : performance.now();
    let result: Reply | Promise<Reply> | Ordered;
    try {
      result = (ctx.checkAccess === null ? null : ctx.checkAccess(request, this.peer)) ?? dispatch(ctx.requests, request, this);
    } catch (err) {
      result = this.#failure(request, err);
    }
    if (result instanceof Ordered) result = this.#applyInOrder(result);
    if (!(result instanceof Promise)) {
      this.#respond(request, result, started, reserved);
      return;
    }
    ctx.pending.begin();
    result
      .then(
        (reply) => this.#respond(request, reply, started, reserved),
        (err: unknown) => this.#respond(request, this.#failure(request, err), started, reserved),
      )
      .finally(() => ctx.pending.end())
      // Only a throwing event listener gets here: surface it as the synchronous path would, not as a rejection.
      .catch((err: unknown) => queueMicrotask(() => {
        throw err;
      }));
  }

  /**
   * Applies `work` once it is decoded and every earlier registration of this
   * connection was applied: decoding runs concurrently, applying in arrival order.
   */
  #applyInOrder(work: Ordered): Promise<Reply> {
    const decoded = work.decoded;
    // Handled below, possibly later: a rejection must not count as unhandled meanwhile.
    decoded.catch(() => undefined);
    const previous = this.#registrations;
    // A registration whose connection closed while it decoded is not applied: the channel was
    // destroyed already, so the broker would stay live on a dead channel until it expired.
    const applied = (previous === null ? decoded : previous.then(() => decoded))
      .then((value) => (this.#closed.signal.aborted ? CONNECTION_CLOSED : work.apply(value)));
    const tail = applied.then(() => undefined, () => undefined);
    this.#registrations = tail;
    void tail.then(() => {
      if (this.#registrations === tail) this.#registrations = null;
    });
    return applied;
  }

  #failure(request: RemotingCommand, err: unknown): Reply {
    const error = err instanceof Error ? err : new Error(String(err));
    this.#ctx.events.emit('requestError', { remoteAddress: this.remoteAddress, code: request.code, error });
    return { code: ResponseCode.SYSTEM_ERROR, remark: `${error.name}: ${error.message}`, extFields: null, body: null };
  }

  /** Sends `reply` (unless oneway), then returns the request's frame reservation and its in-flight slot. */
  #respond(request: RemotingCommand, reply: Reply, started: number, reserved: number): void {
    const ctx = this.#ctx;
    const metrics = ctx.metrics;
    if (metrics !== null) {
      const ok = reply.code === ResponseCode.SUCCESS;
      metrics.observeRequest('remoting', request.code, performance.now() - started, ok);
      if (request.code === RequestCode.GET_ROUTEINFO_BY_TOPIC) metrics.observeRouteLookup('remoting', ok);
    }
    if ((request.flag & FLAG_ONEWAY) === 0 && !this.socket.destroyed) {
      if (!this.#batching) this.#writeOne(request, reply);
      else this.#gather(request, reply);
    }
    this.#release(request, reserved);
    // An asynchronous answer (never inside a read) frees the slot the decoder waits for.
    if (this.#stalledOn === 'inFlight' && !this.#batching) this.#unstall();
  }

  /**
   * The request is done with: its in-flight slot and its frame's reservation
   * go back, and the memory it was assembled in (if lent) to the next large frame.
   */
  #release(request: RemotingCommand, reserved: number): void {
    this.#admission.answered(reserved);
    if (request.body !== null) this.#ctx.frameMemory.giveBack(request.body);
  }

  /** Keeps an answer produced during a read: the first one apart, the others (and then the first) in #batch. */
  #gather(request: RemotingCommand, reply: Reply): void {
    const first = this.#firstRequest;
    if (first === null && this.#batch.length === 0) {
      this.#firstRequest = request;
      this.#firstReply = reply;
      return;
    }
    if (first !== null) {
      this.#batch.add(first, this.#firstReply as Reply);
      this.#firstRequest = null;
      this.#firstReply = null;
    }
    this.#batch.add(request, reply);
  }

  /** Whether output of `bytes` may go through the scratch buffer now (nothing queued on the socket). */
  #scratchFits(bytes: number): boolean {
    return bytes <= SpareBuffers.SCRATCH_BYTES && this.socket.writableLength === 0;
  }

  /** Writes one answer, through the scratch buffer when nothing is queued. */
  #writeOne(request: RemotingCommand, reply: Reply): void {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return;
    const spares = this.#ctx.spares;
    const data = encodeResponseInto(request, reply, socket.writableLength === 0 ? spares.scratch() : null);
    this.#write(data);
    // Queued rather than written at once: the socket holds the bytes, so the scratch is theirs now.
    if (socket.writableLength !== 0) spares.lostScratch(data);
  }

  #writeBatch(): void {
    const socket = this.socket;
    const spares = this.#ctx.spares;
    const bytes = this.#batch.byteLength;
    if (this.#scratchFits(bytes)) {
      const data = this.#batch.take(spares.scratch());
      if (socket.destroyed || socket.writableEnded) return;
      this.#write(data);
      if (socket.writableLength !== 0) spares.lostScratch(data);
      return;
    }
    const spare = spares.take(bytes);
    const data = this.#batch.take(spare);
    const recycle = spare === null ? undefined : (): void => spares.give(spare);
    if (socket.destroyed || socket.writableEnded) {
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
    if (!socket.write(data, written) && !this.#writeBlocked) {
      this.#writeBlocked = true;
      this.#updateReading();
    }
  }
}
