/**
 * Errors of the access control modules, on the core's {@link NamesrvError} base.
 * @module
 */
import { NamesrvError } from '../../core/errors.js';

/** An access file is unreadable or invalid; nothing was applied. */
export class AccessPolicyError extends NamesrvError {
  declare readonly code: 'ERR_ACCESS_POLICY';
  /** Path of the offending field (e.g. `accounts[1].secretKey`), or `''` for the file as a whole. */
  readonly field: string;
  /** The file (or `'<inline>'` for parsed text) the error comes from. */
  readonly source: string;

  constructor(source: string, field: string, message: string, options?: { cause?: unknown }) {
    super(`invalid access file ${source}: ${field === '' ? '' : `${field} `}${message}`, 'ERR_ACCESS_POLICY', options);
    this.name = 'AccessPolicyError';
    this.field = field;
    this.source = source;
  }
}
