/**
 * Turns the compact form of a scanned REGISTER_BROKER body (see
 * `body-scan.ts`) back into values: the same ones `JSON.parse` (or the
 * compressed decoder) gives, with the topic table as a `Map`, the registry's
 * fast path. Names are decoded straight from the body's bytes, so nothing
 * keeps the body alive afterwards.
 * @internal
 * @module
 */
import type { DataVersion, TopicConfig, TopicConfigWrapper } from '../../core/types.js';
import type { BodyScan } from './body-scan.js';
import type { NameCache } from './name-cache.js';
import type { RegisterBrokerBody } from '../codec/register-body.js';

/** A decoded `RegisterBrokerBody` whose topic table is a `Map` in body order. */
export interface MappedRegisterBrokerBody extends RegisterBrokerBody {
  topicConfigSerializeWrapper: {
    topicConfigTable: Map<string, TopicConfig>;
    dataVersion: DataVersion;
    topicQueueMappingInfoMap?: TopicConfigWrapper['topicQueueMappingInfoMap'];
  };
}

/** Where the topic records start in `BodyScan.ints`. */
const HEADER = 8;

/**
 * Topics rebuilt between two yields of {@link unpackRegisterBodySliced}:
 * about half a millisecond of work, so a request waiting on the event loop
 * never waits long behind a big registration.
 */
export const UNPACK_SLICE_TOPICS = 1_000;

/**
 * Rebuilds the body from `scan`, whose ranges point into `src`, in one go.
 * With `names`, topic names seen before come back as the instances decoded then.
 */
export function unpackRegisterBody(scan: BodyScan, src: Buffer, names: NameCache | null = null): MappedRegisterBrokerBody {
  const cursor = new UnpackCursor(scan, src, names);
  cursor.run(Infinity);
  return cursor.result();
}

/**
 * {@link unpackRegisterBody} in slices of `sliceTopics` topics, yielding to
 * the event loop (`setImmediate`) between slices: I/O, timers and other
 * requests run in between. The same result, rebuilt into `table` (an empty
 * Map); `src` must not change meanwhile (frame bodies never do).
 */
export async function unpackRegisterBodySliced(
  scan: BodyScan, src: Buffer, sliceTopics: number = UNPACK_SLICE_TOPICS, names: NameCache | null = null,
  table: Map<string, TopicConfig> = new Map(),
): Promise<MappedRegisterBrokerBody> {
  const cursor = new UnpackCursor(scan, src, names, table);
  while (!cursor.run(sliceTopics)) await nextTurn();
  return cursor.result();
}

/**
 * The body of a scan's header (data version, filter servers) with `table`
 * as its topic table: the table decoded before from the same bytes.
 */
export function unpackWithTable(scan: BodyScan, src: Buffer, table: Map<string, TopicConfig>): MappedRegisterBrokerBody {
  return new UnpackCursor(scan, src, null, table, HEADER, 0).result();
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A rebuild fed in parts, as a worker scans (see `BodyScanEmit`): each part
 * is rebuilt into one table while the worker scans the next, the last one
 * ({@link UnpackStream.finish}) with the body's header. The same result as
 * {@link unpackRegisterBodySliced} of the whole scan.
 */
export class UnpackStream {
  readonly #table: Map<string, TopicConfig>;
  readonly #names: NameCache | null;
  #voided = false;

  /** `table`: the empty Map to rebuild into. */
  constructor(names: NameCache | null = null, table: Map<string, TopicConfig> = new Map()) {
    this.#names = names;
    this.#table = table;
  }

  /** Stops rebuilding parts still to come (the body is decoded another way). */
  void(): void {
    this.#voided = true;
  }

  /** Rebuilds a part: `count` topic records from `scan.ints[0]`, whose ranges point into `src`. */
  async part(scan: BodyScan, count: number, src: Buffer, sliceTopics: number = UNPACK_SLICE_TOPICS): Promise<void> {
    const cursor = new UnpackCursor(scan, src, this.#names, this.#table, 0, count);
    // A turn first: parts queued meanwhile arrive together, and I/O waiting should not wait for all of them.
    do await nextTurn();
    while (!this.#voided && !cursor.run(sliceTopics));
  }

  /** Rebuilds the last part (a scan with its header) and gives the body. */
  async finish(scan: BodyScan, src: Buffer, sliceTopics: number = UNPACK_SLICE_TOPICS): Promise<MappedRegisterBrokerBody> {
    const cursor = new UnpackCursor(scan, src, this.#names, this.#table);
    while (!cursor.run(sliceTopics)) await nextTurn();
    return cursor.result();
  }
}

/** Where a rebuild stands: the next topic record and the table so far. */
class UnpackCursor {
  readonly #scan: BodyScan;
  readonly #src: Buffer;
  readonly #count: number;
  readonly #protoId: number;
  readonly #names: NameCache | null;
  readonly #table: Map<string, TopicConfig>;
  #p: number;
  #done = 0;

  /** Records from `start`, `count` of them (by default those of a whole scan: after its header, `ints[0]`). */
  constructor(scan: BodyScan, src: Buffer, names: NameCache | null, table = new Map<string, TopicConfig>(),
    start = HEADER, count = scan.ints[0] as number) {
    this.#scan = scan;
    this.#src = src;
    this.#names = names;
    this.#table = table;
    this.#p = start;
    this.#count = count;
    this.#protoId = scan.names.indexOf('__proto__');
  }

  /** Rebuilds up to `limit` more topics; true once all are. */
  run(limit: number): boolean {
    const end = Math.min(this.#count, this.#done + limit);
    let p = this.#p;
    for (let t = this.#done; t < end; t++) p = unpackTopic(this.#scan, this.#src, p, this.#protoId, this.#table, this.#names);
    this.#p = p;
    this.#done = end;
    return end === this.#count;
  }

  result(): MappedRegisterBrokerBody {
    const { ints } = this.#scan;
    const src = this.#src;
    const dataVersion: DataVersion = ints[2] === 1
      ? JSON.parse(src.toString('utf8', ints[3] as number, ints[4] as number)) as DataVersion
      : { stateVersion: 0, timestamp: 0, counter: 0 };
    return { topicConfigSerializeWrapper: { topicConfigTable: this.#table, dataVersion }, filterServerList: filterServers(ints, src) };
  }
}

/** Rebuilds the topic record at `p` into `table`; returns where the next record starts. */
function unpackTopic(
  scan: BodyScan, src: Buffer, start: number, protoId: number, table: Map<string, TopicConfig>, cache: NameCache | null,
): number {
  const { ints, names, values } = scan;
  let p = start;
  const keyKind = ints[p + 1] as number;
  const ks = ints[p + 2] as number;
  const ke = ints[p + 3] as number;
  const key = keyKind === 0 ? (cache === null ? src.toString('latin1', ks, ke) : cache.ascii(src, ks, ke))
    : keyKind === 1 ? src.toString('utf8', ks, ke) : JSON.parse(src.toString('utf8', ks, ke)) as string;
  if (ints[p] === 1) {
    table.set(key, JSON.parse(src.toString('utf8', ints[p + 4] as number, ints[p + 5] as number)) as TopicConfig);
    return p + 6;
  }
  const fields = ints[p + 4] as number;
  p += 5;
  let config: Record<string, unknown>;
  // Object literals for the layouts brokers send: compact objects of one shape, and no keyed stores.
  if (fields === 8 && isLayout(ints, p, FASTJSON_ORDER)) {
    config = {
      attributes: valueAt(ints, p, key, src, values), order: valueAt(ints, p + 4, key, src, values),
      perm: valueAt(ints, p + 8, key, src, values), readQueueNums: valueAt(ints, p + 12, key, src, values),
      topicFilterType: valueAt(ints, p + 16, key, src, values), topicName: valueAt(ints, p + 20, key, src, values),
      topicSysFlag: valueAt(ints, p + 24, key, src, values), writeQueueNums: valueAt(ints, p + 28, key, src, values),
    };
  } else if ((fields === 7 || (fields === 8 && ints[p + 28] === 0)) && isLayout(ints, p, COMPRESSED_ORDER)) {
    config = {
      topicName: valueAt(ints, p, key, src, values), readQueueNums: valueAt(ints, p + 4, key, src, values),
      writeQueueNums: valueAt(ints, p + 8, key, src, values), perm: valueAt(ints, p + 12, key, src, values),
      topicFilterType: valueAt(ints, p + 16, key, src, values), topicSysFlag: valueAt(ints, p + 20, key, src, values),
      order: valueAt(ints, p + 24, key, src, values),
    };
    if (fields === 8) config.attributes = valueAt(ints, p + 28, key, src, values);
  } else {
    config = {};
    for (let f = 0; f < fields; f++) {
      const id = ints[p + 4 * f] as number;
      const value = valueAt(ints, p + 4 * f, key, src, values);
      if (id === protoId) Object.defineProperty(config, '__proto__', { value, enumerable: true, writable: true, configurable: true });
      else config[names[id] as string] = value;
    }
  }
  table.set(key, config as unknown as TopicConfig);
  return p + 4 * fields;
}

/** Field ids (indexes of the scanners' known names) in fastjson's sorted order. */
const FASTJSON_ORDER: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7];
/** Field ids in the compressed decoder's order (attributes, when present, last). */
const COMPRESSED_ORDER: readonly number[] = [5, 3, 7, 2, 4, 6, 1];

function isLayout(ints: Int32Array, p: number, order: readonly number[]): boolean {
  for (let k = 0; k < order.length; k++) if (ints[p + 4 * k] !== order[k]) return false;
  return true;
}

/** The value of the field record at `f`. */
function valueAt(ints: Int32Array, f: number, key: string, src: Buffer, values: string[]): unknown {
  const a = ints[f + 2] as number;
  switch (ints[f + 1]) {
    case 0: return a;
    case 1: return a !== 0;
    case 2: return null;
    case 3: return key;
    case 4: return values[a];
    case 5: return src.toString('latin1', a, ints[f + 3] as number);
    case 6: return src.toString('utf8', a, ints[f + 3] as number);
    case 9: return {};
    default: return JSON.parse(src.toString('utf8', a, ints[f + 3] as number)) as unknown;
  }
}

function filterServers(ints: Int32Array, src: Buffer): string[] | null {
  const kind = ints[5];
  if (kind === 0) return [];
  const text = src.toString('utf8', ints[6] as number, ints[7] as number);
  if (kind === 1) return JSON.parse(text) as string[] | null;
  try {
    return JSON.parse(text) as string[] | null;
  } catch {
    // The compressed layout: RocketMQ logs and keeps the empty list.
    return [];
  }
}
