/**
 * Errors of the memory budget, on the core's {@link NamesrvError} base.
 * @module
 */
import { NamesrvError } from '../core/errors.js';

/** A {@link MemoryBudget} was misused (a bad size, or more released than held): a bug in the caller. */
export class MemoryBudgetError extends NamesrvError {
  declare readonly code: 'ERR_MEMORY_BUDGET';

  constructor(message: string) {
    super(message, 'ERR_MEMORY_BUDGET');
    this.name = 'MemoryBudgetError';
  }
}
