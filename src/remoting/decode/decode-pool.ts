/**
 * Decodes REGISTER_BROKER bodies on `worker_threads`, fairly and within the
 * server's memory budget. The path of a body:
 *
 * 1. `decode()`: a small plain body (or any body, without workers) is
 *    decoded here; any other is queued under its key (its connection).
 * 2. `#pump()`: each worker with room takes the next key's oldest body,
 *    round robin between keys, one body per key on the workers at a time;
 *    so one peer's backlog of zlib bombs never sits in front of another's
 *    registration (a body given to a worker waits behind at most
 *    `jobsPerWorker - 1` others: room for a few, so a worker never idles
 *    until the event loop takes its last answer), and nothing is refused
 *    for want of room (a connection's own in-flight limit bounds its queue).
 * 3. The worker (`worker-job.ts`) checks the CRC, inflates, refuses past
 *    `maxTopics`, scans into a compact form and answers it, typed arrays
 *    transferred; a body the scanners leave is decoded by the general
 *    decoder there too. A body whose table has the bytes of the key's last
 *    one is answered `same`: the last table is returned again, unrebuilt.
 * 4. `#rebuild()`: the main thread turns the compact form into values in
 *    slices, one body at a time, yielding between slices; the memory this
 *    takes (transferred bytes, plus topics × an estimate) is charged to the
 *    budget (when it has room) until the table is built.
 * @module
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { checkNumber, checkPositiveInteger } from '../../core/option-checks.js';
import type { TopicConfig } from '../../core/types.js';
import { sealTopicTable } from '../../core/registration/topic-table.js';
import { PackableTopicTable } from '../../core/registration/packed-table.js';
import { MQVersion } from '../codes.js';
import { BodyDecodeError } from '../errors.js';
import type { MemoryBudget } from '../memory-budget.js';
import { scanPlainRegisterBody, type BodyScan } from './body-scan.js';
import {
  UNPACK_SLICE_TOPICS, UnpackStream, unpackRegisterBodySliced, unpackWithTable, type MappedRegisterBrokerBody,
} from './body-unpack.js';
import { FairQueue } from './fair-queue.js';
import {
  DEFAULT_MAX_TOPICS_PER_REGISTRATION, checkBodyCrc32, decodeRegisterBrokerBody, isZlibStream, type DecodeRegisterBrokerBodyOptions,
} from './general.js';
import { NameCache } from './name-cache.js';
import { findDecodeWorker, startDecodeWorker, type DecodeWorkerEntry } from './worker-start.js';
import type { DecodeAnswer, DecodeJob } from './worker-protocol.js';

export type { MappedRegisterBrokerBody } from './body-unpack.js';

/** Options of a {@link DecodePool}. */
export interface DecodePoolOptions {
  /**
   * Worker threads at most (started on demand); 0 decodes every body on the
   * calling thread. One core stays for the event loop: on two cores a second
   * worker competes with it for the same cores.
   * @default min(2, max(1, availableParallelism() - 1))
   */
  readonly size?: number;
  /**
   * Plain bodies smaller than this decode on the calling thread: a worker
   * round trip costs more than they do. Compressed bodies go to a worker
   * (those smaller than this only once one is running).
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
  /**
   * Most topics one body may carry: more is refused (a `BodyDecodeError`
   * naming the limit) while scanning, before anything is built.
   * @default 500_000
   */
  readonly maxTopics?: number;
  /**
   * Bodies (of different keys) one worker is given at once: it decodes them
   * in turn, so it starts the next as soon as it answered one, not when the
   * event loop has taken that answer (a turn of the loop later, which under
   * a fleet's load is what bounded the pool's rate). 1 gives one at a time.
   * @default 4
   */
  readonly jobsPerWorker?: number;
  /** Charged for what a body's rebuild holds until its table is built (see the module documentation). */
  readonly budget?: MemoryBudget;
}

/**
 * Options of one {@link DecodePool.decode} call: those of
 * `decodeRegisterBrokerBody` (its `bodyCrc32` is checked on the worker that
 * decodes the body; `maxTopics` is the pool's) and a key.
 */
export interface PoolDecodeOptions extends Omit<DecodeRegisterBrokerBodyOptions, 'maxTopics'> {
  /**
   * Who the body comes from (a connection): bodies of one key resolve in
   * call order and keys share the workers round robin. A body whose topic
   * table has the same bytes as the last one decoded for the key resolves
   * with that table's `Map` again, the very instance, sealed: callers must
   * treat returned tables as read-only.
   */
  readonly key?: object;
}

/** What a {@link DecodePool} did so far. */
export interface DecodePoolStats {
  /** Bodies a worker decoded. */
  readonly worker: number;
  /** Of those, bodies the scanners left to the general decoder (on the worker too). */
  readonly fallback: number;
  /** Bodies decoded on the calling thread (small plain ones, or without workers). */
  readonly inline: number;
  /** Bodies a worker decoded whose topic table was the key's last one, returned again without a rebuild. */
  readonly reused: number;
}

/**
 * What the main thread holds per topic while it rebuilds a table: the config
 * object, its name and its map entry (measured: ~200 bytes), rounded up.
 */
const TOPIC_REBUILD_BYTES = 256;
/** Spare body memory kept for the next jobs, at most. */
const MAX_SPARE_BYTES = 16 * 1024 * 1024;
/** The key of bodies decoded without one. */
const NO_KEY = Object.freeze({});

interface Job {
  readonly id: number;
  readonly body: Buffer;
  readonly options: PoolDecodeOptions;
  readonly key: object;
  readonly resolve: (body: MappedRegisterBrokerBody) => void;
  readonly reject: (err: unknown) => void;
  /** The rebuild of the parts the worker posted so far, if any. */
  stream: UnpackStream | null;
  /** The pool's copy of the body, when it is not in shared memory already. */
  shared: SharedArrayBuffer | null;
  /** The key's table when the job was sent: a `same` answer returns it. */
  expected: KeyTable | null;
  /** Bytes charged to the budget for the rebuild so far. */
  charged: number;
}

/** The last table a worker decoded for a key, and the digest of its bytes. */
interface KeyTable {
  readonly digest: string;
  readonly table: Map<string, TopicConfig>;
}

/**
 * What the pool keeps of a key's last table: held weakly, so a table the
 * registry no longer holds (replaced, expired, never applied) costs nothing;
 * the registry holds a registered broker's sealed table as long as it is current.
 */
interface KeptTable {
  readonly digest: string;
  readonly table: WeakRef<Map<string, TopicConfig>>;
}

interface Thread {
  readonly worker: Worker;
  /** Jobs sent to it and not answered yet (of different keys): it decodes them in the order sent. */
  readonly jobs: Set<Job>;
  /** The worker runs (its start takes a few milliseconds; from TypeScript sources, under tests, seconds). */
  online: boolean;
}

/**
 * Decodes REGISTER_BROKER bodies on worker threads. A `RemotingServer` owns
 * one (its `decodeWorkers` option); build one yourself only to decode bodies
 * outside a server.
 *
 * @example
 * ```ts
 * const pool = new DecodePool();
 * const body = await pool.decode(request.body, { compressed, version: request.version, maxInflatedBytes, key: socket });
 * await pool.close();
 * ```
 */
export class DecodePool {
  readonly #size: number;
  readonly #inlineBelowBytes: number;
  readonly #partTopics: number;
  readonly #maxTopics: number;
  readonly #jobsPerWorker: number;
  readonly #budget: MemoryBudget | null;
  readonly #threads: Thread[] = [];
  readonly #jobs = new Map<number, Job>();
  readonly #queue = new FairQueue<Job>();
  /** Keys with a body on a worker: their next waits. */
  readonly #busy = new Set<object>();
  readonly #tails = new WeakMap<object, Promise<unknown>>();
  /** One table per key (connection), collected with it. */
  readonly #tables = new WeakMap<object, KeptTable>();
  /** Topic names decoded before: re-registrations get the same instances back (less garbage, no rehashing). */
  readonly #names = new NameCache();
  #entry: DecodeWorkerEntry | null = null;
  /** The rebuild running on this thread, if any: the next one starts after it. */
  #lane: Promise<void> = Promise.resolve();
  #nextId = 1;
  #closed = false;
  readonly #stats = { worker: 0, fallback: 0, inline: 0, reused: 0 };
  /** Body memory of answered jobs, reused: no new external memory (and GC pressure) per registration. */
  readonly #spare: SharedArrayBuffer[] = [];
  #spareBytes = 0;

  /** @throws {@link InvalidOptionError} when an option is invalid. */
  constructor(options: DecodePoolOptions = {}) {
    this.#size = checkCount(options.size, Math.min(2, Math.max(1, availableParallelism() - 1)), 'size');
    this.#inlineBelowBytes = checkCount(options.inlineBelowBytes, 65_536, 'inlineBelowBytes');
    this.#partTopics = checkCount(options.partTopics, 1_000, 'partTopics');
    this.#maxTopics = checkCount(options.maxTopics, DEFAULT_MAX_TOPICS_PER_REGISTRATION, 'maxTopics');
    this.#jobsPerWorker = checkPositiveInteger(options.jobsPerWorker, 4, 'jobsPerWorker');
    this.#budget = options.budget ?? null;
  }

  /** Bodies queued or on a worker, not answered yet. */
  get pending(): number {
    return this.#jobs.size + this.#queue.size;
  }

  /** Bodies given to the workers and not answered yet (at most `size × jobsPerWorker`, one per key). */
  get onWorkers(): number {
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
   * Starts one worker now rather than at the first body (a server calls it
   * when it starts listening).
   * @throws `DecodeWorkerMissingError` when the worker's build entry is missing.
   */
  start(): void {
    if (!this.#closed && this.#size > 0 && this.#threads.length === 0) this.#startThread();
  }

  /** {@link start}, or the reason it could not (then each body needing a worker is refused with it). */
  tryStart(): Error | null {
    try {
      this.start();
      return null;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  /**
   * Decodes a REGISTER_BROKER body: the values of
   * `decodeRegisterBrokerBody(body, options)`, its topic table as a `Map`
   * in body order. A body in shared memory (a remoting server's large
   * frames) is read where it is, so it must not change until the returned
   * promise settles; any other body is copied.
   * @throws `BodyDecodeError` when the body cannot be decoded, its `bodyCrc32` differs, or it has more than `maxTopics` topics.
   */
  decode(body: Buffer | null, options: PoolDecodeOptions): Promise<MappedRegisterBrokerBody> {
    const key = options.key ?? NO_KEY;
    const own = this.#decode(body, options, key);
    const previous = this.#tails.get(key);
    const ordered = previous === undefined ? own : previous.then(() => own, () => own);
    const tail = ordered.then(() => undefined, () => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return ordered;
  }

  /** Terminates the workers. Bodies still queued or decoding are refused; later calls decode on the calling thread. */
  async close(): Promise<void> {
    this.#closed = true;
    const stopped = new BodyDecodeError('the decode pool closed before the body was decoded');
    for (const job of this.#queue.drain()) job.reject(stopped);
    const threads = this.#threads.splice(0);
    for (const thread of threads) for (const job of thread.jobs) this.#fail(job, stopped);
    this.#jobs.clear();
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #decode(body: Buffer | null, options: PoolDecodeOptions, key: object): Promise<MappedRegisterBrokerBody> {
    const compressed = body !== null && isZlibStream(body);
    // Small bodies do not wait for a worker to start: the first registrations after start are decoded here.
    const small = body !== null && body.length < this.#inlineBelowBytes && (!compressed || !this.#threads.some((t) => t.online));
    if (body === null || this.#closed || this.#size === 0 || small) {
      this.#stats.inline++;
      return decodeInline(body, { ...options, maxTopics: this.#maxTopics }, this.#names);
    }
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: this.#nextId++, body, options, key, resolve, reject, stream: null, shared: null, expected: null, charged: 0,
      };
      this.#queue.push(key, job);
      this.#pump();
    });
  }

  /** Hands the next keys' bodies to workers with room: an idle one first, then a new one (up to the size), then the least busy. */
  #pump(): void {
    for (;;) {
      let thread = this.#threads.find((t) => t.jobs.size === 0);
      if (thread === undefined && this.#threads.length < this.#size && this.#queue.size > 0) {
        const started = this.#tryStartThread();
        if (started instanceof Error) {
          for (const job of this.#queue.drain()) job.reject(started);
          return;
        }
        thread = started;
      }
      thread ??= this.#leastBusy();
      if (thread === undefined) return;
      const next = this.#queue.take((key) => !this.#busy.has(key));
      if (next === null) return;
      this.#send(thread, next.item);
    }
  }

  /** The worker with the fewest jobs, if one has room for another. */
  #leastBusy(): Thread | undefined {
    let best: Thread | undefined;
    for (const t of this.#threads) {
      if (t.jobs.size < this.#jobsPerWorker && (best === undefined || t.jobs.size < best.jobs.size)) best = t;
    }
    return best;
  }

  #send(thread: Thread, job: Job): void {
    const { options, body, key } = job;
    // Its connection closed while it waited: nobody wants the answer, skip the work.
    if (options.signal?.aborted === true) {
      job.reject(new BodyDecodeError('connection closed before the body was decoded'));
      return;
    }
    let bytes: Uint8Array;
    if (body.buffer instanceof SharedArrayBuffer) {
      bytes = new Uint8Array(body.buffer, body.byteOffset, body.length);
    } else {
      job.shared = this.#takeSpare(body.length);
      bytes = new Uint8Array(job.shared, 0, body.length);
      bytes.set(body);
    }
    job.expected = this.#keptTable(key);
    thread.jobs.add(job);
    this.#busy.add(key);
    this.#jobs.set(job.id, job);
    thread.worker.ref();
    const message: DecodeJob = {
      id: job.id, bytes, compressed: isZlibStream(body), declaredCompressed: options.compressed, version: options.version,
      maxInflatedBytes: options.maxInflatedBytes, maxTopics: this.#maxTopics, bodyCrc32: options.bodyCrc32 ?? 0,
      partTopics: this.#partTopics, digest: key !== NO_KEY, expect: job.expected?.digest ?? null,
    };
    thread.worker.postMessage(message);
  }

  /** The key's last table, if it is still alive (held strongly by the job from now on). */
  #keptTable(key: object): KeyTable | null {
    const kept = this.#tables.get(key);
    const table = kept?.table.deref();
    if (kept === undefined || table === undefined) return null;
    return { digest: kept.digest, table };
  }

  #tryStartThread(): Thread | Error {
    try {
      return this.#startThread();
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  #startThread(): Thread {
    this.#entry ??= findDecodeWorker(import.meta.url);
    const thread: Thread = { worker: startDecodeWorker(this.#entry), jobs: new Set(), online: false };
    thread.worker.once('online', () => (thread.online = true));
    thread.worker.on('message', (answer: DecodeAnswer) => this.#answer(thread, answer));
    // A worker that fails takes its body with it (refused), not the pool: the next body starts a new one.
    thread.worker.on('error', () => this.#lose(thread));
    thread.worker.on('exit', () => this.#lose(thread));
    this.#threads.push(thread);
    return thread;
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

  /** The worker is done with `job`: free it for the next key's body. */
  #release(thread: Thread, job: Job): void {
    this.#jobs.delete(job.id);
    thread.jobs.delete(job);
    this.#busy.delete(job.key);
    if (job.shared !== null && this.#spareBytes + job.shared.byteLength <= MAX_SPARE_BYTES) {
      this.#spare.push(job.shared);
      this.#spareBytes += job.shared.byteLength;
    }
    job.shared = null;
    if (this.#threads.every((t) => t.jobs.size === 0)) for (const t of this.#threads) t.worker.unref();
    this.#pump();
  }

  #answer(thread: Thread, answer: DecodeAnswer): void {
    const job = this.#jobs.get(answer.id);
    if (job === undefined) return;
    if (answer.kind === 'part') {
      this.#charge(job, answer.scan, null, answer.topics);
      const stream = (job.stream ??= new UnpackStream(this.#names, tableFor(job)));
      // Parts and bodies share one lane: in the order they came, one slice at a time.
      this.#lane = this.#lane.then(() => stream.part(answer.scan, answer.topics, job.body)).then(() => undefined, () => undefined);
      return;
    }
    this.#release(thread, job);
    this.#stats.worker++;
    if (answer.kind === 'error') this.#fail(job, new BodyDecodeError(answer.message));
    else this.#rebuild(job, answer);
  }

  /** Rebuilds the answered scan on the lane (after the bodies before it), then resolves the job. */
  #rebuild(job: Job, answer: Extract<DecodeAnswer, { kind: 'scan' | 'same' }>): void {
    const src = answer.src === null ? job.body : Buffer.from(answer.src.buffer, answer.src.byteOffset, answer.src.length);
    const { scan } = answer;
    this.#charge(job, scan, answer.src, answer.kind === 'scan' ? scan.ints[0] as number : 0);
    let rebuilt: Promise<MappedRegisterBrokerBody>;
    if (answer.kind === 'same' && job.expected !== null) {
      this.#stats.reused++;
      job.stream?.void();
      const table = job.expected.table;
      // Outside the lane: an unchanged table costs a few microseconds to hand back, and waiting for the
      // rebuilds queued before it (a turn of the event loop each) would bound heartbeats by the loop's turns.
      rebuilt = Promise.resolve().then(() => unpackWithTable(scan, src, table));
    } else {
      if (answer.kind === 'scan' && answer.fresh) {
        this.#stats.fallback++;
        job.stream?.void();
        job.stream = null;
      }
      const stream = job.stream;
      // Rebuilt in slices, one body at a time: a route request arriving meanwhile waits for one slice, not for whole tables.
      rebuilt = this.#lane.then(() => (stream === null
        ? unpackRegisterBodySliced(scan, src, UNPACK_SLICE_TOPICS, this.#names, tableFor(job))
        : stream.finish(scan, src)));
    }
    this.#lane = rebuilt.then(() => undefined, () => undefined);
    rebuilt.then((result) => this.#resolve(job, answer, result), (err: unknown) => this.#fail(job, err));
  }

  #resolve(job: Job, answer: Extract<DecodeAnswer, { kind: 'scan' | 'same' }>, result: MappedRegisterBrokerBody): void {
    this.#refund(job);
    const wrapper = result.topicConfigSerializeWrapper;
    if (answer.kind === 'scan' && answer.mappings !== null) wrapper.topicQueueMappingInfoMap = new Map(answer.mappings);
    // The key's table now: a later body with the same table bytes gets this Map back, sealed so that the
    // registry may recognize it (and skip comparing its entries).
    if (answer.kind === 'scan' && answer.digest !== null) {
      this.#tables.set(job.key, { digest: answer.digest, table: new WeakRef(sealTopicTable(wrapper.topicConfigTable)) });
    }
    job.resolve(result);
  }

  #fail(job: Job, err: unknown): void {
    job.stream?.void();
    this.#refund(job);
    job.reject(err);
  }

  /**
   * Charges what a rebuild holds (the transferred bytes, and the topics it
   * builds) while the budget has room for it. Never past the limit: that
   * would stop small requests (route lookups) until the table is built;
   * rebuilds run one at a time, so what one holds beyond a full budget is one table.
   */
  #charge(job: Job, scan: BodyScan, src: Uint8Array | null, topics: number): void {
    const bytes = scan.ints.byteLength + (src?.byteLength ?? 0) + topics * TOPIC_REBUILD_BYTES;
    if (this.#budget?.tryReserve(bytes) === true) job.charged += bytes;
  }

  #refund(job: Job): void {
    if (job.charged > 0) this.#budget?.release(job.charged);
    job.charged = 0;
  }

  #lose(thread: Thread): void {
    const index = this.#threads.indexOf(thread);
    if (index < 0) return;
    this.#threads.splice(index, 1);
    for (const job of [...thread.jobs]) {
      this.#release(thread, job);
      this.#fail(job, new BodyDecodeError('the decode worker stopped while decoding the body'));
    }
    this.#pump();
  }
}

/**
 * The Map a job's table is rebuilt into: a keyed one may come back sealed
 * (see `#resolve`), so it is one the registry can pack once applied, holding
 * a few bytes per topic instead of the decoded objects while it only needs
 * the table's identity.
 */
function tableFor(job: Job): Map<string, TopicConfig> {
  return job.key === NO_KEY ? new Map() : new PackableTopicTable();
}

/** A count of at least 0. */
function checkCount(value: unknown, fallback: number, name: string): number {
  return checkNumber(value, fallback, name, { integer: true, min: 0 });
}

/** Decodes on the calling thread: the scanner when it applies, the general decoder otherwise. */
async function decodeInline(
  body: Buffer | null, options: DecodeRegisterBrokerBodyOptions, names: NameCache,
): Promise<MappedRegisterBrokerBody> {
  checkBodyCrc32(body, options.bodyCrc32);
  if (body !== null && body.length > 0 && !isZlibStream(body) && options.version >= MQVersion.V3_0_11) {
    const scan = scanPlainRegisterBody(body, null, 0, options.maxTopics);
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
