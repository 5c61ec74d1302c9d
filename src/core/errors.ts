/**
 * Typed errors: a base class with a stable `code`, one subclass per failure.
 * @module
 */

/** Base class of every error this package throws on purpose. */
export class NamesrvError extends Error {
  /** Stable, machine-readable identifier. */
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NamesrvError';
    this.code = code;
  }
}

/** A request was malformed; nothing was changed. */
export class InvalidRequestError extends NamesrvError {
  declare readonly code: 'ERR_INVALID_REQUEST';
  /** Path of the offending field, e.g. `topicConfigWrapper.topicConfigTable.t1.perm`. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`invalid request: ${field} ${message}`, 'ERR_INVALID_REQUEST', options);
    this.name = 'InvalidRequestError';
    this.field = field;
  }
}

/** An option given to a constructor was out of range or of the wrong type. */
export class InvalidOptionError extends TypeError {
  /** Stable, machine-readable identifier. */
  readonly code = 'ERR_INVALID_OPTION' as const;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidOptionError';
  }
}
