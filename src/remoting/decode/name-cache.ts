/**
 * Topic names a decode pool decoded before, found again by their bytes.
 *
 * A broker re-registers the same names every 30 s. Decoding each one anew
 * costs a native call and a new string per topic, garbage collection of the
 * old ones, and a fresh hash on the registry's first lookup of every copy.
 * Found here, a known name costs a short loop over its bytes and comes back
 * as the very instance decoded before (the one the registry already holds
 * for a topic it learnt through this cache), hash included.
 *
 * A fixed number of slots, two per hash (the newer name first): bounded
 * memory whatever the brokers send; a name pushed out is simply decoded
 * again. Values are always exactly the bytes' latin1 text: a hash collision
 * is caught by comparing the bytes.
 * @internal
 * @module
 */

/** Names longer than this are decoded as they come (rare, and their compare would cost what decoding does). */
const MAX_CACHED_LENGTH = 96;

/** A cache of ASCII names by their bytes. */
export class NameCache {
  /** Pairs of slots `[h, h ^ 1]`; allocated at the first use. */
  #slots: Array<string | undefined> | null = null;
  readonly #mask: number;

  /** @param bits - log2 of the slot count (the default, 2^15 slots, holds some 30 000 names well; 256 KiB) */
  constructor(bits = 15) {
    this.#mask = ((1 << bits) - 1) & ~1;
  }

  /**
   * The latin1 text of `src[start, end)`, which must be ASCII (what the
   * scanners mark as plain ASCII): the cached instance when it was decoded
   * before, else a new string, then cached.
   */
  ascii(src: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > MAX_CACHED_LENGTH) return src.toString('latin1', start, end);
    let h = length;
    for (let i = start; i < end; i++) h = Math.imul(h ^ (src[i] as number), 0x01000193);
    const slot = (h ^ (h >>> 15)) & this.#mask;
    const slots = (this.#slots ??= new Array<string | undefined>(this.#mask + 2));
    const first = slots[slot];
    if (first !== undefined && sameText(first, src, start, length)) return first;
    const second = slots[slot + 1];
    if (second !== undefined && sameText(second, src, start, length)) {
      // The newer name first: a name in use stays when a third one comes.
      slots[slot + 1] = first;
      slots[slot] = second;
      return second;
    }
    const fresh = src.toString('latin1', start, end);
    slots[slot + 1] = first;
    slots[slot] = fresh;
    return fresh;
  }
}

function sameText(s: string, src: Buffer, start: number, length: number): boolean {
  if (s.length !== length) return false;
  for (let k = 0; k < length; k++) if (s.charCodeAt(k) !== src[start + k]) return false;
  return true;
}
