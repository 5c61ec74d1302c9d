/**
 * The REGISTER_BROKER body's types and its general decoder (RocketMQ's
 * `RegisterBrokerBody`), plain JSON or zlib-compressed: the reference the
 * fast scanners of this folder reproduce, and what a worker runs for any body
 * they leave to it.
 *
 * The compressed form is not compressed JSON: it is a deflate stream of
 * `int length + DataVersion JSON`, `int topicCount`, per topic `int length +
 * TopicConfig.encode()` (`"name read write perm filterType attributesJson"`),
 * `int length + filterServerList JSON` and, from RocketMQ 5.0 on, `int count`
 * plus that many `int length + TopicQueueMappingInfo JSON` (static topics). Like
 * RocketMQ's own decoder, the compressed form carries no `topicSysFlag` and no `order`.
 *
 * Which form a body is in is read from its first bytes, not from the header's
 * `compressed` flag: RocketMQ 5.3.3 brokers send zlib with `compressed=false`,
 * and older tools send JSON with `compressed=true`. A zlib stream starts with
 * 0x78 and a header checksum; JSON never starts with 0x78 (`x`).
 * @module
 */
import { promisify } from 'node:util';
import { inflate, inflateSync, type InputType, type ZlibOptions } from 'node:zlib';
import { isPlainObject, setOwn } from '../../core/records.js';
import type { DataVersion, TopicConfig, TopicConfigWrapper, TopicQueueMappingInfo } from '../../core/types.js';
import { MQVersion } from '../codes.js';
import { BodyDecodeError } from '../errors.js';
import { bodyCrc32 } from '../codec/crc32.js';
import { parseFastjson } from '../codec/fastjson.js';

const inflateAsync = promisify(inflate) as (buf: InputType, options: ZlibOptions) => Promise<Buffer>;

export type { TopicQueueMappingInfo } from '../../core/types.js';

/** A broker's topic table, its version and its static topic mappings (RocketMQ's `TopicConfigAndMappingSerializeWrapper`): the core's wrapper. */
export type TopicConfigSerializeWrapper = TopicConfigWrapper;

/** What a REGISTER_BROKER body holds (RocketMQ's `RegisterBrokerBody`). */
export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  /** Filter server addresses; null keeps what the name server has. */
  filterServerList: string[] | null;
}

/** A decoded body: its table as a plain record, its static topic mappings as a `Map` (empty when none). */
export interface DecodedRegisterBrokerBody extends RegisterBrokerBody {
  topicConfigSerializeWrapper: {
    topicConfigTable: Record<string, TopicConfig>;
    dataVersion: DataVersion;
    topicQueueMappingInfoMap: Map<string, TopicQueueMappingInfo>;
  };
}

/**
 * Topics one registration may carry by default: 5x the largest brokers
 * (100 000 topics) and a bound on what one request makes the server build.
 */
export const DEFAULT_MAX_TOPICS_PER_REGISTRATION = 500_000;

/** The refusal of a registration with more topics than allowed (RocketMQ has no such limit). */
export function tooManyTopics(maxTopics: number): BodyDecodeError {
  return new BodyDecodeError(`RegisterBrokerBody has more than maxTopicsPerRegistration (${maxTopics}) topics`);
}

/** RocketMQ's `MixAll.METADATA_SCOPE_GLOBAL`. */
const METADATA_SCOPE_GLOBAL = '__global__';

/** RocketMQ's value when a broker sends no body: version 0, no topics. */
function emptyBody(): DecodedRegisterBrokerBody {
  return {
    topicConfigSerializeWrapper: {
      topicConfigTable: {}, dataVersion: { stateVersion: 0, timestamp: 0, counter: 0 }, topicQueueMappingInfoMap: new Map(),
    },
    filterServerList: [],
  };
}

/** Options of {@link decodeRegisterBrokerBody}. */
export interface DecodeRegisterBrokerBodyOptions {
  /**
   * The `compressed` header field. Only the error message uses it: the body's
   * first bytes decide its form (see the module documentation).
   */
  readonly compressed: boolean;
  /** The request's `version` (an `MQVersion` ordinal): it decides the body layout. */
  readonly version: number;
  /** Largest inflated size accepted for a compressed body (a guard against zip bombs). */
  readonly maxInflatedBytes: number;
  /** Aborted when the answer is no longer wanted (its connection closed): inflation may stop early. */
  readonly signal?: AbortSignal;
  /**
   * The request's `bodyCrc32` header (RocketMQ's `UtilAll.crc32` of the body
   * as sent, before any inflating): when not 0, a body whose checksum differs
   * is refused with a {@link BodyDecodeError} whose message is
   * `'crc32 not match'`, before it is decoded. Decoders check it where
   * they decode (a decode pool on its worker), so the event loop need not.
   * @default 0 (not checked)
   */
  readonly bodyCrc32?: number;
  /**
   * Most topics the body may carry; more is refused with a
   * {@link BodyDecodeError} naming the limit (a compressed body before its
   * topics are read).
   * @default 500_000 ({@link DEFAULT_MAX_TOPICS_PER_REGISTRATION})
   */
  readonly maxTopics?: number;
}

/** The message of the {@link BodyDecodeError} of a body whose `bodyCrc32` differs: RocketMQ's remark for it. */
export const CRC32_NOT_MATCH = 'crc32 not match';

/**
 * Refuses `body` when `expected` (a `bodyCrc32` header) is not 0 and differs
 * from its checksum, as RocketMQ's `DefaultRequestProcessor.checksum` does.
 * @throws {@link BodyDecodeError} (`'crc32 not match'`) when they differ.
 */
export function checkBodyCrc32(body: Uint8Array | null, expected: number | undefined): void {
  if (expected !== undefined && expected !== 0 && bodyCrc32(body) !== expected) throw new BodyDecodeError(CRC32_NOT_MATCH);
}

/**
 * Decodes a REGISTER_BROKER body as RocketMQ's `DefaultRequestProcessor`
 * does: brokers older than 3.0.11 send a bare topic wrapper, others a
 * `RegisterBrokerBody`, zlib-compressed or JSON (told apart by its first
 * bytes, whatever `compressed` says). A missing body means no topics at
 * version 0. Inflating runs off the event loop and stops at `maxInflatedBytes`.
 * A non-zero `bodyCrc32` is checked first.
 * @throws {@link BodyDecodeError} when the body cannot be decoded or its checksum differs.
 */
export async function decodeRegisterBrokerBody(
  body: Buffer | null, options: DecodeRegisterBrokerBodyOptions,
): Promise<DecodedRegisterBrokerBody> {
  checkBodyCrc32(body, options.bodyCrc32);
  if (body === null || body.length === 0 || options.version < MQVersion.V3_0_11 || !isZlibStream(body)) {
    return decodeRegisterBrokerBodySync(body, options);
  }
  let raw: Buffer;
  try {
    raw = await inflateAsync(body, { maxOutputLength: options.maxInflatedBytes });
  } catch (err) {
    throw cannotInflate(err);
  }
  return decodeInflatedBody(raw, options.version, options.maxTopics);
}

/**
 * {@link decodeRegisterBrokerBody} on the calling thread, inflating included
 * (what a decode worker runs); the `bodyCrc32` is not checked here.
 * @internal
 */
export function decodeRegisterBrokerBodySync(body: Buffer | null, options: DecodeRegisterBrokerBodyOptions): DecodedRegisterBrokerBody {
  if (body === null || body.length === 0) return emptyBody();
  const maxTopics = options.maxTopics ?? DEFAULT_MAX_TOPICS_PER_REGISTRATION;
  if (options.version < MQVersion.V3_0_11) {
    const wrapper = wrapperOf(parseJsonBody(body, false));
    checkTopicCount(wrapper.topicConfigTable, maxTopics);
    return { topicConfigSerializeWrapper: wrapper, filterServerList: null };
  }
  if (!isZlibStream(body)) {
    const decoded = decodePlainBody(body, options.compressed);
    checkTopicCount(decoded.topicConfigSerializeWrapper.topicConfigTable, maxTopics);
    return decoded;
  }
  let raw: Buffer;
  try {
    raw = inflateSync(body, { maxOutputLength: options.maxInflatedBytes });
  } catch (err) {
    throw cannotInflate(err);
  }
  return decodeInflatedBody(raw, options.version, maxTopics);
}

function cannotInflate(err: unknown): BodyDecodeError {
  return new BodyDecodeError(`cannot inflate the compressed RegisterBrokerBody: ${(err as Error).message}`, { cause: err });
}

function checkTopicCount(table: object, maxTopics: number): void {
  let count = 0;
  for (const key in table) if (Object.hasOwn(table, key) && ++count > maxTopics) throw tooManyTopics(maxTopics);
}

/**
 * True when `body` starts with a zlib header as Java's `Deflater` writes it:
 * deflate with a 32 KiB window (0x78) and a valid header checksum (RFC 1950).
 */
export function isZlibStream(body: Uint8Array): boolean {
  if (body.length < 2 || body[0] !== 0x78) return false;
  return (((body[0] << 8) | (body[1] as number)) % 31) === 0;
}

/**
 * Decodes a plain (JSON) `RegisterBrokerBody`.
 * @param declaredCompressed - the header said `compressed=true`: only changes the error message.
 */
export function decodePlainBody(body: Buffer, declaredCompressed = false): DecodedRegisterBrokerBody {
  const parsed = parseJsonBody(body, declaredCompressed);
  if (!isPlainObject(parsed)) throw new BodyDecodeError('RegisterBrokerBody is not a JSON object');
  const list = parsed.filterServerList;
  return {
    topicConfigSerializeWrapper: wrapperOf(parsed.topicConfigSerializeWrapper),
    filterServerList: list === undefined ? [] : (list as string[] | null),
  };
}

function parseJsonBody(body: Buffer, declaredCompressed: boolean): unknown {
  try {
    return parseFastjson(body.toString('utf8'));
  } catch (err) {
    const what = declaredCompressed ? 'RegisterBrokerBody is neither zlib nor JSON' : 'RegisterBrokerBody is not JSON';
    throw new BodyDecodeError(`${what}: ${(err as Error).message}`, { cause: err });
  }
}

function wrapperOf(value: unknown): DecodedRegisterBrokerBody['topicConfigSerializeWrapper'] {
  if (value === undefined || value === null) return emptyBody().topicConfigSerializeWrapper;
  if (!isPlainObject(value)) throw new BodyDecodeError('topicConfigSerializeWrapper is not an object');
  const table = value.topicConfigTable ?? {};
  const dataVersion = value.dataVersion ?? { stateVersion: 0, timestamp: 0, counter: 0 };
  const topicQueueMappingInfoMap = new Map<string, TopicQueueMappingInfo>();
  const mappings = value.topicQueueMappingInfoMap;
  if (mappings !== undefined && mappings !== null) {
    if (!isPlainObject(mappings)) throw new BodyDecodeError('topicQueueMappingInfoMap is not an object');
    for (const topic of Object.keys(mappings)) {
      const info = mappings[topic];
      // Java's JSON keeps the map key; an entry without its own topic takes it.
      topicQueueMappingInfoMap.set(topic, mappingInfoOf(isPlainObject(info) && info.topic == null ? { ...info, topic } : info));
    }
  }
  // Shapes are the registry's to validate; it names the offending field precisely.
  return { topicConfigTable: table as Record<string, TopicConfig>, dataVersion: dataVersion as DataVersion, topicQueueMappingInfoMap };
}

/** A `TopicQueueMappingInfo` read from JSON, Java's defaults filled in; refuses what Java could not store. */
function mappingInfoOf(value: unknown): TopicQueueMappingInfo {
  if (!isPlainObject(value)) throw new BodyDecodeError('TopicQueueMappingInfo is not a JSON object');
  const { topic, scope, bname, dirty } = value;
  // Java keys the map by getTopic(): a missing topic is a NullPointerException there.
  if (typeof topic !== 'string' || topic === '') throw new BodyDecodeError('TopicQueueMappingInfo has no topic');
  if (scope != null && typeof scope !== 'string') throw new BodyDecodeError(`TopicQueueMappingInfo.scope of ${topic} is not a string`);
  if (bname != null && typeof bname !== 'string') throw new BodyDecodeError(`TopicQueueMappingInfo.bname of ${topic} is not a string`);
  if (dirty != null && typeof dirty !== 'boolean') throw new BodyDecodeError(`TopicQueueMappingInfo.dirty of ${topic} is not a boolean`);
  const currIdMap: Record<string, number> = {};
  const ids = value.currIdMap;
  if (ids != null) {
    if (!isPlainObject(ids)) throw new BodyDecodeError(`TopicQueueMappingInfo.currIdMap of ${topic} is not an object`);
    for (const logicId of Object.keys(ids)) {
      const physicalId = ids[logicId];
      if (!INT.test(logicId) || !isJavaInt(Number(logicId)) || !isJavaInt(physicalId)) {
        throw new BodyDecodeError(`TopicQueueMappingInfo.currIdMap of ${topic} is not a map of int to int`);
      }
      currIdMap[String(Number(logicId))] = physicalId;
    }
  }
  return {
    topic,
    scope: scope ?? METADATA_SCOPE_GLOBAL,
    totalQueues: numberOf(value.totalQueues, 'totalQueues', topic, true),
    bname: bname ?? null,
    epoch: numberOf(value.epoch, 'epoch', topic, false),
    dirty: dirty ?? false,
    currIdMap,
  };
}

function isJavaInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;
}

/** An int (or, for `epoch`, a long a double holds exactly) field of a mapping; 0 when absent, as in Java. */
function numberOf(value: unknown, field: string, topic: string, int: boolean): number {
  if (value === undefined || value === null) return 0;
  if (int ? !isJavaInt(value) : !Number.isSafeInteger(value)) {
    throw new BodyDecodeError(`TopicQueueMappingInfo.${field} of ${topic} is not ${int ? 'an int' : 'a long'}`);
  }
  return value as number;
}

/** Decodes the inflated bytes of a compressed body; more than `maxTopics` topics are refused before any is read. */
export function decodeInflatedBody(
  raw: Buffer, version: number, maxTopics = DEFAULT_MAX_TOPICS_PER_REGISTRATION,
): DecodedRegisterBrokerBody {
  const reader = new Reader(raw);
  const dataVersionJson = reader.string();
  let dataVersion: unknown;
  try {
    dataVersion = JSON.parse(dataVersionJson);
  } catch (err) {
    throw new BodyDecodeError('compressed RegisterBrokerBody: data version is not JSON', { cause: err });
  }
  const count = reader.int();
  if (count < 0) throw new BodyDecodeError(`compressed RegisterBrokerBody: negative topic count ${count}`);
  if (count > maxTopics) throw tooManyTopics(maxTopics);
  const topicConfigTable: Record<string, TopicConfig> = {};
  for (let i = 0; i < count; i++) {
    const config = decodeTopicConfig(reader.string());
    setOwn(topicConfigTable, config.topicName, config);
  }
  let filterServerList: string[] | null = [];
  try {
    filterServerList = JSON.parse(reader.string()) as string[] | null;
  } catch {
    // RocketMQ logs and keeps the empty list.
  }
  const topicQueueMappingInfoMap = new Map<string, TopicQueueMappingInfo>();
  // RocketMQ 5 brokers append their static topic mappings; 4.x bodies end here.
  if (version >= MQVersion.V5_0_0) {
    const mappings = reader.int();
    if (mappings < 0) throw new BodyDecodeError(`compressed RegisterBrokerBody: negative mapping count ${mappings}`);
    for (let i = 0; i < mappings; i++) {
      let parsed: unknown;
      try {
        // fastjson writes currIdMap's Integer keys unquoted.
        parsed = parseFastjson(reader.string());
      } catch (err) {
        throw new BodyDecodeError('compressed RegisterBrokerBody: TopicQueueMappingInfo is not JSON', { cause: err });
      }
      const info = mappingInfoOf(parsed);
      topicQueueMappingInfoMap.set(info.topic, info);
    }
  }
  return {
    topicConfigSerializeWrapper: { topicConfigTable, dataVersion: dataVersion as DataVersion, topicQueueMappingInfoMap },
    filterServerList,
  };
}

/** Topic records {@link checkInflatedHead} judges at most. */
const HEAD_RECORDS = 16;
/**
 * A topic record's name and four numbers fit in this many bytes (RocketMQ's
 * topic names are 127 characters at most): a record that runs longer without
 * them is refused before the rest of its body is inflated.
 */
const MAX_RECORD_HEAD_BYTES = 4096;

/**
 * Judges the first bytes of an inflated body (its data version, topic count
 * and first topic records) as {@link decodeInflatedBody} would, so a body
 * that fails there fails before the rest is inflated (a zlib bomb of zeros,
 * or of anything but topic records, fails here). Bytes too few to judge pass.
 * @throws {@link BodyDecodeError} as `decodeInflatedBody` would for the same
 *   start, or for a record whose fields before its attributes pass 4 KiB.
 */
export function checkInflatedHead(head: Buffer, maxTopics = DEFAULT_MAX_TOPICS_PER_REGISTRATION): void {
  const reader = new Reader(head);
  let dataVersion: string;
  let count: number;
  try {
    dataVersion = reader.string();
    count = reader.int();
  } catch {
    return; // too few bytes to judge (a truncated body fails when inflated whole)
  }
  try {
    JSON.parse(dataVersion);
  } catch (err) {
    throw new BodyDecodeError('compressed RegisterBrokerBody: data version is not JSON', { cause: err });
  }
  if (count < 0) throw new BodyDecodeError(`compressed RegisterBrokerBody: negative topic count ${count}`);
  if (count > maxTopics) throw tooManyTopics(maxTopics);
  for (let t = 0; t < Math.min(count, HEAD_RECORDS); t++) {
    const record = reader.prefix();
    if (record === null) return;
    if (record.complete) decodeTopicConfig(record.text);
    else if (record.text.length >= MAX_RECORD_HEAD_BYTES && record.text.split(' ', 5).length < 5) throw badTopicConfig(record.text);
    if (!record.complete) return;
  }
}

const TOPIC_FILTER_TYPES: ReadonlySet<string> = new Set(['SINGLE_TAG', 'MULTI_TAG']);
const INT = /^[+-]?\d{1,10}$/;

/** RocketMQ's `TopicConfig.decode`: space-separated fields, attributes JSON last. */
function decodeTopicConfig(encoded: string): TopicConfig {
  const parts = javaSplitHead(encoded);
  if (parts.length < 5) throw badTopicConfig(encoded);
  const topicFilterType = parts[4] as string;
  if (!TOPIC_FILTER_TYPES.has(topicFilterType)) {
    throw new BodyDecodeError(`compressed RegisterBrokerBody: unknown topicFilterType ${JSON.stringify(topicFilterType)}`);
  }
  const config: TopicConfig = {
    topicName: parts[0] as string,
    readQueueNums: javaInt(parts[1] as string),
    writeQueueNums: javaInt(parts[2] as string),
    perm: javaInt(parts[3] as string),
    topicFilterType,
    topicSysFlag: 0,
    order: false,
  };
  if (parts.length >= 6) {
    try {
      const attributes: unknown = JSON.parse(parts[5] as string);
      if (isPlainObject(attributes)) config.attributes = attributes as Record<string, string>;
    } catch {
      // RocketMQ ignores attributes it cannot parse (a space inside them splits the field).
    }
  }
  return config;
}

/**
 * The first six parts of Java's `encoded.split(" ")` (which drops trailing
 * empty strings), without splitting the rest: a record of megabytes of
 * spaces costs one pass, not an array of millions of empty strings.
 */
function javaSplitHead(encoded: string): string[] {
  const parts: string[] = [];
  let from = 0;
  while (parts.length < 6 && from <= encoded.length) {
    const space = encoded.indexOf(' ', from);
    const end = space < 0 ? encoded.length : space;
    parts.push(encoded.slice(from, end));
    from = end + 1;
  }
  // Trailing empty parts count only when something non-empty follows them.
  const restHasText = from < encoded.length && /[^ ]/.test(encoded.slice(from));
  if (!restHasText) while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function badTopicConfig(encoded: string): BodyDecodeError {
  return new BodyDecodeError(`compressed RegisterBrokerBody: bad topic config ${JSON.stringify(encoded.slice(0, 200))}`);
}

function javaInt(s: string): number {
  const n = INT.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) {
    throw new BodyDecodeError(`compressed RegisterBrokerBody: ${JSON.stringify(s)} is not an int`);
  }
  return n;
}

/** Reads big-endian ints and length-prefixed UTF-8 strings, failing cleanly at the end. */
class Reader {
  readonly #buf: Buffer;
  #offset = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  int(): number {
    if (this.#buf.length - this.#offset < 4) throw truncated();
    const n = this.#buf.readInt32BE(this.#offset);
    this.#offset += 4;
    return n;
  }

  string(): string {
    const length = this.#length();
    const s = this.#buf.toString('utf8', this.#offset, this.#offset + length);
    this.#offset += length;
    return s;
  }

  /** The next string, or as much of it as there is (null when not even its length is there). */
  prefix(): { text: string; complete: boolean } | null {
    if (this.#buf.length - this.#offset < 4) return null;
    const length = this.#buf.readInt32BE(this.#offset);
    if (length < 0) throw truncated();
    const start = this.#offset + 4;
    const end = Math.min(this.#buf.length, start + length, start + MAX_RECORD_HEAD_BYTES * 2);
    this.#offset = start + length;
    return { text: this.#buf.toString('utf8', start, end), complete: end === start + length };
  }

  #length(): number {
    const length = this.int();
    if (length < 0 || this.#buf.length - this.#offset < length) throw truncated();
    return length;
  }
}

function truncated(): BodyDecodeError {
  return new BodyDecodeError('compressed RegisterBrokerBody: end of compressed data has been reached');
}
