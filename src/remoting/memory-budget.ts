/**
 * A budget of bytes the server holds at once: buffered frames and inflated
 * bodies. A reader reserves a frame's full length before buffering it and, when
 * the reservation cannot be had, stops reading its socket until room frees
 * (backpressure). Waiters are served in turn, in the order they came: a
 * connection waits for one frame at a time and, once served, lines up again
 * behind every other waiting connection, so the turn goes round the waiting
 * connections (round robin; no peer's backlog sits in front of another's
 * frame). A large frame is not starved by a stream of small ones: nobody
 * passes a waiter.
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

interface Waiter {
  readonly bytes: number;
  readonly grant: () => void;
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
  // In turn per class (one waiter per connection); removal of an aborted waiter is O(n), fine for one waiter per connection.
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
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      queue.push(waiter);
      this.#waitingBytes += bytes;
      signal?.addEventListener('abort', onAbort, { once: true });
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
    for (;;) {
      const head = queue[0];
      if (head === undefined || !this.#fits(head.bytes)) return;
      queue.shift();
      this.#waitingBytes -= head.bytes;
      this.#take(head.bytes);
      head.grant();
    }
  }
}

function checkBytes(bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new MemoryBudgetError(`a reservation must be a non-negative integer of bytes, got ${String(bytes)}`);
}
