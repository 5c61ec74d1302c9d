/**
 * The memory request bodies may hold while they arrive: a cap of the
 * adapter's own, and optionally a budget shared with other adapters (the
 * remoting server's), so a crowd of clients each sending a large body slowly
 * cannot hold more than the cap, nor push the process past the budget.
 * @module
 */

/**
 * What the HTTP adapter needs of a memory budget shared with others. The
 * remoting adapter's `MemoryBudget` (`RemotingServer.memoryBudget`) fits it,
 * so HTTP bodies and remoting frames are charged to one budget.
 */
export interface HttpMemoryBudget {
  /** Reserves `bytes` now if there is room; never waits. True when reserved. */
  tryReserve(bytes: number): boolean;
  /** Returns bytes reserved earlier. */
  release(bytes: number): void;
}

/**
 * Body bytes are reserved in steps of this size (or the declared length when
 * smaller), so a large body costs one reservation per 256 KiB received, not
 * one per socket read.
 */
export const BODY_RESERVATION_GRAIN_BYTES = 256 * 1024;

/** The adapter's cap on body bytes held at once, charging `shared` too. */
export class BodyMemory implements HttpMemoryBudget {
  readonly #limit: number;
  readonly #shared: HttpMemoryBudget | null;
  #held = 0;

  constructor(limitBytes: number, shared: HttpMemoryBudget | null) {
    this.#limit = limitBytes;
    this.#shared = shared;
  }

  /** Bytes held now by bodies being read. */
  get heldBytes(): number {
    return this.#held;
  }

  /** Reserves `bytes` under the cap and in the shared budget, or neither. */
  tryReserve(bytes: number): boolean {
    if (this.#held + bytes > this.#limit) return false;
    if (this.#shared !== null && !this.#shared.tryReserve(bytes)) return false;
    this.#held += bytes;
    return true;
  }

  /** Returns `bytes` to both. */
  release(bytes: number): void {
    if (bytes === 0) return;
    this.#held -= bytes;
    this.#shared?.release(bytes);
  }
}

/**
 * One body's reservation: grows with what has arrived, in grains, never past
 * `capBytes` (the declared length, or the body limit), and is released once.
 */
export class BodyReservation {
  readonly #memory: BodyMemory;
  readonly #capBytes: number;
  #reserved = 0;

  constructor(memory: BodyMemory, capBytes: number) {
    this.#memory = memory;
    this.#capBytes = capBytes;
  }

  /** Covers `receivedBytes` in all; false when the memory is exhausted (nothing more reserved then). */
  cover(receivedBytes: number): boolean {
    if (receivedBytes <= this.#reserved) return true;
    const grains = Math.ceil(receivedBytes / BODY_RESERVATION_GRAIN_BYTES) * BODY_RESERVATION_GRAIN_BYTES;
    const wanted = Math.max(receivedBytes, Math.min(grains, this.#capBytes));
    if (!this.#memory.tryReserve(wanted - this.#reserved)) return false;
    this.#reserved = wanted;
    return true;
  }

  /** Gives everything back; idempotent. */
  release(): void {
    const bytes = this.#reserved;
    this.#reserved = 0;
    this.#memory.release(bytes);
  }
}
