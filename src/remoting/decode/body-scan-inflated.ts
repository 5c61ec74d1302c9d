/**
 * The compact-form scanner of an inflated (zlib) REGISTER_BROKER body, the
 * companion of `body-scan.ts` with the same output layout. It follows
 * `decodeInflatedBody` rule for rule on the success path and answers `null`
 * wherever that function would throw (or yield a value the compact form
 * cannot carry, such as `-0`), so the caller reruns it for the exact error.
 * @internal
 * @module
 */
import type { BodyScan } from './body-scan.js';

/**
 * Scans the inflated bytes; `withMappings` is true from RocketMQ 5.0 on
 * (a topic queue mapping section follows the filter servers).
 */
export function scanInflatedRegisterBody(raw: Uint8Array, withMappings: boolean): BodyScan | null {
  const names = ['attributes', 'order', 'perm', 'readQueueNums', 'topicFilterType', 'topicName', 'topicSysFlag', 'writeQueueNums'];
  const values = ['SINGLE_TAG', 'MULTI_TAG'];
  const n = raw.length;
  // pos[0]: read position; pos[1..12]: start/end of the first six space-separated parts.
  const pos = new Int32Array(14);
  if (!biString(raw, pos)) return null;
  const dvStart = pos[12] as number;
  const dvEnd = pos[13] as number;
  if (!biValidJson(raw, dvStart, dvEnd)) return null;
  if (n - (pos[0] as number) < 4) return null;
  const count = biInt(raw, pos[0] as number);
  pos[0] = (pos[0] as number) + 4;
  if (count < 0) return null;
  // A valid record takes at least 20 bytes (length + " 1 1 1 MULTI_TAG"): more records than that fail anyway.
  if (count > (n - (pos[0] as number)) / 20) return null;
  let ints = new Int32Array(8 + Math.min(count, 4096) * 37);
  ints[2] = 1;
  ints[3] = dvStart;
  ints[4] = dvEnd;
  let p = 8;
  for (let t = 0; t < count; t++) {
    if (ints.length - p < 37) {
      const grown = new Int32Array(ints.length * 2);
      grown.set(ints);
      ints = grown;
    }
    if (!biString(raw, pos)) return null;
    const s = pos[12] as number;
    const e = pos[13] as number;
    const parts = biSplit(raw, s, e, pos);
    if (parts < 5) return null;
    const filterType = biIs(raw, pos[9] as number, pos[10] as number, 'SINGLE_TAG') ? 0
      : biIs(raw, pos[9] as number, pos[10] as number, 'MULTI_TAG') ? 1 : -1;
    if (filterType < 0) return null;
    const read = biJavaInt(raw, pos[3] as number, pos[4] as number);
    const write = biJavaInt(raw, pos[5] as number, pos[6] as number);
    const perm = biJavaInt(raw, pos[7] as number, pos[8] as number);
    if (Number.isNaN(read) || Number.isNaN(write) || Number.isNaN(perm)) return null;
    ints[p] = 0;
    ints[p + 1] = biAscii(raw, pos[1] as number, pos[2] as number) ? 0 : 1;
    ints[p + 2] = pos[1] as number;
    ints[p + 3] = pos[2] as number;
    let f = p + 5;
    // The field order of decodeTopicConfig's object literal.
    f = biField(ints, f, 5, 3, 0, 0);
    f = biField(ints, f, 3, 0, read, 0);
    f = biField(ints, f, 7, 0, write, 0);
    f = biField(ints, f, 2, 0, perm, 0);
    f = biField(ints, f, 4, 4, filterType, 0);
    f = biField(ints, f, 6, 0, 0, 0);
    f = biField(ints, f, 1, 1, 0, 0);
    if (parts >= 6) {
      const as = pos[11] as number;
      const ae = biPartEnd(raw, as, e);
      if (biIs(raw, as, ae, '{}')) f = biField(ints, f, 0, 9, 0, 0);
      else if (biJsonObject(raw, as, ae)) f = biField(ints, f, 0, 8, as, ae);
    }
    ints[p + 4] = (f - p - 5) / 4;
    p = f;
  }
  if (!biString(raw, pos)) return null;
  ints[5] = 2;
  ints[6] = pos[12] as number;
  ints[7] = pos[13] as number;
  if (withMappings) {
    if (n - (pos[0] as number) < 4) return null;
    // Static topic mappings are rare: a body with any goes to the general decoder, which keeps them.
    if (biInt(raw, pos[0] as number) !== 0) return null;
    pos[0] = (pos[0] as number) + 4;
  }
  ints[0] = count;
  ints[1] = p;
  return { ints: ints.subarray(0, p), names, values };
}

/** A big-endian int32 at `i`. */
export function biInt(raw: Uint8Array, i: number): number {
  return (((raw[i] as number) << 24) | ((raw[i + 1] as number) << 16) | ((raw[i + 2] as number) << 8) | (raw[i + 3] as number));
}

/** Reads a length-prefixed string at `pos[0]` into `pos[12..13]`; false when truncated. */
export function biString(raw: Uint8Array, pos: Int32Array): boolean {
  const at = pos[0] as number;
  if (raw.length - at < 4) return false;
  const length = biInt(raw, at);
  if (length < 0 || raw.length - at - 4 < length) return false;
  pos[12] = at + 4;
  pos[13] = at + 4 + length;
  pos[0] = at + 4 + length;
  return true;
}

/**
 * Java's `split(" ")` of bytes `s..e`: the first five parts' ranges go to
 * `pos[1..10]`, the sixth's start to `pos[11]`; returns the part count after
 * trailing empty parts are dropped.
 */
export function biSplit(raw: Uint8Array, s: number, e: number, pos: Int32Array): number {
  let part = 0;
  let start = s;
  let lastNonEmpty = -1;
  for (let i = s; i <= e; i++) {
    if (i === e || raw[i] === 0x20) {
      if (part < 5) {
        pos[1 + 2 * part] = start;
        pos[2 + 2 * part] = i;
      } else if (part === 5) {
        pos[11] = start;
      }
      if (i > start) lastNonEmpty = part;
      part++;
      start = i + 1;
    }
  }
  return lastNonEmpty + 1;
}

/** End of the part starting at `s` (the next space or `e`). */
export function biPartEnd(raw: Uint8Array, s: number, e: number): number {
  let i = s;
  while (i < e && raw[i] !== 0x20) i++;
  return i;
}

/** Writes one field record; returns the next free index. */
export function biField(ints: Int32Array, f: number, id: number, kind: number, a: number, b: number): number {
  ints[f] = id;
  ints[f + 1] = kind;
  ints[f + 2] = a;
  ints[f + 3] = b;
  return f + 4;
}

/** True when bytes `s..e` are exactly the ASCII `text`. */
export function biIs(raw: Uint8Array, s: number, e: number, text: string): boolean {
  if (e - s !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (raw[s + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** True when bytes `s..e` are ASCII. */
export function biAscii(raw: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if ((raw[i] as number) >= 0x80) return false;
  return true;
}

/** RocketMQ's `Integer.parseInt` as decodeTopicConfig applies it; NaN when it would throw or give -0. */
export function biJavaInt(raw: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (raw[i] === 0x2b || raw[i] === 0x2d) {
    neg = raw[i] === 0x2d;
    i++;
  }
  if (e - i < 1 || e - i > 10) return NaN;
  let v = 0;
  for (; i < e; i++) {
    const c = raw[i] as number;
    if (c < 0x30 || c > 0x39) return NaN;
    v = v * 10 + (c - 0x30);
  }
  if (neg) v = -v;
  if (v < -0x80000000 || v > 0x7fffffff || Object.is(v, -0)) return NaN;
  return v;
}

/** True when `s..e` parses as JSON. */
export function biValidJson(raw: Uint8Array, s: number, e: number): boolean {
  try {
    JSON.parse(Buffer.from(raw.buffer, raw.byteOffset + s, e - s).toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** True when `s..e` parses as JSON to a plain object (what decodeTopicConfig keeps as attributes). */
export function biJsonObject(raw: Uint8Array, s: number, e: number): boolean {
  try {
    const v: unknown = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset + s, e - s).toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
