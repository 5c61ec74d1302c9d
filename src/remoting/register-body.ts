/**
 * The REGISTER_BROKER body (RocketMQ's `RegisterBrokerBody`), plain JSON or
 * zlib-compressed.
 *
 * The compressed form is not compressed JSON: it is a deflate stream of
 * `int length + DataVersion JSON`, `int topicCount`, per topic `int length +
 * TopicConfig.encode()` (`"name read write perm filterType attributesJson"`),
 * `int length + filterServerList JSON` and, from RocketMQ 5.0 on, `int count`
 * plus that many `int length + TopicQueueMappingInfo JSON`. Like RocketMQ's
 * own decoder, the compressed form carries no `topicSysFlag` and no `order`.
 * @module
 */
import { promisify } from 'node:util';
import { deflateSync, inflate, type InputType, type ZlibOptions } from 'node:zlib';
import { isPlainObject, setOwn } from '../core/records.js';
import { TOPIC_CONFIG_DEFAULTS as TC } from '../core/topic-config.js';
import type { DataVersion, TopicConfig, TopicConfigWrapper } from '../core/types.js';
import { MQVersion } from './codes.js';
import { BodyDecodeError } from './errors.js';
import { parseFastjson } from './fastjson.js';

const inflateAsync = promisify(inflate) as (buf: InputType, options: ZlibOptions) => Promise<Buffer>;

/** A broker's topic table and its version (RocketMQ's `TopicConfigSerializeWrapper`): the core's wrapper. */
export type TopicConfigSerializeWrapper = TopicConfigWrapper;

/** What a REGISTER_BROKER body holds (RocketMQ's `RegisterBrokerBody`). */
export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  /** Filter server addresses; null keeps what the name server has. */
  filterServerList: string[] | null;
}

/** A decoded body, its table as a plain record. */
export interface DecodedRegisterBrokerBody extends RegisterBrokerBody {
  topicConfigSerializeWrapper: { topicConfigTable: Record<string, TopicConfig>; dataVersion: DataVersion };
}

/** RocketMQ's value when a broker sends no body: version 0, no topics. */
function emptyBody(): DecodedRegisterBrokerBody {
  return {
    topicConfigSerializeWrapper: { topicConfigTable: {}, dataVersion: { stateVersion: 0, timestamp: 0, counter: 0 } },
    filterServerList: [],
  };
}

/**
 * Encodes a REGISTER_BROKER body as a RocketMQ broker does
 * (`RegisterBrokerBody.encode(compress)`); compressed bodies carry an empty
 * topic queue mapping section, as RocketMQ 5 brokers without static topics do.
 */
export function encodeRegisterBrokerBody(body: RegisterBrokerBody, compressed = false): Buffer {
  const wrapper = body.topicConfigSerializeWrapper;
  const table = wrapper.topicConfigTable;
  if (!compressed) {
    const tableJson = table instanceof Map ? mapToJson(table) : JSON.stringify(table);
    return Buffer.from(
      '{"filterServerList":' + JSON.stringify(body.filterServerList ?? []) + ',"topicConfigSerializeWrapper":{"dataVersion":'
      + JSON.stringify(wrapper.dataVersion) + ',"topicConfigTable":' + tableJson + '}}', 'utf8');
  }
  const parts: Buffer[] = [];
  const pushString = (s: string): void => {
    const bytes = Buffer.from(s, 'utf8');
    parts.push(intBytes(bytes.length), bytes);
  };
  pushString(JSON.stringify({ counter: wrapper.dataVersion.counter, stateVersion: wrapper.dataVersion.stateVersion ?? 0,
    timestamp: wrapper.dataVersion.timestamp }));
  const configs = table instanceof Map ? [...(table as ReadonlyMap<string, TopicConfig>).values()] : Object.values(table);
  parts.push(intBytes(configs.length));
  for (const c of configs) {
    pushString(`${c.topicName} ${c.readQueueNums ?? TC.readQueueNums} ${c.writeQueueNums ?? TC.writeQueueNums} ${c.perm ?? TC.perm} `
      + `${c.topicFilterType ?? TC.topicFilterType} ${JSON.stringify(c.attributes ?? {})}`);
  }
  pushString(JSON.stringify(body.filterServerList ?? []));
  parts.push(intBytes(0));
  // Deflater.BEST_COMPRESSION, zlib-wrapped like Java's DeflaterOutputStream.
  return deflateSync(Buffer.concat(parts), { level: 9 });
}

function mapToJson(table: ReadonlyMap<string, TopicConfig>): string {
  let s = '{';
  for (const [name, config] of table) s += (s.length > 1 ? ',' : '') + JSON.stringify(name) + ':' + JSON.stringify(config);
  return s + '}';
}

function intBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}

/** Options of {@link decodeRegisterBrokerBody}. */
export interface DecodeRegisterBrokerBodyOptions {
  /** The `compressed` header field. */
  readonly compressed: boolean;
  /** The request's `version` (an `MQVersion` ordinal): it decides the body layout. */
  readonly version: number;
  /** Largest inflated size accepted for a compressed body (a guard against zip bombs). */
  readonly maxInflatedBytes: number;
}

/**
 * Decodes a REGISTER_BROKER body as RocketMQ's `DefaultRequestProcessor`
 * does: brokers older than 3.0.11 send a bare topic wrapper, others a
 * `RegisterBrokerBody`, compressed when the header says so. A missing body
 * means no topics at version 0. Inflating runs off the event loop.
 * @throws {@link BodyDecodeError} when the body cannot be decoded.
 */
export async function decodeRegisterBrokerBody(
  body: Buffer | null, options: DecodeRegisterBrokerBodyOptions,
): Promise<DecodedRegisterBrokerBody> {
  if (body === null || body.length === 0) return emptyBody();
  if (options.version < MQVersion.V3_0_11) {
    return { topicConfigSerializeWrapper: wrapperOf(parseJsonBody(body)), filterServerList: null };
  }
  if (!options.compressed) return decodePlainBody(body);
  let raw: Buffer;
  try {
    raw = await inflateAsync(body, { maxOutputLength: options.maxInflatedBytes });
  } catch (err) {
    throw new BodyDecodeError(`cannot inflate the compressed RegisterBrokerBody: ${(err as Error).message}`, { cause: err });
  }
  return decodeInflatedBody(raw, options.version);
}

/** Decodes a plain (JSON) `RegisterBrokerBody`. */
export function decodePlainBody(body: Buffer): DecodedRegisterBrokerBody {
  const parsed = parseJsonBody(body);
  if (!isPlainObject(parsed)) throw new BodyDecodeError('RegisterBrokerBody is not a JSON object');
  const list = parsed.filterServerList;
  return {
    topicConfigSerializeWrapper: wrapperOf(parsed.topicConfigSerializeWrapper),
    filterServerList: list === undefined ? [] : (list as string[] | null),
  };
}

function parseJsonBody(body: Buffer): unknown {
  try {
    return parseFastjson(body.toString('utf8'));
  } catch (err) {
    throw new BodyDecodeError(`RegisterBrokerBody is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

function wrapperOf(value: unknown): DecodedRegisterBrokerBody['topicConfigSerializeWrapper'] {
  if (value === undefined || value === null) return emptyBody().topicConfigSerializeWrapper;
  if (!isPlainObject(value)) throw new BodyDecodeError('topicConfigSerializeWrapper is not an object');
  const table = value.topicConfigTable ?? {};
  const dataVersion = value.dataVersion ?? { stateVersion: 0, timestamp: 0, counter: 0 };
  // Shapes are the registry's to validate; it names the offending field precisely.
  return { topicConfigTable: table as Record<string, TopicConfig>, dataVersion: dataVersion as DataVersion };
}

/** Decodes the inflated bytes of a compressed body. */
export function decodeInflatedBody(raw: Buffer, version: number): DecodedRegisterBrokerBody {
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
  if (version >= MQVersion.V5_0_0) {
    // Static topic queue mappings: this name server keeps none, but the section must be well formed.
    const mappings = reader.int();
    for (let i = 0; i < mappings; i++) reader.skipString();
  }
  return { topicConfigSerializeWrapper: { topicConfigTable, dataVersion: dataVersion as DataVersion }, filterServerList };
}

const TOPIC_FILTER_TYPES: ReadonlySet<string> = new Set(['SINGLE_TAG', 'MULTI_TAG']);
const INT = /^[+-]?\d{1,10}$/;

/** RocketMQ's `TopicConfig.decode`: space-separated fields, attributes JSON last. */
function decodeTopicConfig(encoded: string): TopicConfig {
  const parts = encoded.split(' ');
  // Java's String.split drops trailing empty strings.
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length < 5) throw new BodyDecodeError(`compressed RegisterBrokerBody: bad topic config ${JSON.stringify(encoded.slice(0, 200))}`);
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

  skipString(): void {
    this.#offset += this.#length();
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
