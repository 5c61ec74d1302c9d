/**
 * A budget of bytes the server holds at once: buffered frames and inflated
 * bodies. A reader reserves a frame's full length before buffering it and, when
 * the reservation cannot be had, stops reading its socket until room frees
 * (backpressure). Waiters are served in turn (a connection waits for one frame
 * at a time, so the turn goes round the waiting connections); a waiter that
 * fits may pass one that does not (a broker's 200 KiB registration need not wait
 * for room for someone's 16 MiB frame), but each waiter lets others pass it by
 * at most its own size in all, so a large frame is not starved by a stream of
 * small ones.
 *
 * Never a deadlock: only whole-frame reservations wait ({@link MemoryBudget.reserve}),
 * and the one waiting holds nothing it needs to release first; work already
 * admitted (inflating a body) charges its growth with
 * {@link MemoryBudget.forceReserve}, which never waits, so it always finishes
 * and releases. A reservation larger than the whole budget is admitted once
 * nothing else is held (rather than refused): a configuration with
 * `limitBytes < maxFrameBytes` still makes progress, one frame at a time.
 *
 * Optionally ({@link MemoryBudgetOptions.smallBytes}), small reservations
 * (every route request) form a class of their own: they never queue behind
 * large ones, and large ones together may use at most the limit minus
 * {@link MemoryBudgetOptions.headroomBytes}. So peers holding large frames
 * (say, sending 16 MiB frames very slowly) cannot stop small requests from
 * other peers. Each class is served in turn, as above.
 * @module
 */
import { InvalidOptionError } from '../core/errors.js';
import { MemoryBudgetError } from './limit-errors.js';

/** Options of a {@link MemoryBudget}. */
export interface MemoryBudgetOptions {
  /**
   * Bytes that may be held at once.
   * @default 268_435_456 (256 MiB)
   */
  readonly limitBytes?: number;
  /**
   * Reservations up to this size are small: they are granted whenever they fit
   * under the limit, ahead of waiting large ones. 0 makes every reservation large.
   * @default 0
   */
  readonly smallBytes?: number;
  /**
   * Bytes large reservations leave free for small ones (a large reservation is
   * granted only while the total stays at most `limitBytes - headroomBytes`,
   * or when nothing else is held).
   * @default 0
   */
  readonly headroomBytes?: number;
}

/** A snapshot for metrics. */
export interface MemoryBudgetStats {
  readonly limitBytes: number;
  /** Bytes reserved now. */
  readonly heldBytes: number;
  /** The most ever reserved at once. */
  readonly peakHeldBytes: number;
  /** Reservations waiting for room now. */
  readonly waiting: number;
  /** Bytes those waiters ask for. */
  readonly waitingBytes: number;
  /** Reservations that had to wait since the budget was created. */
  readonly totalWaits: number;
  /** Reservations larger than the limit, admitted alone. */
  readonly oversizeAdmissions: number;
}

/** The default of {@link MemoryBudgetOptions.limitBytes}: 256 MiB. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 256 * 1024 * 1024;

/** Waiters a release looks at, at most, for one that fits. */
const MAX_SCAN = 256;

interface Waiter {
  readonly bytes: number;
  readonly grant: () => void;
  /** Bytes granted to waiters behind this one while it did not fit: at most `bytes`. */
  passedBy: number;
}

/** Counts bytes held at once against a limit; see the module doc. */
export class MemoryBudget {
  readonly #limit: number;
  #held = 0;
  #peak = 0;
  #waitingBytes = 0;
  #totalWaits = 0;
  #oversize = 0;
  readonly #smallBytes: number;
  /** The most large reservations may hold together (unless alone). */
  readonly #largeLimit: number;
  // In turn per class; removal of an aborted waiter is O(n), fine for one waiter per connection.
  readonly #waiters: Waiter[] = [];
  readonly #smallWaiters: Waiter[] = [];

  /**
   * @throws {@link InvalidOptionError} when `limitBytes` is not a positive safe integer, or
   *   `smallBytes`/`headroomBytes` not non-negative integers with `headroomBytes < limitBytes`.
   */
  constructor(options: MemoryBudgetOptions = {}) {
    const limit = options.limitBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new InvalidOptionError('memory', `budget limitBytes must be a positive integer, got ${String(limit)}`);
    }
    const small = options.smallBytes ?? 0;
    const headroom = options.headroomBytes ?? 0;
    if (!Number.isSafeInteger(small) || small < 0) {
      throw new InvalidOptionError('smallBytes', `must be a non-negative integer, got ${String(small)}`);
    }
    if (!Number.isSafeInteger(headroom) || headroom < 0 || headroom >= limit) {
      throw new InvalidOptionError('headroomBytes', `must be a non-negative integer below limitBytes, got ${String(headroom)}`);
    }
    this.#limit = limit;
    this.#smallBytes = small;
    this.#largeLimit = limit - headroom;
  }

  /** The limit in bytes. */
  get limitBytes(): number {
    return this.#limit;
  }

  /** Bytes reserved now. */
  get heldBytes(): number {
    return this.#held;
  }

  /**
   * Reserves `bytes` now if there is room and nobody is waiting (waiters keep
   * their turn).
   * @returns true when reserved; the caller must {@link release} them later.
   */
  tryReserve(bytes: number): boolean {
    checkBytes(bytes);
    if (this.#queueOf(bytes).length > 0 || !this.#fits(bytes)) return false;
    this.#take(bytes);
    return true;
  }

  /**
   * Reserves `bytes`, waiting in line for room when needed.
   * @param signal - aborting it gives up the place in line (a connection closed);
   *   the promise then rejects with the signal's reason and nothing is reserved.
   */
  reserve(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.tryReserve(bytes)) return Promise.resolve();
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    this.#totalWaits++;
    return new Promise<void>((resolve, reject) => {
      const queue = this.#queueOf(bytes);
      const onAbort = (): void => {
        const i = queue.indexOf(waiter);
        if (i < 0) return;
        queue.splice(i, 1);
        this.#waitingBytes -= bytes;
        reject(signal?.reason);
        // The head may have been the one blocking others.
        this.#drain();
      };
      const waiter: Waiter = {
        bytes,
        passedBy: 0,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      queue.push(waiter);
      this.#waitingBytes += bytes;
      signal?.addEventListener('abort', onAbort, { once: true });
      // It may fit where the waiters ahead do not: it passes them now rather than at the next release.
      this.#drain();
    });
  }

  /**
   * Charges `bytes` at once, past the limit if need be, for work already
   * admitted that must finish (so never waits, and never deadlocks): waiters
   * and {@link tryReserve} see the budget full until it is released.
   */
  forceReserve(bytes: number): void {
    checkBytes(bytes);
    this.#take(bytes);
  }

  /**
   * Returns `bytes` to the budget and serves waiters that now fit, in order.
   * @throws {@link MemoryBudgetError} when more is released than is held.
   */
  release(bytes: number): void {
    checkBytes(bytes);
    if (bytes > this.#held) throw new MemoryBudgetError(`released ${bytes} bytes while only ${this.#held} are held`);
    this.#held -= bytes;
    this.#drain();
  }

  /** A snapshot for metrics. */
  stats(): MemoryBudgetStats {
    return {
      limitBytes: this.#limit,
      heldBytes: this.#held,
      peakHeldBytes: this.#peak,
      waiting: this.#waiters.length + this.#smallWaiters.length,
      waitingBytes: this.#waitingBytes,
      totalWaits: this.#totalWaits,
      oversizeAdmissions: this.#oversize,
    };
  }

  #isSmall(bytes: number): boolean {
    return bytes <= this.#smallBytes;
  }

  #queueOf(bytes: number): Waiter[] {
    return this.#isSmall(bytes) ? this.#smallWaiters : this.#waiters;
  }

  #fits(bytes: number): boolean {
    // Larger than everything: admitted alone, else it would wait forever.
    return this.#held + bytes <= (this.#isSmall(bytes) ? this.#limit : this.#largeLimit) || this.#held === 0;
  }

  #take(bytes: number): void {
    if (bytes > this.#limit) this.#oversize++;
    this.#held += bytes;
    if (this.#held > this.#peak) this.#peak = this.#held;
  }

  #drain(): void {
    // Small ones first: they are what keeps other peers served.
    this.#drainQueue(this.#smallWaiters);
    this.#drainQueue(this.#waiters);
  }

  #drainQueue(queue: Waiter[]): void {
    // Grants, in turn, every waiter that fits; one that does not is passed over only while the
    // bytes granted past it stay within its own size, then it blocks those behind it until it fits.
    // The scan stops at the budget's limit or after MAX_SCAN waiters: a release stays cheap.
    for (let i = 0; i < queue.length && i < MAX_SCAN && this.#held < this.#limit;) {
      const waiter = queue[i] as Waiter;
      if (!this.#fits(waiter.bytes)) {
        if (waiter.passedBy >= waiter.bytes) return;
        i++;
        continue;
      }
      queue.splice(i, 1);
      this.#waitingBytes -= waiter.bytes;
      this.#take(waiter.bytes);
      for (let k = 0; k < i; k++) (queue[k] as Waiter).passedBy += waiter.bytes;
      waiter.grant();
    }
  }
}

function checkBytes(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new MemoryBudgetError(`a reservation must be a non-negative integer of bytes, got ${String(bytes)}`);
}
