/**
 * Events of a {@link RemotingServer} (eventemitter3 object-map form).
 * @module
 */

/**
 * Payload of `protocolError`: a connection sent bytes that are not frames (or failed the TLS checks: `TlsConnectionError`;
 * sent a frame too slowly: `SlowFrameError`; a body over its request code's cap: `BodyTooLargeError`) and was closed.
 */
export interface ProtocolErrorEvent {
  readonly remoteAddress: string;
  readonly error: Error;
}

/** Payload of `requestError`: a request failed and was answered with SYSTEM_ERROR. */
export interface RequestErrorEvent {
  readonly remoteAddress: string;
  /** The request code. */
  readonly code: number;
  readonly error: Error;
}

/**
 * Payload of `notifyError`: a NOTIFY_MIN_BROKER_ID_CHANGE (905) could not be
 * sent to a broker (unreachable, connection lost). Nothing retries it, as in RocketMQ.
 */
export interface NotifyErrorEvent {
  /** The broker address it was for. */
  readonly brokerAddr: string;
  readonly error: Error;
}

/** Events of a {@link RemotingServer} (eventemitter3 object-map form). */
export interface RemotingServerEvents {
  /** A connection was accepted. */
  connect: (event: { readonly remoteAddress: string }) => void;
  /** A connection closed (by either side, an error or the idle timeout); its brokers were dropped. */
  disconnect: (event: { readonly remoteAddress: string }) => void;
  protocolError: (event: ProtocolErrorEvent) => void;
  requestError: (event: RequestErrorEvent) => void;
  /** The listening socket failed after `listen()` resolved. */
  error: (error: Error) => void;
  /** A one-way NOTIFY_MIN_BROKER_ID_CHANGE to a broker failed (see the registry's `notifyMinBrokerIdChanged`). */
  notifyError: (event: NotifyErrorEvent) => void;
}
