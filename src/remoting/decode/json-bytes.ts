/**
 * Byte-level JSON steps of the plain body scanner (`body-scan.ts`): skip
 * whitespace, compare bytes, scan a string, a small int or any value as
 * `JSON.parse` would judge it. Positions in, positions out (-1: invalid).
 * @internal
 * @module
 */

/** Index after JSON whitespace from `i`. */
export function bsSkipWs(b: Uint8Array, i: number): number {
  let c = b[i];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++i];
  return i;
}

/** True when bytes `s..e` are exactly the ASCII `text`. */
export function bsIs(b: Uint8Array, s: number, e: number, text: string): boolean {
  if (e - s !== text.length || e > b.length) return false;
  for (let k = 0; k < text.length; k++) if (b[s + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** True when bytes `s1..e1` equal bytes `s2..e2`. */
export function bsSame(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): boolean {
  if (e1 - s1 !== e2 - s2) return false;
  for (let k = 0; k < e1 - s1; k++) if (b[s1 + k] !== b[s2 + k]) return false;
  return true;
}

/** True when the `length` bytes at `s1` equal those at `s2` (false past the end). */
export function bsSameWide(v: DataView, s1: number, s2: number, length: number): boolean {
  if (s1 + length > v.byteLength || s2 + length > v.byteLength) return false;
  let k = 0;
  for (; k + 4 <= length; k += 4) if (v.getInt32(s1 + k) !== v.getInt32(s2 + k)) return false;
  for (; k < length; k++) if (v.getUint8(s1 + k) !== v.getUint8(s2 + k)) return false;
  return true;
}

/**
 * Scans a string starting at the quote `i`; returns the index after its
 * closing quote, or -1 for what JSON forbids. Sets `tmp[0]`: 1 escapes, 2 non-ASCII.
 */
export function bsString(b: Uint8Array, i: number, tmp: Int32Array): number {
  const n = b.length;
  let flags = 0;
  i++;
  while (i < n) {
    const c = b[i] as number;
    if (c === 0x22) {
      tmp[0] = flags;
      return i + 1;
    }
    if (c === 0x5c) {
      flags |= 1;
      i += 2;
    } else {
      if (c < 0x20) return -1;
      if (c >= 0x80) flags |= 2;
      i++;
    }
  }
  return -1;
}

/** The id of a field name, adding unknown names to `names`. */
export function bsFieldId(b: Uint8Array, s: number, e: number, names: string[]): number {
  for (let k = 0; k < names.length; k++) if (bsIs(b, s, e, names[k] as string)) return k;
  const name = bsText(b, s, e);
  // Names are compared as ASCII by bsIs: a non-ASCII one is added once per occurrence, bounded below.
  for (let k = 8; k < names.length; k++) if (names[k] === name) return k;
  names.push(name);
  return names.length - 1;
}

/** Index of an equal string value in the small cache, adding it while there is room; -1 otherwise. */
export function bsValueRef(b: Uint8Array, s: number, e: number, values: string[], ranges: number[]): number {
  if (e - s > 64) return -1;
  for (let k = 0; k < values.length; k++) {
    if (bsSame(b, s, e, ranges[2 * k] as number, ranges[2 * k + 1] as number)) return k;
  }
  if (values.length >= 8) return -1;
  values.push(bsText(b, s, e));
  ranges.push(s, e);
  return values.length - 1;
}

/**
 * An int written plainly (`-?(0|[1-9][0-9]{0,8})`, not `-0`) followed by a
 * delimiter: returns the index after it and sets `tmp[1]`; -1 otherwise.
 */
export function bsSmallInt(b: Uint8Array, i: number, tmp: Int32Array): number {
  let neg = false;
  if (b[i] === 0x2d) {
    neg = true;
    i++;
  }
  const start = i;
  let v = 0;
  let c = b[i] as number;
  while (c >= 0x30 && c <= 0x39) {
    v = v * 10 + (c - 0x30);
    c = b[++i] as number;
  }
  const digits = i - start;
  if (digits === 0 || digits > 9 || (digits > 1 && b[start] === 0x30) || (neg && v === 0)) return -1;
  if (c === 0x2e || c === 0x65 || c === 0x45) return -1;
  tmp[1] = neg ? -v : v;
  return i;
}

/** Index after any JSON value at `i`, validated as `JSON.parse` would; -1 when invalid. */
export function bsValue(b: Uint8Array, i: number, tmp: Int32Array): number {
  const c = b[i];
  if (c === 0x22) {
    const e = bsString(b, i, tmp);
    if (e < 0 || ((tmp[0] as number) & 1) === 0) return e;
    return bsValidJson(b, i, e) ? e : -1;
  }
  if (c === 0x74) return bsIs(b, i, i + 4, 'true') ? i + 4 : -1;
  if (c === 0x66) return bsIs(b, i, i + 5, 'false') ? i + 5 : -1;
  if (c === 0x6e) return bsIs(b, i, i + 4, 'null') ? i + 4 : -1;
  if (c === 0x7b || c === 0x5b) {
    // Find the matching bracket, strings skipped, then let JSON.parse judge the text.
    let depth = 0;
    let j = i;
    const n = b.length;
    while (j < n) {
      const d = b[j] as number;
      if (d === 0x22) {
        j = bsString(b, j, tmp);
        if (j < 0) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return bsValidJson(b, i, j + 1) ? j + 1 : -1;
      }
      j++;
    }
    return -1;
  }
  // A number: the longest run of number characters, judged by JSON.parse.
  let j = i;
  let d = b[j] as number;
  while ((d >= 0x30 && d <= 0x39) || d === 0x2d || d === 0x2b || d === 0x2e || d === 0x65 || d === 0x45) d = b[++j] as number;
  return j > i && bsValidJson(b, i, j) ? j : -1;
}

/** True when bytes `s..e` are one JSON value for `JSON.parse`. */
export function bsValidJson(b: Uint8Array, s: number, e: number): boolean {
  try {
    JSON.parse(bsText(b, s, e));
    return true;
  } catch {
    return false;
  }
}

/** Bytes `s..e` as UTF-8 text, decoded as `Buffer.toString` does. */
export function bsText(b: Uint8Array, s: number, e: number): string {
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8');
}

