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

/**
 * TLS on the remoting port cannot be set up: an invalid TLS setting, or a
 * certificate or key that cannot be read or used. Thrown when the server is
 * built, before it listens.
 */
export class TlsConfigError extends NamesrvError {
  declare readonly code: 'ERR_TLS_CONFIG';
  /** The setting at fault: an option name (`certPath`) or a property key (`tls.server.certPath`). */
  readonly option: string;
  /** The file involved, if any. */
  readonly path: string | null;

  constructor(option: string, message: string, options?: { path?: string; cause?: unknown }) {
    super(`TLS ${option}: ${message}`, 'ERR_TLS_CONFIG', options);
    this.name = 'TlsConfigError';
    this.option = option;
    this.path = options?.path ?? null;
  }
}

/**
 * Why the TLS layer closed a connection: plaintext on an enforcing port, a
 * failed handshake, or a client certificate missing (`require`) or not
 * verified (`tls.server.authClient`).
 */
export type TlsRefusalReason = 'plaintext-refused' | 'handshake-failed' | 'client-certificate';

/**
 * The remoting port's TLS layer closed a connection: a plaintext frame on an
 * `enforcing` port, or a failed TLS handshake. Reported through the server's
 * `protocolError` event; other connections are not affected.
 */
export class TlsConnectionError extends NamesrvError {
  declare readonly code: 'ERR_TLS_CONNECTION';
  /** Why the connection was closed. */
  readonly reason: TlsRefusalReason;

  constructor(reason: TlsRefusalReason, message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_TLS_CONNECTION', options);
    this.name = 'TlsConnectionError';
    this.reason = reason;
  }
}

/**
 * A connection's PROXY protocol header was malformed, or came from a peer
 * not listed in `trustedProxies` while an access file is in force. The
 * connection was closed; reported through the server's `protocolError` event.
 */
export class ProxyProtocolError extends NamesrvError {
  declare readonly code: 'ERR_PROXY_PROTOCOL';
  /** Why the connection was closed. */
  readonly reason: 'malformed' | 'untrusted';

  constructor(reason: 'malformed' | 'untrusted', message: string) {
    super(message, 'ERR_PROXY_PROTOCOL');
    this.name = 'ProxyProtocolError';
    this.reason = reason;
  }
}

/**
 * A request's body is over the cap of its request code (`maxSmallBodyBytes`:
 * every code but REGISTER_BROKER carries a small body by nature). It was
 * answered with SYSTEM_ERROR without being read, and its connection closed.
 */
export class BodyTooLargeError extends NamesrvError {
  declare readonly code: 'ERR_BODY_TOO_LARGE';
  readonly requestCode: number;
  readonly bodyBytes: number;
  readonly maxBodyBytes: number;

  constructor(requestCode: number, bodyBytes: number, maxBodyBytes: number) {
    super(`request code ${requestCode} carries a body of ${bodyBytes} bytes, over maxSmallBodyBytes (${maxBodyBytes})`, 'ERR_BODY_TOO_LARGE');
    this.name = 'BodyTooLargeError';
    this.requestCode = requestCode;
    this.bodyBytes = bodyBytes;
    this.maxBodyBytes = maxBodyBytes;
  }
}

/**
 * A frame arrived too slowly (below `minFrameBytesPerSecond`) or did not
 * complete within `frameDeadlineMillis` of being admitted: its connection was
 * closed and its memory reservation freed.
 */
export class SlowFrameError extends NamesrvError {
  declare readonly code: 'ERR_SLOW_FRAME';

  constructor(message: string) {
    super(message, 'ERR_SLOW_FRAME');
    this.name = 'SlowFrameError';
  }
}
