/**
 * What a broker reads from and writes for producers: the send request
 * headers (RocketMQ's `SendMessageRequestHeader` and its one-letter `V2`
 * form), message properties, batch bodies and offset message ids (RocketMQ's
 * `MessageDecoder`), and compressed bodies (`MessageSysFlag`).
 * @module
 */
import { inflateSync } from 'node:zlib';
import * as zlib from 'node:zlib';

/** Request codes a broker answers for producers (RocketMQ's `RequestCode`). */
export const BrokerRequestCode = Object.freeze({
  SEND_MESSAGE: 10,
  HEART_BEAT: 34,
  UNREGISTER_CLIENT: 35,
  SEND_MESSAGE_V2: 310,
  SEND_BATCH_MESSAGE: 320,
} as const);

/** `MessageSysFlag.COMPRESSED_FLAG`. */
const COMPRESSED_FLAG = 0x1;
/** `MessageSysFlag.COMPRESSION_TYPE_COMPARATOR`: bits 8–10 name the algorithm (0 and 3: zlib, 1: LZ4, 2: zstd). */
const COMPRESSION_TYPE_MASK = 0x7 << 8;
const COMPRESSION_ZSTD = 2 << 8;
const NAME_VALUE_SEPARATOR = '\u0001';
const PROPERTY_SEPARATOR = '\u0002';
/** A compressed body may inflate to at most this: a guard against a runaway producer. */
const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/** A send request's header, whichever form it came in. */
export interface SendRequestHeader {
  readonly producerGroup: string;
  readonly topic: string;
  readonly queueId: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly flag: number;
  /** The properties string (`name\u0001value\u0002…`), empty when absent. */
  readonly properties: string;
  readonly batch: boolean;
}

/** The V2 header's one-letter names (RocketMQ's `SendMessageRequestHeaderV2`). */
const V2_NAMES = Object.freeze({
  producerGroup: 'a', topic: 'b', queueId: 'e', sysFlag: 'f', bornTimestamp: 'g', flag: 'h', properties: 'i', batch: 'm',
} as const);
const V1_NAMES = Object.freeze({
  producerGroup: 'producerGroup', topic: 'topic', queueId: 'queueId', sysFlag: 'sysFlag', bornTimestamp: 'bornTimestamp',
  flag: 'flag', properties: 'properties', batch: 'batch',
} as const);

/**
 * Reads a send request's header: the one-letter V2 form for
 * SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE, full names for SEND_MESSAGE, as a
 * RocketMQ broker does. Missing numbers read as 0.
 */
export function decodeSendRequestHeader(code: number, extFields: Readonly<Record<string, string>>): SendRequestHeader {
  const names = code === BrokerRequestCode.SEND_MESSAGE ? V1_NAMES : V2_NAMES;
  const field = (name: string): string | undefined => (Object.hasOwn(extFields, name) ? extFields[name] : undefined);
  const int = (name: string): number => {
    const n = Number.parseInt(field(name) ?? '', 10);
    return Number.isFinite(n) ? n : 0;
  };
  return {
    producerGroup: field(names.producerGroup) ?? '',
    topic: field(names.topic) ?? '',
    queueId: int(names.queueId),
    sysFlag: int(names.sysFlag),
    bornTimestamp: int(names.bornTimestamp),
    flag: int(names.flag),
    properties: field(names.properties) ?? '',
    batch: code === BrokerRequestCode.SEND_BATCH_MESSAGE || field(names.batch) === 'true',
  };
}

/** True for the request codes that carry messages. */
export function isSendRequest(code: number): boolean {
  return code === BrokerRequestCode.SEND_MESSAGE || code === BrokerRequestCode.SEND_MESSAGE_V2
    || code === BrokerRequestCode.SEND_BATCH_MESSAGE;
}

/**
 * Parses a properties string as RocketMQ's `string2messageProperties` does:
 * entries `name\u0001value` separated by `\u0002`; an entry without a name
 * or a value is skipped. Any name is kept, `__proto__` included.
 */
export function decodeMessageProperties(properties: string): Record<string, string> {
  const out: Record<string, string> = {};
  let index = 0;
  const length = properties.length;
  while (index < length) {
    let next = properties.indexOf(PROPERTY_SEPARATOR, index);
    if (next < 0) next = length;
    if (next - index >= 3) {
      const sep = properties.indexOf(NAME_VALUE_SEPARATOR, index);
      if (sep > index && sep < next - 1) setOwn(out, properties.slice(index, sep), properties.slice(sep + 1, next));
    }
    index = next + 1;
  }
  return out;
}

/** Writes properties as RocketMQ's `messageProperties2String` does. */
export function encodeMessageProperties(properties: Readonly<Record<string, string>> | ReadonlyMap<string, string>): string {
  const entries = properties instanceof Map ? [...properties] : Object.entries(properties);
  let s = '';
  for (const [name, value] of entries) s += name + NAME_VALUE_SEPARATOR + value + PROPERTY_SEPARATOR;
  return s;
}

/** One message of a batch body. */
export interface BatchMessage {
  readonly body: Uint8Array;
  /** The message's `flag` (user bits). @default 0 */
  readonly flag?: number;
  readonly properties?: Readonly<Record<string, string>>;
}

/**
 * Encodes messages as the body of SEND_BATCH_MESSAGE (RocketMQ's
 * `MessageDecoder.encodeMessages`): per message `int totalSize, int magic (0),
 * int bodyCrc (0), int flag, int bodyLength, body, short propertiesLength, properties`.
 */
export function encodeBatchMessages(messages: Iterable<BatchMessage>): Buffer {
  const parts: Buffer[] = [];
  for (const m of messages) {
    const props = Buffer.from(encodeMessageProperties(m.properties ?? {}), 'utf8');
    if (props.length > 0x7fff) throw new RangeError('batch message properties exceed 32767 bytes');
    const size = 4 + 4 + 4 + 4 + 4 + m.body.length + 2 + props.length;
    const out = Buffer.allocUnsafe(size);
    let o = out.writeInt32BE(size, 0);
    o = out.writeInt32BE(0, o);
    o = out.writeInt32BE(0, o);
    o = out.writeInt32BE(m.flag ?? 0, o);
    o = out.writeInt32BE(m.body.length, o);
    out.set(m.body, o);
    o += m.body.length;
    o = out.writeInt16BE(props.length, o);
    props.copy(out, o);
    parts.push(out);
  }
  return Buffer.concat(parts);
}

/** A message decoded from a batch body. */
export interface DecodedBatchMessage {
  readonly flag: number;
  readonly body: Buffer;
  readonly properties: Record<string, string>;
}

/**
 * Decodes a SEND_BATCH_MESSAGE body (RocketMQ's `MessageDecoder.decodeMessages`).
 * Bodies are copies.
 * @throws RangeError when the body is truncated.
 */
export function decodeBatchMessages(body: Buffer): DecodedBatchMessage[] {
  const out: DecodedBatchMessage[] = [];
  let o = 0;
  while (o < body.length) {
    need(body, o, 20);
    const flag = body.readInt32BE(o + 12);
    const bodyLength = body.readInt32BE(o + 16);
    o += 20;
    if (bodyLength < 0) throw new RangeError(`batch message body length ${bodyLength} is negative`);
    need(body, o, bodyLength + 2);
    const messageBody = Buffer.from(body.subarray(o, o + bodyLength));
    o += bodyLength;
    const propsLength = body.readInt16BE(o);
    o += 2;
    if (propsLength < 0) throw new RangeError(`batch message properties length ${propsLength} is negative`);
    need(body, o, propsLength);
    const properties = decodeMessageProperties(body.toString('utf8', o, o + propsLength));
    o += propsLength;
    out.push({ flag, body: messageBody, properties });
  }
  return out;
}

function need(buf: Buffer, offset: number, bytes: number): void {
  if (buf.length - offset < bytes) throw new RangeError('batch body is truncated');
}

/**
 * The body as the producer wrote it before compressing: inflated when
 * `sysFlag` says compressed with zlib (type 0 or 3), or zstd where this Node
 * has it. LZ4 (type 1) has no decoder in Node: such a body is returned as sent.
 */
export function inflateMessageBody(body: Buffer, sysFlag: number): Buffer {
  if ((sysFlag & COMPRESSED_FLAG) === 0 || body.length === 0) return body;
  const type = sysFlag & COMPRESSION_TYPE_MASK;
  if (type === COMPRESSION_ZSTD) {
    const zstd = (zlib as { zstdDecompressSync?: (buf: Buffer, options?: object) => Buffer }).zstdDecompressSync;
    return zstd === undefined ? body : zstd(body, { maxOutputLength: MAX_INFLATED_BYTES });
  }
  if (type === 0 || type === 3 << 8) return inflateSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
  return body;
}

/**
 * An offset message id (RocketMQ's `MessageDecoder.createMessageId`): the
 * store host's IPv4 address and port and the commit log offset, 16 bytes as
 * 32 upper-case hex digits.
 */
export function createOffsetMessageId(host: string, port: number, commitLogOffset: bigint): string {
  const octets = host.split('.').map(Number);
  if (octets.length !== 4 || octets.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new RangeError(`not an IPv4 address: ${host}`);
  }
  const out = Buffer.allocUnsafe(16);
  out.set(octets, 0);
  out.writeInt32BE(port, 4);
  out.writeBigInt64BE(commitLogOffset, 8);
  return out.toString('hex').toUpperCase();
}

/**
 * Bytes a message takes in a RocketMQ commit log (IPv4 hosts): the fixed
 * fields, body, topic and properties. Successive offset ids advance by it.
 */
export function storedMessageSize(topic: string, body: Uint8Array, properties: string): number {
  // total, magic, bodyCrc, queueId, flag (4 each), queueOffset, physicalOffset (8), sysFlag (4), bornTimestamp (8),
  // bornHost (8), storeTimestamp (8), storeHost (8), reconsumeTimes (4), preparedTransactionOffset (8).
  const fixed = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8 + 8 + 4 + 8;
  return fixed + 4 + body.length + 1 + Buffer.byteLength(topic) + 2 + Buffer.byteLength(properties);
}

function setOwn(target: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
