/**
 * A scanner for the plain (JSON) REGISTER_BROKER body that does not build
 * an object graph: it walks the bytes once and writes a compact form (byte
 * ranges, small ints and field ids in an `Int32Array`) that
 * `body-unpack.ts` turns into the same values `JSON.parse` gives.
 *
 * It accepts only what it can reproduce exactly: strict JSON (no bare keys,
 * no duplicate structural keys, no escaped structural names). For anything
 * else it answers `null` and the caller decodes with the general parser, so
 * results, and errors, stay those of {@link decodeRegisterBrokerBody}.
 *
 * The walk is a few named steps, one per level of the body: the body's
 * members, the wrapper's, the table's topics, a topic's fields, a field's
 * value. Topics usually repeat one layout, so two shortcuts skip most of the
 * work: a field name equal to the previous topic's at the same position is
 * not looked up, and a topic whose bytes equal a remembered one (the
 * template) but for its name copies that topic's fields.
 * @internal
 * @module
 */
import { tooManyTopics } from './general.js';
import {
  bsFieldId, bsIs, bsSame, bsSameWide, bsSkipWs, bsSmallInt, bsString, bsValidJson, bsValue, bsValueRef,
} from './json-bytes.js';

/** The compact form of a decoded body (see the layout in {@link scanPlainRegisterBody}). */
export interface BodyScan {
  /** Header, then per topic: `cfgKind, keyKind, keyStart, keyEnd, fieldCount, (fieldId, kind, a, b) × fieldCount`. */
  readonly ints: Int32Array;
  /** Field names by id. */
  readonly names: string[];
  /** Deduplicated string values (`topicFilterType`…), referenced by `STR_REF`. */
  readonly values: string[];
}

/*
 * Layout, shared with body-unpack.ts:
 *   ints[0] topic count            ints[1] used length of ints
 *   ints[2] dataVersion kind (0 default, 1 range) ints[3..4] range
 *   ints[5] filterServerList kind (0 absent = [], 1 range, 2 range parsed leniently) ints[6..7] range
 *   ints[8] first topic record (HEADER = 8)
 * Topic cfgKind: 0 object (`cfgKind, keyKind, keyStart, keyEnd, fieldCount, fields…`), 1 any other value
 *   (`cfgKind, keyKind, keyStart, keyEnd, rawStart, rawEnd`).
 * keyKind: 0 plain ASCII, 1 plain UTF-8, 2 escaped (range includes quotes).
 * Value kinds: 0 INT a, 1 BOOL a, 2 NULL, 3 SAME_AS_KEY, 4 STR_REF a, 5 STR a..b (ascii), 6 STR a..b (utf8),
 *   7 ESCAPED STRING a..b (quotes included), 8 RAW JSON a..b, 9 EMPTY OBJECT.
 */

/**
 * Hands over the topic records scanned so far (`ints[8, end)`, `topics` of
 * them) with the field names and string values they refer to; the scanner
 * then reuses `ints` from index 8.
 */
export type BodyScanEmit = (ints: Int32Array, end: number, topics: number, names: string[], values: string[]) => void;

/**
 * Scans a plain `RegisterBrokerBody`; null when the general parser must decide.
 *
 * With `emit`, topic records are handed over every `every` topics while the
 * scan goes on (a worker posts them, so the main thread rebuilds them while
 * the rest is scanned); the result then holds only the topics after the last
 * part, `ints[0]` their count. A null result voids the parts handed over.
 * @throws `BodyDecodeError` as soon as the table has more than `maxTopics` topics.
 */
export function scanPlainRegisterBody(
  b: Uint8Array, emit: BodyScanEmit | null = null, every = 1000, maxTopics = Infinity,
): BodyScan | null {
  return new PlainScanner(b, emit, every, maxTopics).scan();
}

/** The field names every topic has, in fastjson's order: their ids are their indexes. */
const KNOWN_FIELDS: readonly string[] = [
  'attributes', 'order', 'perm', 'readQueueNums', 'topicFilterType', 'topicName', 'topicSysFlag', 'writeQueueNums',
];
const HEADER = 8;
/** Members seen once at most (a duplicate goes to the general parser, which keeps the last). */
const SEEN_FILTER = 1;
const SEEN_WRAPPER = 2;
const SEEN_VERSION = 4;
const SEEN_TABLE = 8;

/** Value kinds of a field record (see the layout above). */
const enum Kind { Int = 0, Bool = 1, Null = 2, SameAsKey = 3, StrRef = 4, Ascii = 5, Utf8 = 6, Escaped = 7, Raw = 8, EmptyObject = 9 }

/** One walk over a body: the position `i`, the output `ints` up to `p`, and what the shortcuts remember. */
class PlainScanner {
  readonly #b: Uint8Array;
  readonly #emit: BodyScanEmit | null;
  readonly #every: number;
  readonly #maxTopics: number;
  /** tmp[0]: flags (1 escaped, 2 non-ASCII) of the last string scanned; tmp[1]: the last small int. */
  readonly #tmp = new Int32Array(2);
  readonly #names = [...KNOWN_FIELDS];
  readonly #values: string[] = [];
  readonly #valueRanges: number[] = [];
  #ints: Int32Array;
  #p = HEADER;
  #i = 0;
  #seen = 0;
  /** Topics since the last part, and in all. */
  #topics = 0;
  #total = 0;
  /** The previous topic's field names: start, end, id per position. */
  readonly #memo = new Int32Array(3 * 32);
  #memoFields = 0;
  /** The topic being scanned: its record, its name's range, its flags for the template. */
  #rec = 0;
  #ts = 0;
  #te = 0;
  #sameKeys = 0;
  #fixed = true;
  #nameQ1 = 0;
  #nameQ2 = 0;
  readonly #template: Template;

  constructor(b: Uint8Array, emit: BodyScanEmit | null, every: number, maxTopics: number) {
    this.#b = b;
    this.#emit = emit;
    this.#every = every;
    this.#maxTopics = maxTopics;
    this.#ints = new Int32Array(HEADER + 64 + (b.length >> 2));
    this.#template = new Template(b);
  }

  /** The body: an object of `filterServerList`, `topicConfigSerializeWrapper` and members skipped. */
  scan(): BodyScan | null {
    this.#i = bsSkipWs(this.#b, 0);
    if (!this.#object((ks, ke) => this.#bodyMember(ks, ke))) return null;
    if (bsSkipWs(this.#b, this.#i) !== this.#b.length) return null;
    const ints = this.#ints;
    ints[0] = this.#topics;
    ints[1] = this.#p;
    return { ints: ints.subarray(0, this.#p), names: this.#names, values: this.#values };
  }

  /**
   * An object at `i` whose member names are plain (no escapes): `member`
   * reads each value from `i` and leaves `i` after it. False for what the
   * scanner leaves to the general parser.
   */
  #object(member: (ks: number, ke: number) => boolean): boolean {
    const b = this.#b;
    let i = this.#i;
    if (b[i] !== 0x7b) return false;
    i = bsSkipWs(b, i + 1);
    if (b[i] === 0x7d) {
      this.#i = i + 1;
      return true;
    }
    for (;;) {
      if (b[i] !== 0x22) return false;
      const ks = i + 1;
      i = bsString(b, i, this.#tmp);
      if (i < 0 || this.#tmp[0] !== 0) return false;
      const ke = i - 1;
      i = bsSkipWs(b, i);
      if (b[i] !== 0x3a) return false;
      this.#i = bsSkipWs(b, i + 1);
      if (!member(ks, ke)) return false;
      i = bsSkipWs(b, this.#i);
      if (b[i] === 0x2c) i = bsSkipWs(b, i + 1);
      else if (b[i] === 0x7d) break;
      else return false;
    }
    this.#i = i + 1;
    return true;
  }

  /** Marks a member seen; false when it was seen before. */
  #once(flag: number): boolean {
    if ((this.#seen & flag) !== 0) return false;
    this.#seen |= flag;
    return true;
  }

  #bodyMember(ks: number, ke: number): boolean {
    const b = this.#b;
    if (bsIs(b, ks, ke, 'filterServerList')) return this.#once(SEEN_FILTER) && this.#range(5, 1);
    if (bsIs(b, ks, ke, 'topicConfigSerializeWrapper')) {
      return this.#once(SEEN_WRAPPER) && (this.#null() || this.#object((s, e) => this.#wrapperMember(s, e)));
    }
    return this.#skip();
  }

  #wrapperMember(ks: number, ke: number): boolean {
    const b = this.#b;
    if (bsIs(b, ks, ke, 'dataVersion')) return this.#once(SEEN_VERSION) && (this.#null() || this.#range(2, 1));
    if (bsIs(b, ks, ke, 'topicConfigTable')) return this.#once(SEEN_TABLE) && (this.#null() || this.#table());
    if (bsIs(b, ks, ke, 'topicQueueMappingInfoMap')) {
      // Static topic mappings are rare: only an empty one is scanned, others go to the general decoder.
      const i = this.#i;
      const e = bsValue(b, i, this.#tmp);
      if (e < 0 || !(bsIs(b, i, e, '{}') || bsIs(b, i, e, 'null'))) return false;
      this.#i = e;
      return true;
    }
    return this.#skip();
  }

  /** A `null` value at `i`, skipped. */
  #null(): boolean {
    if (!bsIs(this.#b, this.#i, this.#i + 4, 'null')) return false;
    this.#i += 4;
    return true;
  }

  /** Any value at `i`, skipped (validated). */
  #skip(): boolean {
    const e = bsValue(this.#b, this.#i, this.#tmp);
    if (e < 0) return false;
    this.#i = e;
    return true;
  }

  /** Any value at `i`, recorded as a range in the header: `ints[at] = kind, ints[at + 1..2] = range`. */
  #range(at: number, kind: number): boolean {
    const s = this.#i;
    if (!this.#skip()) return false;
    this.#ints[at] = kind;
    this.#ints[at + 1] = s;
    this.#ints[at + 2] = this.#i;
    return true;
  }

  /** The topic table: one record per topic, parts handed over as they fill. */
  #table(): boolean {
    const b = this.#b;
    if (b[this.#i] !== 0x7b) return false;
    let i = bsSkipWs(b, this.#i + 1);
    if (b[i] === 0x7d) {
      this.#i = i + 1;
      return true;
    }
    for (;;) {
      this.#i = i;
      if (!this.#topic()) return false;
      if (this.#emit !== null && this.#topics >= this.#every) this.#flushPart(this.#emit);
      i = bsSkipWs(b, this.#i);
      if (b[i] === 0x2c) i = bsSkipWs(b, i + 1);
      else if (b[i] === 0x7d) break;
      else return false;
    }
    this.#i = i + 1;
    return true;
  }

  #flushPart(emit: BodyScanEmit): void {
    emit(this.#ints, this.#p, this.#topics, this.#names, this.#values);
    this.#p = HEADER;
    this.#topics = 0;
  }

  /** Room for `n` more ints. */
  #ensure(n: number): void {
    if (this.#ints.length - this.#p >= n) return;
    const grown = new Int32Array(Math.max(this.#ints.length * 2, this.#p + n));
    grown.set(this.#ints);
    this.#ints = grown;
  }

  /** One topic: its name, then its value (an object of fields, a copy of the template's, or any other value as it is). */
  #topic(): boolean {
    this.#ensure(64);
    const b = this.#b;
    let i = this.#i;
    if (b[i] !== 0x22) return false;
    const ts = i + 1;
    i = bsString(b, i, this.#tmp);
    if (i < 0) return false;
    const te = i - 1;
    const keyFlags = this.#tmp[0] as number;
    if ((keyFlags & 1) !== 0 && !bsValidJson(b, ts - 1, te + 1)) return false;
    i = bsSkipWs(b, i);
    if (b[i] !== 0x3a) return false;
    this.#i = bsSkipWs(b, i + 1);
    if (++this.#total > this.#maxTopics) throw tooManyTopics(this.#maxTopics);
    this.#topics++;
    const rec = this.#p;
    const ints = this.#ints;
    const escaped = (keyFlags & 1) !== 0;
    ints[rec + 1] = escaped ? 2 : (keyFlags & 2) !== 0 ? 1 : 0;
    ints[rec + 2] = escaped ? ts - 1 : ts;
    ints[rec + 3] = escaped ? te + 1 : te;
    if (b[this.#i] !== 0x7b) return this.#otherTopic(rec);
    if (keyFlags === 0 && this.#template.matches(this.#i, ts, te)) {
      this.#ensure(4 * this.#template.fields + 16);
      this.#p = this.#template.copyTo(this.#ints, rec);
      this.#i += this.#template.length(ts, te);
      return true;
    }
    return this.#objectTopic(rec, ts, te, keyFlags);
  }

  /** A topic whose value is not an object: the registry names the problem; carry the value as it is. */
  #otherTopic(rec: number): boolean {
    const s = this.#i;
    if (!this.#skip()) return false;
    this.#ints[rec] = 1;
    this.#ints[rec + 4] = s;
    this.#ints[rec + 5] = this.#i;
    this.#p = rec + 6;
    return true;
  }

  /** A topic's object: its fields, then, when it can serve as one, it becomes the template. */
  #objectTopic(rec: number, ts: number, te: number, keyFlags: number): boolean {
    const b = this.#b;
    const objStart = this.#i;
    this.#rec = rec;
    this.#ts = ts;
    this.#te = te;
    this.#sameKeys = 0;
    this.#fixed = true;
    this.#ints[rec] = 0;
    this.#p = rec + 5;
    let count = 0;
    let seenFields = 0;
    let i = bsSkipWs(b, this.#i + 1);
    if (b[i] !== 0x7d) {
      for (;;) {
        this.#i = i;
        seenFields = this.#field(count, seenFields);
        if (seenFields < 0) return false;
        count++;
        i = bsSkipWs(b, this.#i);
        if (b[i] === 0x2c) i = bsSkipWs(b, i + 1);
        else if (b[i] === 0x7d) break;
        else return false;
      }
    }
    this.#i = i + 1;
    this.#ints[rec + 4] = count;
    this.#memoFields = count;
    if (keyFlags === 0 && this.#sameKeys === 1 && this.#fixed && count <= 32) {
      this.#template.remember(this.#ints, rec, count, [objStart, this.#nameQ1, this.#nameQ2, this.#i]);
    }
    return true;
  }

  /** The `count`-th field of a topic; returns the ids seen so far (a bit each), -1 when the parser must decide. */
  #field(count: number, seenFields: number): number {
    this.#ensure(8);
    const b = this.#b;
    let i = this.#i;
    if (b[i] !== 0x22) return -1;
    const id = this.#fieldName(count);
    if (id < 0 || id >= 30 || (seenFields & (1 << id)) !== 0) return -1;
    i = bsSkipWs(b, this.#i);
    if (b[i] !== 0x3a) return -1;
    this.#i = bsSkipWs(b, i + 1);
    const p = this.#p;
    this.#ints[p] = id;
    if (!this.#fieldValue(p)) return -1;
    const kind = this.#ints[p + 1] as number;
    if (kind >= Kind.Ascii && kind <= Kind.Raw) this.#fixed = false;
    this.#p = p + 4;
    return seenFields | (1 << id);
  }

  /** A field's name at `i` (a quote): its id, found quickly when the previous topic had it at the same position. */
  #fieldName(count: number): number {
    const b = this.#b;
    const memo = this.#memo;
    const fs = this.#i + 1;
    const ms = memo[3 * count] as number;
    const ml = (memo[3 * count + 1] as number) - ms;
    let fe: number;
    let id: number;
    if (count < this.#memoFields && b[fs + ml] === 0x22 && bsSame(b, fs, fs + ml, ms, ms + ml)) {
      fe = fs + ml;
      id = memo[3 * count + 2] as number;
      this.#i = fe + 1;
    } else {
      const end = bsString(b, this.#i, this.#tmp);
      if (end < 0 || this.#tmp[0] !== 0) return -1;
      fe = end - 1;
      id = bsFieldId(b, fs, fe, this.#names);
      this.#i = end;
    }
    memo[3 * count] = fs;
    memo[3 * count + 1] = fe;
    memo[3 * count + 2] = id;
    return id;
  }

  /** A field's value at `i`, written to the field record at `p`. */
  #fieldValue(p: number): boolean {
    const c = this.#b[this.#i] as number;
    if (c === 0x22) return this.#stringValue(p);
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d) return this.#numberValue(p);
    return this.#literalValue(p);
  }

  #stringValue(p: number): boolean {
    const b = this.#b;
    const ints = this.#ints;
    const vs = this.#i + 1;
    const end = bsString(b, this.#i, this.#tmp);
    if (end < 0) return false;
    const ve = end - 1;
    const flags = this.#tmp[0] as number;
    this.#i = end;
    if ((flags & 1) !== 0) {
      if (!bsValidJson(b, vs - 1, ve + 1)) return false;
      return setField(ints, p, Kind.Escaped, vs - 1, ve + 1);
    }
    if (ints[this.#rec + 1] !== 2 && bsSame(b, vs, ve, this.#ts, this.#te)) {
      this.#sameKeys++;
      this.#nameQ1 = vs;
      this.#nameQ2 = ve;
      return setField(ints, p, Kind.SameAsKey, 0, 0);
    }
    const ref = bsValueRef(b, vs, ve, this.#values, this.#valueRanges);
    if (ref >= 0) return setField(ints, p, Kind.StrRef, ref, 0);
    return setField(ints, p, (flags & 2) !== 0 ? Kind.Utf8 : Kind.Ascii, vs, ve);
  }

  #numberValue(p: number): boolean {
    const e = bsSmallInt(this.#b, this.#i, this.#tmp);
    if (e > 0) {
      this.#i = e;
      return setField(this.#ints, p, Kind.Int, this.#tmp[1] as number, 0);
    }
    return this.#rawValue(p);
  }

  /** `true`, `false`, `null`, `{}`, or any other value kept as raw JSON. */
  #literalValue(p: number): boolean {
    const b = this.#b;
    const i = this.#i;
    const ints = this.#ints;
    if (bsIs(b, i, i + 4, 'true')) return this.#advance(4) && setField(ints, p, Kind.Bool, 1, 0);
    if (bsIs(b, i, i + 5, 'false')) return this.#advance(5) && setField(ints, p, Kind.Bool, 0, 0);
    if (bsIs(b, i, i + 4, 'null')) return this.#advance(4) && setField(ints, p, Kind.Null, 0, 0);
    const j = b[i] === 0x7b ? bsSkipWs(b, i + 1) : -1;
    if (j > 0 && b[j] === 0x7d) {
      this.#i = j + 1;
      return setField(ints, p, Kind.EmptyObject, 0, 0);
    }
    return this.#rawValue(p);
  }

  #advance(n: number): boolean {
    this.#i += n;
    return true;
  }

  #rawValue(p: number): boolean {
    const s = this.#i;
    if (!this.#skip()) return false;
    return setField(this.#ints, p, Kind.Raw, s, this.#i);
  }
}

/** Writes a field record's value (its id is written already); true. */
function setField(ints: Int32Array, p: number, kind: number, a: number, b: number): boolean {
  ints[p + 1] = kind;
  ints[p + 2] = a;
  ints[p + 3] = b;
  return true;
}

/**
 * The template: the fields of an earlier topic that has its name (as its
 * key) once and nothing tied to where it sits. A topic of the same bytes but
 * its name is that topic again: its fields are copied, not scanned.
 */
class Template {
  /** Template bytes are compared four at a time. */
  readonly #wide: DataView;
  readonly #fields = new Int32Array(4 * 32);
  #view = new Int32Array(0);
  /** -1: none yet. */
  fields = -1;
  /** Its bytes: from its `{` to the name (opening quote included), from the closing quote to its end. */
  #start = 0;
  #q1 = 0;
  #q2 = 0;
  #end = 0;

  constructor(b: Uint8Array) {
    this.#wide = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** True when the object at `i` of a topic named by bytes `ts..te` is the template but for the name. */
  matches(i: number, ts: number, te: number): boolean {
    if (this.fields < 0) return false;
    const head = this.#q1 - this.#start;
    return bsSameWide(this.#wide, i, this.#start, head)
      && bsSameWide(this.#wide, i + head, ts, te - ts)
      && bsSameWide(this.#wide, i + head + te - ts, this.#q2, this.#end - this.#q2);
  }

  /** Bytes of the template's object with a name of `ts..te`. */
  length(ts: number, te: number): number {
    return this.#q1 - this.#start + te - ts + this.#end - this.#q2;
  }

  /** Writes a record of the template's fields at `rec`; returns where the next record starts. */
  copyTo(ints: Int32Array, rec: number): number {
    ints[rec] = 0;
    ints[rec + 4] = this.fields;
    ints.set(this.#view, rec + 5);
    return rec + 5 + 4 * this.fields;
  }

  /** Remembers the record at `rec` (`count` fields) and its bytes: `[start, q1, q2, end]`. */
  remember(ints: Int32Array, rec: number, count: number, bytes: readonly [number, number, number, number]): void {
    this.#fields.set(ints.subarray(rec + 5, rec + 5 + 4 * count));
    this.fields = count;
    this.#view = this.#fields.subarray(0, 4 * count);
    [this.#start, this.#q1, this.#q2, this.#end] = bytes;
  }
}
