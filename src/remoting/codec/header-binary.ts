/**
 * RocketMQ's binary header serialization (serialize type 1, RocketMQ's
 * `RocketMQSerializable`): code short, language byte, version short, opaque
 * int, flag int, remark (int length + UTF-8), extFields (int total length,
 * then per entry short key length + key, int value length + value).
 * @module
 */
import { setOwn } from '../../core/records.js';
import { SerializeType } from '../codes.js';
import type { RemotingCommand, RemotingHeader } from '../command.js';
import { FrameDecodeError } from '../errors.js';

/** code(2) + language(1) + version(2) + opaque(4) + flag(4) + remark length(4) + extFields length(4). */
const FIXED_BYTES = 21;

/** Encodes a header in RocketMQ's binary form. */
export function encodeBinaryHeader(header: RemotingHeader): Buffer {
  const remark = header.remark !== null && header.remark !== '' ? Buffer.from(header.remark, 'utf8') : null;
  const entries: Array<[Buffer, Buffer]> = [];
  let extBytes = 0;
  const ext = header.extFields;
  for (const key of Object.keys(ext)) {
    const k = Buffer.from(key, 'utf8');
    const v = Buffer.from(ext[key] as string, 'utf8');
    if (k.length > 0x7fff) throw new RangeError(`extFields key longer than 32767 bytes: ${key.slice(0, 40)}…`);
    entries.push([k, v]);
    extBytes += 2 + k.length + 4 + v.length;
  }
  const out = Buffer.allocUnsafe(FIXED_BYTES + (remark?.length ?? 0) + extBytes);
  let o = out.writeInt16BE(toShort(header.code), 0);
  o = out.writeUInt8(header.language & 0xff, o);
  o = out.writeInt16BE(toShort(header.version), o);
  o = out.writeInt32BE(header.opaque | 0, o);
  o = out.writeInt32BE(header.flag | 0, o);
  o = out.writeInt32BE(remark?.length ?? 0, o);
  if (remark !== null) o += remark.copy(out, o);
  o = out.writeInt32BE(extBytes, o);
  for (const [k, v] of entries) {
    o = out.writeInt16BE(k.length, o);
    o += k.copy(out, o);
    o = out.writeInt32BE(v.length, o);
    o += v.copy(out, o);
  }
  return out;
}

/**
 * Decodes a binary header. Like RocketMQ, a zero-length remark or value
 * reads as absent (null remark, entry dropped).
 * @throws {@link FrameDecodeError} when a length points outside the header.
 */
export function decodeBinaryHeader(bytes: Uint8Array): RemotingHeader {
  const c = decodeBinaryCommand(bytes);
  return {
    code: c.code, language: c.language, version: c.version, opaque: c.opaque, flag: c.flag, remark: c.remark, extFields: c.extFields,
  };
}

/**
 * Decodes a binary header into a whole command (body null), so the frame
 * decoder fills in the body without changing the object's shape.
 * @internal
 */
export function decodeBinaryCommand(bytes: Uint8Array): RemotingCommand {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = buf.length;
  if (end < FIXED_BYTES) throw new FrameDecodeError(`binary header of ${end} bytes is shorter than ${FIXED_BYTES}`);
  const code = buf.readInt16BE(0);
  const language = buf.readUInt8(2);
  const version = buf.readInt16BE(3);
  const opaque = buf.readInt32BE(5);
  const flag = buf.readInt32BE(9);
  let o = 13;
  const remarkLength = buf.readInt32BE(o);
  o += 4;
  checkLength(remarkLength, o, end - 4, 'remark');
  const remark = remarkLength === 0 ? null : buf.toString('utf8', o, o + remarkLength);
  o += remarkLength;
  const extLength = buf.readInt32BE(o);
  o += 4;
  checkLength(extLength, o, end, 'extFields');
  const extEnd = o + extLength;
  const extFields: Record<string, string> = {};
  while (o < extEnd) {
    if (extEnd - o < 2) throw new FrameDecodeError('binary header extFields entry is truncated');
    const keyLength = buf.readInt16BE(o);
    o += 2;
    checkLength(keyLength, o, extEnd - 4, 'extFields key');
    const key = buf.toString('utf8', o, o + keyLength);
    o += keyLength;
    const valueLength = buf.readInt32BE(o);
    o += 4;
    checkLength(valueLength, o, extEnd, 'extFields value');
    if (keyLength > 0 && valueLength > 0) setOwn(extFields, key, buf.toString('utf8', o, o + valueLength));
    o += valueLength;
  }
  return { code, language, version, opaque, flag, remark, extFields, body: null, serializeType: SerializeType.ROCKETMQ };
}

function checkLength(length: number, offset: number, limit: number, what: string): void {
  if (length < 0 || offset + length > limit) {
    throw new FrameDecodeError(`binary header ${what} length ${length} overruns the header`);
  }
}

/** Java writes an int into a short field: keep the low 16 bits, signed. */
function toShort(n: number): number {
  return (n << 16) >> 16;
}
