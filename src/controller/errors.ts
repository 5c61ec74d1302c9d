/**
 * The controller's typed errors, under the package's one base
 * {@link NamesrvError}.
 * @module
 */
import { NamesrvError } from '../core/errors.js';

/** This instance may not write: another controller leads (or none does yet). Nothing was committed. */
export class ControllerNotLeaderError extends NamesrvError {
  declare readonly code: 'ERR_CONTROLLER_NOT_LEADER';

  constructor(message = 'The controller is not in leader state', options?: { cause?: unknown }) {
    super(message, 'ERR_CONTROLLER_NOT_LEADER', options);
    this.name = 'ControllerNotLeaderError';
  }
}

/** The event log could not be read, written or reached; what was not acknowledged may not be committed. */
export class ControllerLogError extends NamesrvError {
  declare readonly code: 'ERR_CONTROLLER_LOG';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_CONTROLLER_LOG', options);
    this.name = 'ControllerLogError';
  }
}
