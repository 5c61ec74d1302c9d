/**
 * The JSON header serialization (serialize type 0), as RocketMQ's fastjson
 * writes and reads it.
 * @module
 */
import { isPlainObject, setOwn } from '../../core/records.js';
import { LanguageCode, SerializeType, languageCode, languageName } from '../codes.js';
import type { RemotingCommand, RemotingHeader } from '../command.js';
import { FrameDecodeError } from '../errors.js';
import { HeaderScanner, type JsonHeaderShape } from './header-scan.js';

/**
 * The header as RocketMQ's fastjson writes it: fields sorted by name,
 * `language` as the enum's name, absent fields omitted. `extFields` is
 * omitted when empty, `remark` when null.
 */
export function jsonHeaderString(header: RemotingHeader): string {
  let s = '{"code":' + header.code;
  const ext = header.extFields;
  for (const key in ext) {
    if (Object.hasOwn(ext, key)) {
      s += ',"extFields":' + JSON.stringify(ext);
      break;
    }
  }
  const name = languageName(header.language);
  s += ',"flag":' + header.flag + ',"language":' + (name === undefined ? String(header.language) : '"' + name + '"');
  s += ',"opaque":' + header.opaque;
  if (header.remark !== null) s += ',"remark":' + JSON.stringify(header.remark);
  return s + ',"serializeTypeCurrentRPC":"JSON","version":' + header.version + '}';
}

/** Encodes a header as UTF-8 JSON. */
export function encodeJsonHeader(header: RemotingHeader): Buffer {
  return Buffer.from(jsonHeaderString(header), 'utf8');
}

/**
 * Decodes a JSON header as leniently as fastjson does: missing numbers are 0,
 * `language` may be a name or a code, and non-string `extFields` values (which
 * `ali-ons` sends) become strings. A null value is dropped: RocketMQ treats it
 * as absent.
 * @throws {@link FrameDecodeError} when the bytes are not a JSON object.
 */
export function decodeJsonHeader(bytes: Uint8Array): RemotingHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decodeJsonHeaderAt(buf, 0, buf.length);
}

/** {@link decodeJsonHeader} of `buf[start, end)`, without slicing it first. */
export function decodeJsonHeaderAt(buf: Buffer, start: number, end: number): RemotingHeader {
  const c = decodeJsonCommandAt(buf, start, end);
  return {
    code: c.code, language: c.language, version: c.version, opaque: c.opaque, flag: c.flag, remark: c.remark, extFields: c.extFields,
  };
}

/**
 * Decodes a JSON header into a whole command (body null): the frame decoder
 * then fills in the body without changing the object's shape.
 * @internal
 */
export function decodeJsonCommandAt(buf: Buffer, start: number, end: number, shape?: JsonHeaderShape): RemotingCommand {
  const read = shape === undefined ? new HeaderScanner().scan(buf, start, end) : shape.read(buf, start, end);
  return read ?? parseHeader(buf, start, end);
}

function parseHeader(buf: Buffer, start: number, end: number): RemotingCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8', start, end));
  } catch (err) {
    throw new FrameDecodeError('JSON header is not valid JSON', { cause: err });
  }
  if (!isPlainObject(parsed)) throw new FrameDecodeError('JSON header is not an object');
  return {
    code: intField(parsed.code, 'code'),
    language: languageOf(parsed.language),
    version: intField(parsed.version, 'version'),
    opaque: intField(parsed.opaque, 'opaque'),
    flag: intField(parsed.flag, 'flag'),
    remark: remarkOf(parsed.remark),
    extFields: extFieldsOf(parsed.extFields),
    body: null,
    serializeType: SerializeType.JSON,
  };
}

function intField(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  // Java reads these as int; anything else is a header RocketMQ would refuse to decode.
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) {
    throw new FrameDecodeError(`JSON header field ${name} is not an int`);
  }
  return n | 0;
}

function languageOf(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') return languageCode(value) ?? LanguageCode.OTHER;
  return LanguageCode.JAVA;
}

/** A JSON value given where a string belongs, as text (fastjson's reading); too deep a value is a bad header. */
function stringify(value: unknown, field: string): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new FrameDecodeError(`JSON header field ${field} cannot be read as a string`, { cause: err });
  }
}

function remarkOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : stringify(value, 'remark');
}

function extFieldsOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new FrameDecodeError('JSON header field extFields is not an object');
  // Common case: every value already a string; JSON.parse made only own properties, so keep the object.
  let allStrings = true;
  for (const key in value) {
    if (typeof value[key] !== 'string') {
      allStrings = false;
      break;
    }
  }
  if (allStrings) return value as Record<string, string>;
  const out: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined || v === null) continue;
    setOwn(out, key, typeof v === 'string' ? v : typeof v === 'object' ? stringify(v, 'extFields') : String(v));
  }
  return out;
}
