/**
 * Errors of the remoting adapter, on the core's {@link NamesrvError} base.
 * @module
 */
import { NamesrvError } from '../core/errors.js';

/** Bytes on the wire are not a valid RocketMQ frame; the connection carrying them is closed. */
export class FrameDecodeError extends NamesrvError {
  declare readonly code: 'ERR_FRAME_DECODE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_FRAME_DECODE', options);
    this.name = 'FrameDecodeError';
  }
}

/** A frame is larger than `maxFrameBytes`; the connection carrying it is closed. */
export class FrameTooLargeError extends NamesrvError {
  declare readonly code: 'ERR_FRAME_TOO_LARGE';
  /** The frame's size, length field included. */
  readonly frameBytes: number;
  /** The limit it exceeded. */
  readonly maxFrameBytes: number;

  constructor(frameBytes: number, maxFrameBytes: number) {
    super(`frame of ${frameBytes} bytes exceeds maxFrameBytes (${maxFrameBytes})`, 'ERR_FRAME_TOO_LARGE');
    this.name = 'FrameTooLargeError';
    this.frameBytes = frameBytes;
    this.maxFrameBytes = maxFrameBytes;
  }
}

/** A request body (or header field) could not be decoded; answered with SYSTEM_ERROR. */
export class BodyDecodeError extends NamesrvError {
  declare readonly code: 'ERR_BODY_DECODE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_BODY_DECODE', options);
    this.name = 'BodyDecodeError';
  }
}

/** A {@link RemotingClient} request got no response in time. */
export class RemotingTimeoutError extends NamesrvError {
  declare readonly code: 'ERR_REMOTING_TIMEOUT';
  /** The request code that timed out. */
  readonly requestCode: number;
  /** How long the client waited. */
  readonly timeoutMillis: number;

  constructor(requestCode: number, timeoutMillis: number) {
    super(`request ${requestCode} got no response within ${timeoutMillis} ms`, 'ERR_REMOTING_TIMEOUT');
    this.name = 'RemotingTimeoutError';
    this.requestCode = requestCode;
    this.timeoutMillis = timeoutMillis;
  }
}

/** A {@link RemotingClient} connection is not open, failed or closed before the response came. */
export class RemotingConnectionError extends NamesrvError {
  declare readonly code: 'ERR_REMOTING_CONNECTION';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_REMOTING_CONNECTION', options);
    this.name = 'RemotingConnectionError';
  }
}
