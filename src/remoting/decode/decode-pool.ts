/**
 * A small `worker_threads` pool that decodes REGISTER_BROKER bodies off the
 * event loop. Workers scan the body (inflating it first when compressed)
 * into a compact form, typed arrays transferred rather than an object graph
 * cloned; the main thread only rebuilds the values from it, in slices that
 * yield to the event loop between them. A plain body's topics come in parts
 * while the worker scans on, so the rebuild overlaps the scan. Anything the
 * scanners do not reproduce exactly, errors included, is decoded on the main
 * thread by {@link decodeRegisterBrokerBody}, so results and errors are
 * always that function's.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidOptionError, NamesrvError } from '../../core/errors.js';
import type { TopicConfig } from '../../core/types.js';
import { sealTopicTable } from '../../core/registration/topic-table.js';
import { scanPlainRegisterBody } from './body-scan.js';
import {
  UNPACK_SLICE_TOPICS, UnpackStream, unpackRegisterBodySliced, unpackWithTable, type MappedRegisterBrokerBody,
} from './body-unpack.js';
import { NameCache } from './name-cache.js';
import { MQVersion } from '../codes.js';
import { decodeWorkerSource, type DecodeAnswer, type DecodeJob } from './decode-worker.js';
import {
  checkBodyCrc32, decodeRegisterBrokerBody, isZlibStream, type DecodeRegisterBrokerBodyOptions,
} from '../codec/register-body.js';

export type { MappedRegisterBrokerBody } from './body-unpack.js';

/** Options of a {@link DecodePool}. */
export interface DecodePoolOptions {
  /**
   * Worker threads at most (started on demand). One core stays for the event
   * loop: on two cores a second worker competes with it for the same cores
   * (measured with R4: no more registrations/s, slower route answers).
   * @default min(2, max(1, availableParallelism() - 1))
   */
  readonly size?: number;
  /**
   * Body bytes handed to workers and not yet answered; a body that would
   * exceed it is refused with {@link DecodeQueueFullError}. Part of the
   * server's memory budget: a worker holds a copy of each queued body
   * (answered, up to 16 MiB of that memory is kept for the next bodies).
   * @default 67_108_864 (64 MiB)
   */
  readonly maxQueuedBytes?: number;
  /**
   * Bodies smaller than this decode on the calling thread: a worker round
   * trip costs more than they do.
   * @default 65_536
   */
  readonly inlineBelowBytes?: number;
  /**
   * Topics per part a worker posts while it scans a plain body, so the
   * event loop rebuilds one part while the worker scans the next; 0 posts
   * the scan whole, at its end.
   * @default 1_000
   */
  readonly partTopics?: number;
}

/**
 * Options of one {@link DecodePool.decode} call: those of
 * `decodeRegisterBrokerBody` (its `bodyCrc32` is checked on the worker that
 * decodes the body) and an ordering key.
 */
export interface PoolDecodeOptions extends DecodeRegisterBrokerBodyOptions {
  /**
   * Calls with the same key (a connection) resolve in call order. A body
   * whose topic table has the same bytes as the last one decoded for the
   * key (a broker re-sending its table, with a new data version or not)
   * resolves with that table's `Map` again, the very instance: callers
   * must treat returned tables as read-only.
   */
  readonly key?: object;
}

/** The decode queue is full: the body is refused, not decoded (the broker retries with its next registration). */
export class DecodeQueueFullError extends NamesrvError {
  declare readonly code: 'ERR_DECODE_QUEUE_FULL';
  /** Bytes queued when the body came. */
  readonly queuedBytes: number;
  /** The limit. */
  readonly maxQueuedBytes: number;

  constructor(bodyBytes: number, queuedBytes: number, maxQueuedBytes: number) {
    super(`decode queue full: ${queuedBytes} bytes queued, a body of ${bodyBytes} bytes exceeds maxQueuedBytes (${maxQueuedBytes})`,
      'ERR_DECODE_QUEUE_FULL');
    this.name = 'DecodeQueueFullError';
    this.queuedBytes = queuedBytes;
    this.maxQueuedBytes = maxQueuedBytes;
  }
}

/** What a {@link DecodePool} did so far. */
export interface DecodePoolStats {
  /** Bodies a worker decoded. */
  readonly worker: number;
  /** Bodies a worker handed back for the general decoder (shapes or errors the scanners leave to it). */
  readonly fallback: number;
  /** Bodies decoded on the calling thread from the start (small, old layout, no workers). */
  readonly inline: number;
  /** Bodies a worker decoded whose topic table was the key's last one, returned again without a rebuild. */
  readonly reused: number;
}

interface Job {
  readonly body: Buffer;
  readonly options: PoolDecodeOptions;
  readonly resolve: (body: MappedRegisterBrokerBody) => void;
  readonly reject: (err: unknown) => void;
  readonly thread: Thread;
  /** The rebuild of the parts the worker posted so far, if any. */
  stream: UnpackStream | null;
  /** The pool's memory the worker reads a copy of the body from; null when it reads the caller's shared memory. */
  readonly shared: SharedArrayBuffer | null;
  /** The key's table when the job was sent: a `same` answer returns it. */
  readonly expected: KeyTable | null;
}

/** The last table a worker decoded for a key, and the digest of its bytes. */
interface KeyTable {
  readonly digest: string;
  readonly table: Map<string, TopicConfig>;
}

/** Spare body memory kept for the next jobs, at most (a few bodies of RocketMQ's largest registrations). */
const MAX_SPARE_BYTES = 16 * 1024 * 1024;

interface Thread {
  readonly worker: Worker;
  inFlight: number;
}

/**
 * Decodes REGISTER_BROKER bodies on worker threads.
 *
 * @example
 * ```ts
 * const pool = new DecodePool();
 * const body = await pool.decode(request.body, { compressed, version: request.version, maxInflatedBytes, key: socket });
 * registry.registerBroker({ ...header, topicConfigWrapper: body.topicConfigSerializeWrapper, filterServerList: body.filterServerList });
 * await pool.close();
 * ```
 */
export class DecodePool {
  readonly #size: number;
  readonly #maxQueuedBytes: number;
  readonly #inlineBelowBytes: number;
  readonly #partTopics: number;
  readonly #threads: Thread[] = [];
  readonly #jobs = new Map<number, Job>();
  readonly #tails = new WeakMap<object, Promise<unknown>>();
  /** One table per key (connection), collected with it. */
  readonly #tables = new WeakMap<object, KeyTable>();
  /** Topic names decoded before: re-registrations get the same instances back (less garbage, no rehashing). */
  readonly #names = new NameCache();
  #source: string | null = null;
  /** The rebuild running on this thread, if any: the next one starts after it. */
  #lane: Promise<void> = Promise.resolve();
  #nextId = 1;
  #queuedBytes = 0;
  #closed = false;
  readonly #stats = { worker: 0, fallback: 0, inline: 0, reused: 0 };
  /** Body memory of answered jobs, reused: no new external memory (and GC pressure) per registration. */
  readonly #spare: SharedArrayBuffer[] = [];
  #spareBytes = 0;

  /** @throws {@link InvalidOptionError} when an option is invalid. */
  constructor(options: DecodePoolOptions = {}) {
    const size = options.size ?? Math.min(2, Math.max(1, availableParallelism() - 1));
    if (!Number.isInteger(size) || size < 0) throw new InvalidOptionError('options.size', `must be an integer >= 0, got ${String(size)}`);
    const maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
    if (typeof maxQueuedBytes !== 'number' || !(maxQueuedBytes >= 0)) {
      throw new InvalidOptionError('options.maxQueuedBytes', `must be a number >= 0, got ${String(maxQueuedBytes)}`);
    }
    const inlineBelowBytes = options.inlineBelowBytes ?? 65_536;
    if (typeof inlineBelowBytes !== 'number' || !(inlineBelowBytes >= 0)) {
      throw new InvalidOptionError('options.inlineBelowBytes', `must be a number >= 0, got ${String(inlineBelowBytes)}`);
    }
    const partTopics = options.partTopics ?? 1_000;
    if (!Number.isInteger(partTopics) || partTopics < 0) {
      throw new InvalidOptionError('options.partTopics', `must be an integer >= 0, got ${String(partTopics)}`);
    }
    this.#partTopics = partTopics;
    this.#size = size;
    this.#maxQueuedBytes = maxQueuedBytes;
    this.#inlineBelowBytes = inlineBelowBytes;
  }

  /** Body bytes handed to workers and not answered yet. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Bodies handed to workers and not answered yet. */
  get pending(): number {
    return this.#jobs.size;
  }

  /** Counts of decodes by where they ran. */
  get stats(): DecodePoolStats {
    return { ...this.#stats };
  }

  /** Worker threads running. */
  get threadCount(): number {
    return this.#threads.length;
  }

  /**
   * Decodes a REGISTER_BROKER body: the values of
   * `decodeRegisterBrokerBody(body, options)`, its topic table as a `Map`
   * in body order. With a `key`, the table comes back sealed (read-only: the
   * next body of the key with the same table bytes gets the same instance
   * back, and the registry then skips comparing its entries). A body in
   * shared memory (a remoting server's large frames) is read where it is, so
   * it must not change until the returned promise settles; any other body is
   * copied.
   * @throws `BodyDecodeError` when the body cannot be decoded (or its `bodyCrc32` differs).
   * @throws {@link DecodeQueueFullError} when the queue has no room for it.
   */
  decode(body: Buffer | null, options: PoolDecodeOptions): Promise<MappedRegisterBrokerBody> {
    const own = this.#decode(body, options);
    const key = options.key;
    if (key === undefined) return own;
    const previous = this.#tails.get(key);
    const ordered = previous === undefined ? own : previous.then(() => own, () => own);
    const tail = ordered.then(() => undefined, () => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return ordered;
  }

  /** Terminates the workers; later calls decode on the calling thread. Jobs still queued are decoded there too. */
  async close(): Promise<void> {
    this.#closed = true;
    const threads = this.#threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #decode(body: Buffer | null, options: PoolDecodeOptions): Promise<MappedRegisterBrokerBody> {
    if (body === null || body.length < this.#inlineBelowBytes || this.#closed || this.#size === 0
      || options.version < MQVersion.V3_0_11) {
      this.#stats.inline++;
      return decodeInline(body, options, this.#names);
    }
    if (this.#queuedBytes + body.length > this.#maxQueuedBytes) {
      return Promise.reject(new DecodeQueueFullError(body.length, this.#queuedBytes, this.#maxQueuedBytes));
    }
    const thread = this.#pickThread();
    const id = this.#nextId++;
    // Shared memory (a remoting server's large frames) is read where it is; any other body is copied to
    // memory of the pool's own, reused once the worker answered.
    let shared: SharedArrayBuffer | null = null;
    let bytes: Uint8Array;
    if (body.buffer instanceof SharedArrayBuffer) {
      bytes = new Uint8Array(body.buffer, body.byteOffset, body.length);
    } else {
      shared = this.#takeSpare(body.length);
      bytes = new Uint8Array(shared, 0, body.length);
      bytes.set(body);
    }
    const key = options.key;
    const expected = key === undefined ? null : this.#tables.get(key) ?? null;
    return new Promise((resolve, reject) => {
      this.#jobs.set(id, { body, options, resolve, reject, thread, stream: null, shared, expected });
      this.#queuedBytes += body.length;
      if (thread.inFlight++ === 0) thread.worker.ref();
      const job: DecodeJob = {
        // What the bytes are decides, not the header's flag (5.3.3 brokers send zlib with compressed=false).
        id, bytes, compressed: isZlibStream(body), withMappings: options.version >= MQVersion.V5_0_0,
        maxInflatedBytes: options.maxInflatedBytes, bodyCrc32: options.bodyCrc32 ?? 0, partTopics: this.#partTopics,
        digest: key !== undefined, expect: expected?.digest ?? null,
      };
      thread.worker.postMessage(job);
    });
  }

  /** Memory for a body of `length` bytes: a spare one large enough, else a new one. */
  #takeSpare(length: number): SharedArrayBuffer {
    for (let k = this.#spare.length - 1; k >= 0; k--) {
      const spare = this.#spare[k] as SharedArrayBuffer;
      if (spare.byteLength < length) continue;
      this.#spare.splice(k, 1);
      this.#spareBytes -= spare.byteLength;
      return spare;
    }
    // Sizes rounded up to 256 KiB: bodies of one broker that grow a little still fit.
    return new SharedArrayBuffer(Math.ceil(Math.max(length, 1) / 262_144) * 262_144);
  }

  #pickThread(): Thread {
    let best: Thread | null = null;
    for (const t of this.#threads) if (best === null || t.inFlight < best.inFlight) best = t;
    if (best !== null && (best.inFlight === 0 || this.#threads.length >= this.#size)) return best;
    this.#source ??= decodeWorkerSource();
    const worker = new Worker(this.#source, { eval: true });
    const thread: Thread = { worker, inFlight: 0 };
    worker.unref();
    worker.on('message', (answer: DecodeAnswer) => this.#answer(answer));
    // A worker that fails takes nothing with it: its jobs decode here.
    worker.on('error', () => this.#lose(thread));
    worker.on('exit', () => this.#lose(thread));
    this.#threads.push(thread);
    return thread;
  }

  #settle(id: number): Job | undefined {
    const job = this.#jobs.get(id);
    if (job === undefined) return undefined;
    this.#jobs.delete(id);
    this.#queuedBytes -= job.body.length;
    if (--job.thread.inFlight === 0) job.thread.worker.unref();
    // The worker answered (or is gone): it reads the body's memory no more.
    if (job.shared !== null && this.#spareBytes + job.shared.byteLength <= MAX_SPARE_BYTES) {
      this.#spare.push(job.shared);
      this.#spareBytes += job.shared.byteLength;
    }
    return job;
  }

  #answer(answer: DecodeAnswer): void {
    if (answer.kind === 'part') {
      const job = this.#jobs.get(answer.id);
      if (job === undefined) return;
      const stream = (job.stream ??= new UnpackStream(this.#names));
      const { scan, topics } = answer;
      // Parts and bodies share one lane: in the order they came, one slice at a time.
      this.#lane = this.#lane.then(() => stream.part(scan, topics, job.body)).then(() => undefined, () => undefined);
      return;
    }
    const job = this.#settle(answer.id);
    if (job === undefined) return;
    // Parts rebuilt so far are void unless the scan completed them.
    if (answer.kind !== 'scan') job.stream?.void();
    if (answer.kind === 'same' && job.expected !== null) {
      this.#stats.worker++;
      this.#stats.reused++;
      const src = answer.src === null ? job.body : Buffer.from(answer.src.buffer, answer.src.byteOffset, answer.src.length);
      const { scan } = answer;
      const table = job.expected.table;
      // After the bodies before it on the lane, and a turn of the event loop: several answers at once are applied
      // one per turn, with I/O (route requests) in between, not back to back.
      const reused = this.#lane.then(nextTurn).then(() => unpackWithTable(scan, src, table));
      this.#lane = reused.then(() => undefined, () => undefined);
      reused.then(job.resolve, job.reject);
    } else if (answer.kind === 'scan') {
      this.#stats.worker++;
      // Rebuilt in slices, one body at a time: a route request arriving meanwhile waits for one slice, not for whole tables.
      const src = answer.src === null ? job.body : Buffer.from(answer.src.buffer, answer.src.byteOffset, answer.src.length);
      const scan = answer.scan;
      const stream = job.stream;
      const rebuilt = this.#lane.then(() => stream === null
        ? unpackRegisterBodySliced(scan, src, UNPACK_SLICE_TOPICS, this.#names)
        : stream.finish(scan, src));
      this.#lane = rebuilt.then(() => undefined, () => undefined);
      const { key } = job.options;
      const { digest } = answer;
      rebuilt.then((result) => {
        // The key's table now: a later body with the same table bytes gets this Map back, sealed so that the
        // registry may recognize it (and skip comparing its entries).
        if (key !== undefined && digest !== null) {
          this.#tables.set(key, { digest, table: sealTopicTable(result.topicConfigSerializeWrapper.topicConfigTable) });
        }
        job.resolve(result);
      }, job.reject);
    } else if (answer.kind === 'error') {
      // Refusals are rare: the general decoder words them, so every path refuses a body alike.
      this.#stats.fallback++;
      decodeInline(job.body, job.options, this.#names).then(job.resolve, job.reject);
    } else if (answer.kind === 'no-crc') {
      // Checked here, then decoded here too: this only happens on Node before 20.15.
      this.#stats.fallback++;
      decodeInline(job.body, job.options, this.#names).then(job.resolve, job.reject);
    } else {
      this.#stats.fallback++;
      decodeInline(job.body, job.options, this.#names).then(job.resolve, job.reject);
    }
  }

  #lose(thread: Thread): void {
    const index = this.#threads.indexOf(thread);
    if (index >= 0) this.#threads.splice(index, 1);
    for (const [id, job] of this.#jobs) {
      if (job.thread !== thread) continue;
      this.#settle(id);
      job.stream?.void();
      this.#stats.fallback++;
      decodeInline(job.body, job.options, this.#names).then(job.resolve, job.reject);
    }
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Decodes on the calling thread: the scanner when it applies, the general decoder otherwise. */
async function decodeInline(body: Buffer | null, options: PoolDecodeOptions, names: NameCache): Promise<MappedRegisterBrokerBody> {
  checkBodyCrc32(body, options.bodyCrc32);
  if (body !== null && body.length > 0 && !isZlibStream(body) && options.version >= MQVersion.V3_0_11) {
    const scan = scanPlainRegisterBody(body);
    if (scan !== null) return unpackRegisterBodySliced(scan, body, UNPACK_SLICE_TOPICS, names);
  }
  // Checked above: not twice.
  return mapped(await decodeRegisterBrokerBody(body, { ...options, bodyCrc32: 0 }));
}

function mapped(body: Awaited<ReturnType<typeof decodeRegisterBrokerBody>>): MappedRegisterBrokerBody {
  const record = body.topicConfigSerializeWrapper.topicConfigTable;
  const table = new Map<string, TopicConfig>(Object.entries(record));
  const { dataVersion, topicQueueMappingInfoMap } = body.topicConfigSerializeWrapper;
  return {
    topicConfigSerializeWrapper: topicQueueMappingInfoMap === undefined
      ? { topicConfigTable: table, dataVersion }
      : { topicConfigTable: table, dataVersion, topicQueueMappingInfoMap },
    filterServerList: body.filterServerList,
  };
}
