/**
 * Memory for large frames, the ones assembled from several reads (a
 * REGISTER_BROKER of 10 000 topics is 1.6 MB). Two reasons not to allocate
 * each one fresh:
 * - brokers re-register every 30 s, and a fresh buffer per frame is external
 *   memory that outlives a young-generation GC: V8 answers that churn with
 *   old-space collections, which pause the event loop (and route requests)
 *   for several milliseconds each;
 * - the memory is shared (`SharedArrayBuffer`), so a decode pool's worker
 *   reads a body where it arrived instead of from a copy.
 *
 * A frame's memory is lent to it until its request is answered, then kept for
 * the next frame, up to a bound. Memory never given back (a connection that
 * closed mid-frame) is simply collected.
 * @internal
 * @module
 */

/**
 * The size of memory for a frame of `bytes`: rounded up to an eighth of its
 * power of two, so frames of similar sizes (one broker's registrations) fit
 * each other's memory, and a frame holds at most 1/8 more than its length
 * (which is what the memory budget counts).
 */
function capacityFor(bytes: number): number {
  const grain = 2 ** Math.max(12, Math.floor(Math.log2(Math.max(bytes, 1))) - 3);
  return Math.ceil(bytes / grain) * grain;
}

export class FrameMemory {
  readonly #maxKeptBytes: number;
  readonly #kept: SharedArrayBuffer[] = [];
  #keptBytes = 0;
  /** Memory lent to frames and not given back yet: only it is taken back, once. */
  readonly #lent = new WeakSet<SharedArrayBuffer>();

  /** @param maxKeptBytes - idle memory kept for later frames, at most. */
  constructor(maxKeptBytes: number) {
    this.#maxKeptBytes = maxKeptBytes;
  }

  /** Idle memory kept for later frames. */
  get keptBytes(): number {
    return this.#keptBytes;
  }

  /**
   * A buffer of `bytes` for one frame, in shared memory: the smallest kept
   * memory large enough and at most twice the size, else new memory.
   */
  take(bytes: number): Buffer {
    let best = -1;
    for (let k = 0; k < this.#kept.length; k++) {
      const size = (this.#kept[k] as SharedArrayBuffer).byteLength;
      if (size >= bytes && size <= 2 * bytes && (best < 0 || size < (this.#kept[best] as SharedArrayBuffer).byteLength)) best = k;
    }
    let memory: SharedArrayBuffer;
    if (best >= 0) {
      memory = this.#kept[best] as SharedArrayBuffer;
      this.#kept.splice(best, 1);
      this.#keptBytes -= memory.byteLength;
    } else {
      memory = new SharedArrayBuffer(capacityFor(bytes));
    }
    this.#lent.add(memory);
    return Buffer.from(memory, 0, bytes);
  }

  /**
   * The frame `view` points into is done with (its request was answered):
   * its memory serves a later frame. A view of other memory, or of memory
   * given back already, is ignored.
   */
  giveBack(view: Uint8Array): void {
    const memory = view.buffer;
    if (!(memory instanceof SharedArrayBuffer) || !this.#lent.delete(memory)) return;
    if (this.#keptBytes + memory.byteLength > this.#maxKeptBytes) return;
    this.#kept.push(memory);
    this.#keptBytes += memory.byteLength;
  }
}
