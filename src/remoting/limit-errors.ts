/**
 * Errors of the memory budget and of bounded inflation, on the core's
 * {@link NamesrvError} base.
 * @module
 */
import { NamesrvError } from '../core/errors.js';

/** A compressed body inflates past its cap; inflation stopped there and its memory was released. */
export class InflateLimitError extends NamesrvError {
  declare readonly code: 'ERR_INFLATE_LIMIT';
  /** The cap it reached. */
  readonly maxOutputBytes: number;

  constructor(maxOutputBytes: number) {
    super(`compressed body inflates past ${maxOutputBytes} bytes`, 'ERR_INFLATE_LIMIT');
    this.name = 'InflateLimitError';
    this.maxOutputBytes = maxOutputBytes;
  }
}

/** A compressed body is not a valid zlib stream. */
export class InflateDataError extends NamesrvError {
  declare readonly code: 'ERR_INFLATE_DATA';

  constructor(message: string, options?: { cause?: unknown }) {
    super(`compressed body cannot be inflated: ${message}`, 'ERR_INFLATE_DATA', options);
    this.name = 'InflateDataError';
  }
}

/** A {@link MemoryBudget} was misused (a bad size, or more released than held): a bug in the caller. */
export class MemoryBudgetError extends NamesrvError {
  declare readonly code: 'ERR_MEMORY_BUDGET';

  constructor(message: string) {
    super(message, 'ERR_MEMORY_BUDGET');
    this.name = 'MemoryBudgetError';
  }
}
