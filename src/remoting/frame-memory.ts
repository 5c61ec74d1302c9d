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

/** Kept buffers are whole multiples of this, so frames of similar sizes reuse each other's. */
const GRAIN_BYTES = 256 * 1024;

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

  /** A buffer of `bytes` for one frame, in shared memory: kept memory when some is large enough. */
  take(bytes: number): Buffer {
    let memory: SharedArrayBuffer | undefined;
    for (let k = this.#kept.length - 1; k >= 0; k--) {
      const kept = this.#kept[k] as SharedArrayBuffer;
      if (kept.byteLength < bytes) continue;
      this.#kept.splice(k, 1);
      this.#keptBytes -= kept.byteLength;
      memory = kept;
      break;
    }
    memory ??= new SharedArrayBuffer(Math.ceil(Math.max(bytes, 1) / GRAIN_BYTES) * GRAIN_BYTES);
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
