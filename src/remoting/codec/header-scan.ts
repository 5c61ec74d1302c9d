/**
 * The fast path of JSON header decoding: a byte scanner for the usual header
 * shapes, and a per-connection cache of the last header's layout.
 * @internal
 */
import { setOwn } from '../../core/records.js';
import { LanguageCode, SerializeType, languageCode } from '../codes.js';
import type { RemotingCommand } from '../command.js';

// ---------------------------------------------------------------- fast path
//
// Every request pays for its header, and JSON.parse (after decoding the bytes
// to a string) costs more than the rest of a route lookup. Headers are small
// flat objects, and the eight field names RocketMQ uses start with eight
// different letters, so one pass over the bytes reads the usual shapes.
// Anything else (escapes, floats, nested values, unknown fields, malformed
// input) returns null and goes through JSON.parse and its exact errors.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;

/** Field numbers. */
const F_CODE = 0;
const F_LANGUAGE = 1;
const F_VERSION = 2;
const F_OPAQUE = 3;
const F_FLAG = 4;
const F_REMARK = 5;
const F_EXT_FIELDS = 6;
const F_SERIALIZE_TYPE = 7;
/** Each field name with its closing quote, indexed by field number. */
const FIELD_BYTES: readonly Uint8Array[] = ['code', 'language', 'version', 'opaque', 'flag', 'remark', 'extFields', 'serializeTypeCurrentRPC']
  .map((name) => Buffer.from(name + '"', 'latin1'));

/** Node's Buffer#latin1Slice skips toString's argument handling; fall back when a runtime lacks it. */
type Latin1Slicer = (this: Buffer, start: number, end: number) => string;
const latin1Slice: Latin1Slicer = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slicer }).latin1Slice
  ?? function (this: Buffer, start: number, end: number) {
    return this.toString('latin1', start, end);
  };

/** The byte at `i`, or -1 past the header: bytes after it belong to the body or the next frame. */
function at(buf: Buffer, i: number, end: number): number {
  return i < end ? (buf[i] as number) : -1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function ws(buf: Buffer, i: number, end: number): number {
  while (i < end && isSpace(buf[i] as number)) i++;
  return i;
}

/** True when `a[aAt, aAt + n)` equals `b[bAt, bAt + n)`; compares 4 bytes at a time (these runs are tens of bytes). */
function sameBytes(a: DataView, aAt: number, b: DataView, bAt: number, n: number): boolean {
  let k = 0;
  for (; k + 4 <= n; k += 4) if (a.getInt32(aAt + k) !== b.getInt32(bAt + k)) return false;
  for (; k < n; k++) if (a.getUint8(aAt + k) !== b.getUint8(bAt + k)) return false;
  return true;
}

/**
 * One pass over a JSON header's bytes. Besides the command, a scan records
 * where it found the opaque's digits and the `topic` value: what
 * {@link JsonHeaderShape} needs to learn a layout. A scanner belongs to one
 * reader (a connection's shape, or a single decode), so its position state is
 * never shared.
 * @internal
 */
export class HeaderScanner {
  /** Where the last string or number read ended. */
  #pos = 0;
  /** Whether the last string read had non-ASCII bytes. */
  #highBytes = false;
  #opaqueAt = -1;
  #opaqueEnd = -1;
  #topicAt = -1;
  #topicEnd = -1;
  #extCount = 0;

  /** After a read of a string or number: the offset just past it. */
  get pos(): number {
    return this.#pos;
  }

  /** Offsets of the last scanned header's opaque digits and `topic` value (-1 when absent), and its extFields count. */
  get opaqueAt(): number {
    return this.#opaqueAt;
  }

  get opaqueEnd(): number {
    return this.#opaqueEnd;
  }

  get topicAt(): number {
    return this.#topicAt;
  }

  get topicEnd(): number {
    return this.#topicEnd;
  }

  get extCount(): number {
    return this.#extCount;
  }

  /** Finds the closing quote of a string whose content starts at `i`; -1 for escapes and control characters. */
  stringEnd(buf: Buffer, i: number, end: number): number {
    let high = false;
    for (; i < end; i++) {
      const c = buf[i] as number;
      if (c === QUOTE) {
        this.#highBytes = high;
        return i;
      }
      if (c === BACKSLASH || c < 0x20) return -1;
      if (c >= 0x80) high = true;
    }
    return -1;
  }

  /** The string the last {@link stringEnd} delimited. */
  text(buf: Buffer, start: number, end: number): string {
    return this.#highBytes ? buf.toString('utf8', start, end) : latin1Slice.call(buf, start, end);
  }

  /** Reads a field name whose content starts at `i`; sets pos after its closing quote. -1 when unknown. */
  #scanField(buf: Buffer, i: number, end: number): number {
    // The names start with eight different letters: the first byte picks the only candidate.
    let field: number;
    switch (buf[i]) {
      case 0x63: field = F_CODE; break;
      case 0x6c: field = F_LANGUAGE; break;
      case 0x76: field = F_VERSION; break;
      case 0x6f: field = F_OPAQUE; break;
      case 0x66: field = F_FLAG; break;
      case 0x72: field = F_REMARK; break;
      case 0x65: field = F_EXT_FIELDS; break;
      case 0x73: field = F_SERIALIZE_TYPE; break;
      default: return -1;
    }
    const name = FIELD_BYTES[field] as Uint8Array;
    const n = name.length;
    if (end - i < n) return -1;
    for (let k = 1; k < n; k++) if (buf[i + k] !== name[k]) return -1;
    this.#pos = i + n;
    return field;
  }

  /** Reads an integer at `i` and sets pos after it; NaN unless it is a plain integer from -2^31 to 2^32 - 1. */
  scanInt(buf: Buffer, i: number, end: number): number {
    const negative = buf[i] === MINUS;
    if (negative) i++;
    const first = i;
    let n = 0;
    for (; i < end; i++) {
      const d = (buf[i] as number) - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    const digits = i - first;
    if (digits === 0 || digits > 10 || (digits > 1 && buf[first] === 0x30)) return NaN;
    const c = at(buf, i, end);
    if (c === 0x2e || c === 0x65 || c === 0x45) return NaN;
    this.#pos = i;
    if (negative) n = -n;
    return n < -0x80000000 || n > 0xffffffff ? NaN : n;
  }

  /** Reads a header of the usual shapes, or returns null so that JSON.parse decides. */
  scan(buf: Buffer, start: number, end: number): RemotingCommand | null {
    this.#opaqueAt = -1;
    this.#topicAt = -1;
    this.#extCount = 0;
    let i = ws(buf, start, end);
    if (at(buf, i, end) !== OPEN) return null;
    const h: RemotingCommand = {
      code: 0, language: LanguageCode.JAVA, version: 0, opaque: 0, flag: 0, remark: null, extFields: {}, body: null,
      serializeType: SerializeType.JSON,
    };
    i = ws(buf, i + 1, end);
    if (at(buf, i, end) === CLOSE) return ws(buf, i + 1, end) === end ? h : null;
    for (;;) {
      if (at(buf, i, end) !== QUOTE) return null;
      const field = this.#scanField(buf, i + 1, end);
      if (field < 0) return null;
      i = this.#pos;
      if (at(buf, i, end) !== COLON) {
        i = ws(buf, i, end);
        if (at(buf, i, end) !== COLON) return null;
      }
      i = ws(buf, i + 1, end);
      const c = at(buf, i, end);
      if (c === QUOTE) {
        const valueEnd = this.stringEnd(buf, i + 1, end);
        if (valueEnd < 0) return null;
        if (field === F_LANGUAGE) {
          h.language = valueEnd - i === 5 && buf[i + 1] === 0x4a && buf[i + 2] === 0x41 && buf[i + 3] === 0x56 && buf[i + 4] === 0x41
            ? LanguageCode.JAVA
            : (languageCode(this.text(buf, i + 1, valueEnd)) ?? LanguageCode.OTHER);
        } else if (field === F_REMARK) {
          h.remark = this.text(buf, i + 1, valueEnd);
        } else if (field !== F_SERIALIZE_TYPE) {
          return null;
        }
        i = valueEnd + 1;
      } else if (c === OPEN) {
        if (field !== F_EXT_FIELDS) return null;
        // A repeated field replaces the earlier one, as in JSON.parse.
        h.extFields = {};
        this.#topicAt = -1;
        this.#extCount = 0;
        i = this.#scanExtFields(buf, i + 1, end, h.extFields);
        if (i < 0) return null;
      } else {
        const numberAt = i;
        const n = this.scanInt(buf, i, end);
        if (Number.isNaN(n)) return null;
        i = this.#pos;
        // As intField: Java ints, so a uint32 spelling wraps. A numeric language stays as written, as languageOf keeps it.
        switch (field) {
          case F_CODE: h.code = n | 0; break;
          case F_OPAQUE:
            h.opaque = n | 0;
            this.#opaqueAt = numberAt;
            this.#opaqueEnd = i;
            break;
          case F_FLAG: h.flag = n | 0; break;
          case F_VERSION: h.version = n | 0; break;
          case F_LANGUAGE: h.language = n === 0 ? 0 : n; break;
          default: return null;
        }
      }
      if (at(buf, i, end) !== COMMA && at(buf, i, end) !== CLOSE) i = ws(buf, i, end);
      if (at(buf, i, end) === COMMA) {
        i = ws(buf, i + 1, end);
        continue;
      }
      if (at(buf, i, end) !== CLOSE) return null;
      return ws(buf, i + 1, end) === end ? h : null;
    }
  }

  /** Reads `"k":"v"` pairs after an opening brace into `ext`; the position after the closing brace, or -1. */
  #scanExtFields(buf: Buffer, i: number, end: number, ext: Record<string, string>): number {
    i = ws(buf, i, end);
    if (at(buf, i, end) === CLOSE) return i + 1;
    for (;;) {
      if (at(buf, i, end) !== QUOTE) return -1;
      const keyEnd = this.stringEnd(buf, i + 1, end);
      if (keyEnd < 0) return -1;
      // The key every route lookup carries: skip decoding it.
      const key = keyEnd - i === 6 && buf[i + 1] === 0x74 && buf[i + 2] === 0x6f && buf[i + 3] === 0x70 && buf[i + 4] === 0x69
        && buf[i + 5] === 0x63 ? 'topic' : this.text(buf, i + 1, keyEnd);
      i = ws(buf, keyEnd + 1, end);
      if (at(buf, i, end) !== COLON) return -1;
      i = ws(buf, i + 1, end);
      if (at(buf, i, end) !== QUOTE) return -1;
      const valueEnd = this.stringEnd(buf, i + 1, end);
      if (valueEnd < 0) return -1;
      const value = this.text(buf, i + 1, valueEnd);
      if (key === '__proto__') setOwn(ext, key, value);
      else ext[key] = value;
      this.#extCount++;
      if (key === 'topic') {
        this.#topicAt = i + 1;
        this.#topicEnd = valueEnd;
      }
      i = ws(buf, valueEnd + 1, end);
      if (at(buf, i, end) === COMMA) {
        i = ws(buf, i + 1, end);
        continue;
      }
      return at(buf, i, end) === CLOSE ? i + 1 : -1;
    }
  }
}

// ---------------------------------------------------------------- shape cache
//
// A client's consecutive headers usually differ only in the opaque and the
// topic: same fields, same order, same spacing. A connection remembers the
// bytes of its last header that had just those two variable parts; the next
// one is then read by comparing the fixed bytes and parsing only the two
// values. Equal fixed bytes around valid values mean the full scan would
// read the same fields, so the result is identical; any difference falls
// back to the full scan, which learns the new shape.

/**
 * The layout of the last header a connection sent.
 * @internal
 */
export class JsonHeaderShape {
  readonly #scanner = new HeaderScanner();
  #bytes: Buffer | null = null;
  /** Views for comparing fixed bytes a word at a time: of #bytes, and of the last buffer read. */
  #bytesView: DataView | null = null;
  #bufRef: Buffer | null = null;
  #bufView: DataView | null = null;
  /** Offsets in #bytes: opaque digits [#opaqueAt, #opaqueEnd), topic content [#topicAt, #topicEnd). */
  #opaqueAt = 0;
  #opaqueEnd = 0;
  #topicAt = 0;
  #topicEnd = 0;
  #code = 0;
  #language = 0;
  #version = 0;
  #flag = 0;
  #remark: string | null = null;

  /**
   * Reads a header: by comparison with the remembered layout when it
   * matches, else by a full scan whose layout is then remembered. Null when
   * the header is not of the usual shapes (JSON.parse decides then).
   */
  read(buf: Buffer, start: number, end: number): RemotingCommand | null {
    const matched = this.#match(buf, start, end);
    if (matched !== null) return matched;
    const scanned = this.#scanner.scan(buf, start, end);
    if (scanned !== null) this.#learn(buf, start, end, scanned);
    return scanned;
  }

  /** Remembers the header this shape's scanner just read, if it has the one variable shape this cache handles. */
  #learn(buf: Buffer, start: number, end: number, cmd: RemotingCommand): void {
    const { opaqueAt, opaqueEnd, topicAt, topicEnd, extCount } = this.#scanner;
    if (opaqueAt < 0 || topicAt < 0 || extCount !== 1 || opaqueEnd > topicAt) {
      this.#bytes = null;
      return;
    }
    this.#bytes = Buffer.from(buf.subarray(start, end));
    this.#bytesView = new DataView(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.length);
    this.#opaqueAt = opaqueAt - start;
    this.#opaqueEnd = opaqueEnd - start;
    this.#topicAt = topicAt - start;
    this.#topicEnd = topicEnd - start;
    this.#code = cmd.code;
    this.#language = cmd.language;
    this.#version = cmd.version;
    this.#flag = cmd.flag;
    this.#remark = cmd.remark;
  }

  /** Reads a header of the remembered shape, or returns null. */
  #match(buf: Buffer, start: number, end: number): RemotingCommand | null {
    const prev = this.#bytes;
    if (prev === null) return null;
    const opaqueAtPrev = this.#opaqueAt;
    if (end - start < prev.length - (this.#opaqueEnd - opaqueAtPrev) - (this.#topicEnd - this.#topicAt)) return null;
    // Fixed bytes up to the opaque.
    // One read of the socket carries many frames: its view is made once.
    if (buf !== this.#bufRef) {
      this.#bufRef = buf;
      this.#bufView = new DataView(buf.buffer, buf.byteOffset, buf.length);
    }
    const view = this.#bufView as DataView;
    const prevView = this.#bytesView as DataView;
    if (!sameBytes(view, start, prevView, 0, opaqueAtPrev)) return null;
    // The opaque: same rules as the full scan.
    let i = start + opaqueAtPrev;
    const scanner = this.#scanner;
    const opaque = scanner.scanInt(buf, i, end);
    if (Number.isNaN(opaque)) return null;
    i = scanner.pos;
    // Fixed bytes from after the opaque to the topic's content.
    const middle = this.#topicAt - this.#opaqueEnd;
    if (end - i < middle) return null;
    if (!sameBytes(view, i, prevView, this.#opaqueEnd, middle)) return null;
    i += middle;
    const valueEnd = scanner.stringEnd(buf, i, end);
    if (valueEnd < 0) return null;
    const topic = scanner.text(buf, i, valueEnd);
    // Fixed bytes from the topic's closing quote to the end.
    const tail = prev.length - this.#topicEnd;
    if (end - valueEnd !== tail) return null;
    if (!sameBytes(view, valueEnd, prevView, this.#topicEnd, tail)) return null;
    return {
      code: this.#code, language: this.#language, version: this.#version, opaque: opaque | 0, flag: this.#flag,
      remark: this.#remark, extFields: { topic }, body: null, serializeType: SerializeType.JSON,
    };
  }
}
