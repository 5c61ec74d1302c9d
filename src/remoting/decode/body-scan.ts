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
 * Every function here is self-contained (no imports, no module constants,
 * no nested functions): the decode pool ships their source to its workers
 * with `Function.prototype.toString`, so they run from source, ESM and CJS
 * builds alike.
 * @internal
 * @module
 */

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
 * Layout, shared with body-unpack.ts (numbers spelled out in the functions,
 * which may not refer to module constants):
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
 */
export function scanPlainRegisterBody(b: Uint8Array, emit: BodyScanEmit | null = null, every = 1000): BodyScan | null {
  // tmp[0]: string flags (1 escaped, 2 non-ASCII) of the last string scanned.
  const tmp = new Int32Array(2);
  const names = ['attributes', 'order', 'perm', 'readQueueNums', 'topicFilterType', 'topicName', 'topicSysFlag', 'writeQueueNums'];
  const values: string[] = [];
  const valueRanges: number[] = [];
  let ints = new Int32Array(8 + 64 + (b.length >> 2));
  let p = 8;
  let topics = 0;
  // The previous topic's field names: start, end, id per position.
  const memo = new Int32Array(3 * 32);
  let memoFields = 0;
  // A template: the fields of an earlier record that has the topic name (as its key) once and nothing tied to
  // where it sits. A record of the same bytes but its name is that record again: its fields are copied, not scanned.
  const tpl = new Int32Array(4 * 32);
  let tplFields = -1;
  let tplView = tpl.subarray(0, 0);
  // Template bytes are compared four at a time.
  const wide = new DataView(b.buffer, b.byteOffset, b.byteLength);
  // Bytes of the template record: from its `{` to the name (opening quote included), from the closing quote to its end.
  let tplStart = 0;
  let tplQ1 = 0;
  let tplQ2 = 0;
  let tplEnd = 0;
  const n = b.length;
  let i = bsSkipWs(b, 0);
  if (b[i] !== 0x7b) return null;
  if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
  let seenFilter = false;
  let seenWrapper = false;
  if (b[i] === 0x7d) i++;
  else {
    for (;;) {
      if (b[i] !== 0x22) return null;
      const ks = i + 1;
      i = bsString(b, i, tmp);
      if (i < 0 || tmp[0] !== 0) return null;
      const ke = i - 1;
      if ((b[i] as number) <= 0x20) i = bsSkipWs(b, i);
      if (b[i] !== 0x3a) return null;
      if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
      if (bsIs(b, ks, ke, 'filterServerList')) {
        if (seenFilter) return null;
        seenFilter = true;
        const e = bsValue(b, i, tmp);
        if (e < 0) return null;
        ints[5] = 1;
        ints[6] = i;
        ints[7] = e;
        i = e;
      } else if (bsIs(b, ks, ke, 'topicConfigSerializeWrapper')) {
        if (seenWrapper) return null;
        seenWrapper = true;
        if (bsIs(b, i, i + 4, 'null')) {
          i += 4;
        } else {
          if (b[i] !== 0x7b) return null;
          // The wrapper: dataVersion, topicConfigTable, anything else skipped.
          if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
          let seenVersion = false;
          let seenTable = false;
          if (b[i] === 0x7d) i++;
          else {
            for (;;) {
              if (b[i] !== 0x22) return null;
              const ws = i + 1;
              i = bsString(b, i, tmp);
              if (i < 0 || tmp[0] !== 0) return null;
              const we = i - 1;
              if ((b[i] as number) <= 0x20) i = bsSkipWs(b, i);
              if (b[i] !== 0x3a) return null;
              if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
              if (bsIs(b, ws, we, 'dataVersion')) {
                if (seenVersion) return null;
                seenVersion = true;
                const e = bsValue(b, i, tmp);
                if (e < 0) return null;
                if (!bsIs(b, i, e, 'null')) {
                  ints[2] = 1;
                  ints[3] = i;
                  ints[4] = e;
                }
                i = e;
              } else if (bsIs(b, ws, we, 'topicQueueMappingInfoMap')) {
                // Static topic mappings are rare: only an empty one is scanned, others go to the general decoder.
                const e = bsValue(b, i, tmp);
                if (e < 0 || !(bsIs(b, i, e, '{}') || bsIs(b, i, e, 'null'))) return null;
                i = e;
              } else if (bsIs(b, ws, we, 'topicConfigTable')) {
                if (seenTable) return null;
                seenTable = true;
                if (bsIs(b, i, i + 4, 'null')) {
                  i += 4;
                } else {
                  if (b[i] !== 0x7b) return null;
                  if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
                  if (b[i] === 0x7d) i++;
                  else {
                    // The table: one record per topic.
                    for (;;) {
                      if (ints.length - p < 64) {
                        const grown = new Int32Array(ints.length * 2);
                        grown.set(ints);
                        ints = grown;
                      }
                      if (b[i] !== 0x22) return null;
                      const ts = i + 1;
                      i = bsString(b, i, tmp);
                      if (i < 0) return null;
                      const te = i - 1;
                      const keyFlags = tmp[0] as number;
                      if ((keyFlags & 1) !== 0 && !bsValidJson(b, ts - 1, te + 1)) return null;
                      if ((b[i] as number) <= 0x20) i = bsSkipWs(b, i);
                      if (b[i] !== 0x3a) return null;
                      if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
                      const rec = p;
                      ints[rec + 1] = (keyFlags & 1) !== 0 ? 2 : (keyFlags & 2) !== 0 ? 1 : 0;
                      ints[rec + 2] = (keyFlags & 1) !== 0 ? ts - 1 : ts;
                      ints[rec + 3] = (keyFlags & 1) !== 0 ? te + 1 : te;
                      topics++;
                      if (b[i] !== 0x7b) {
                        // Not an object: the registry names the problem; carry the value as it is.
                        const e = bsValue(b, i, tmp);
                        if (e < 0) return null;
                        ints[rec] = 1;
                        ints[rec + 4] = i;
                        ints[rec + 5] = e;
                        p = rec + 6;
                        i = e;
                      } else if (tplFields >= 0 && keyFlags === 0 && bsSameWide(wide, i, tplStart, tplQ1 - tplStart)
                        && bsSameWide(wide, i + tplQ1 - tplStart, ts, te - ts)
                        && bsSameWide(wide, i + tplQ1 - tplStart + te - ts, tplQ2, tplEnd - tplQ2)) {
                        if (ints.length - p < 4 * tplFields + 16) {
                          const grown = new Int32Array(ints.length * 2);
                          grown.set(ints);
                          ints = grown;
                        }
                        ints[rec] = 0;
                        ints[rec + 4] = tplFields;
                        ints.set(tplView, rec + 5);
                        p = rec + 5 + 4 * tplFields;
                        i += tplQ1 - tplStart + te - ts + tplEnd - tplQ2;
                      } else {
                        const objStart = i;
                        let sameKeys = 0;
                        let fixed = true;
                        let nameQ1 = 0;
                        let nameQ2 = 0;
                        ints[rec] = 0;
                        p = rec + 5;
                        let count = 0;
                        let seenFields = 0;
                        if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
                        if (b[i] === 0x7d) i++;
                        else {
                          for (;;) {
                            if (ints.length - p < 8) {
                              const grown = new Int32Array(ints.length * 2);
                              grown.set(ints);
                              ints = grown;
                            }
                            if (b[i] !== 0x22) return null;
                            const fs = i + 1;
                            let fe: number;
                            let id: number;
                            // Topics repeat one layout: the previous topic's k-th name usually matches byte for byte.
                            const ms = memo[3 * count] as number;
                            const ml = (memo[3 * count + 1] as number) - ms;
                            if (count < memoFields && b[fs + ml] === 0x22 && bsSame(b, fs, fs + ml, ms, ms + ml)) {
                              fe = fs + ml;
                              id = memo[3 * count + 2] as number;
                              i = fe + 1;
                            } else {
                              i = bsString(b, i, tmp);
                              if (i < 0 || (tmp[0] as number) !== 0) return null;
                              fe = i - 1;
                              id = bsFieldId(b, fs, fe, names);
                            }
                            if (id >= 30 || (seenFields & (1 << id)) !== 0) return null;
                            seenFields |= 1 << id;
                            memo[3 * count] = fs;
                            memo[3 * count + 1] = fe;
                            memo[3 * count + 2] = id;
                            if ((b[i] as number) <= 0x20) i = bsSkipWs(b, i);
                            if (b[i] !== 0x3a) return null;
                            if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
                            ints[p] = id;
                            const c = b[i] as number;
                            if (c === 0x22) {
                              const vs = i + 1;
                              i = bsString(b, i, tmp);
                              if (i < 0) return null;
                              const ve = i - 1;
                              const flags = tmp[0] as number;
                              if ((flags & 1) !== 0) {
                                if (!bsValidJson(b, vs - 1, ve + 1)) return null;
                                ints[p + 1] = 7;
                                ints[p + 2] = vs - 1;
                                ints[p + 3] = ve + 1;
                              } else if (ints[rec + 1] !== 2 && bsSame(b, vs, ve, ts, te)) {
                                ints[p + 1] = 3;
                                sameKeys++;
                                nameQ1 = vs;
                                nameQ2 = ve;
                              } else {
                                const ref = bsValueRef(b, vs, ve, values, valueRanges);
                                if (ref >= 0) {
                                  ints[p + 1] = 4;
                                  ints[p + 2] = ref;
                                } else {
                                  ints[p + 1] = (flags & 2) !== 0 ? 6 : 5;
                                  ints[p + 2] = vs;
                                  ints[p + 3] = ve;
                                }
                              }
                            } else if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
                              const e = bsSmallInt(b, i, tmp);
                              if (e > 0) {
                                ints[p + 1] = 0;
                                ints[p + 2] = tmp[1] as number;
                                i = e;
                              } else {
                                const r = bsValue(b, i, tmp);
                                if (r < 0) return null;
                                ints[p + 1] = 8;
                                ints[p + 2] = i;
                                ints[p + 3] = r;
                                i = r;
                              }
                            } else if (bsIs(b, i, i + 4, 'true')) {
                              ints[p + 1] = 1;
                              ints[p + 2] = 1;
                              i += 4;
                            } else if (bsIs(b, i, i + 5, 'false')) {
                              ints[p + 1] = 1;
                              ints[p + 2] = 0;
                              i += 5;
                            } else if (bsIs(b, i, i + 4, 'null')) {
                              ints[p + 1] = 2;
                              i += 4;
                            } else {
                              const j = c === 0x7b ? bsSkipWs(b, i + 1) : -1;
                              if (j > 0 && b[j] === 0x7d) {
                                ints[p + 1] = 9;
                                i = j + 1;
                              } else {
                                const r = bsValue(b, i, tmp);
                                if (r < 0) return null;
                                ints[p + 1] = 8;
                                ints[p + 2] = i;
                                ints[p + 3] = r;
                                i = r;
                              }
                            }
                            if ((ints[p + 1] as number) >= 5 && (ints[p + 1] as number) <= 8) fixed = false;
                            p += 4;
                            count++;
                            if ((b[i] as number) <= 0x20) i = bsSkipWs(b, i);
                            if (b[i] === 0x2c) {
                              if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
                              continue;
                            }
                            if (b[i] !== 0x7d) return null;
                            i++;
                            break;
                          }
                        }
                        ints[rec + 4] = count;
                        memoFields = count;
                        if (keyFlags === 0 && sameKeys === 1 && fixed && count <= 32) {
                          for (let k = 0; k < 4 * count; k++) tpl[k] = ints[rec + 5 + k] as number;
                          tplFields = count;
                          tplView = tpl.subarray(0, 4 * count);
                          tplStart = objStart;
                          tplQ1 = nameQ1;
                          tplQ2 = nameQ2;
                          tplEnd = i;
                        }
                      }
                      if (emit !== null && topics >= every) {
                        emit(ints, p, topics, names, values);
                        p = 8;
                        topics = 0;
                      }
                      if ((b[i] as number) <= 0x20) i = bsSkipWs(b, i);
                      if (b[i] === 0x2c) {
                        if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
                        continue;
                      }
                      if (b[i] !== 0x7d) return null;
                      i++;
                      break;
                    }
                  }
                }
              } else {
                const e = bsValue(b, i, tmp);
                if (e < 0) return null;
                i = e;
              }
              if ((b[i] as number) <= 0x20) i = bsSkipWs(b, i);
              if (b[i] === 0x2c) {
                if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
                continue;
              }
              if (b[i] !== 0x7d) return null;
              i++;
              break;
            }
          }
        }
      } else {
        const e = bsValue(b, i, tmp);
        if (e < 0) return null;
        i = e;
      }
      if ((b[i] as number) <= 0x20) i = bsSkipWs(b, i);
      if (b[i] === 0x2c) {
        if ((b[++i] as number) <= 0x20) i = bsSkipWs(b, i);
        continue;
      }
      if (b[i] !== 0x7d) return null;
      i++;
      break;
    }
  }
  if (bsSkipWs(b, i) !== n) return null;
  ints[0] = topics;
  ints[1] = p;
  return { ints: ints.subarray(0, p), names, values };
}

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

/** The scanner's functions, for the decode pool's worker source. */
export const BODY_SCAN_FUNCTIONS: readonly ((...args: never[]) => unknown)[] = [
  scanPlainRegisterBody, bsSkipWs, bsIs, bsSame, bsSameWide, bsString, bsFieldId, bsValueRef, bsSmallInt, bsValue, bsValidJson, bsText,
];
