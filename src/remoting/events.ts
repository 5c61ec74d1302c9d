/**
 * Events of a {@link RemotingServer} (eventemitter3 object-map form).
 * @module
 */

/** Payload of `protocolError`: a connection sent bytes that are not frames (or failed the TLS checks: `TlsConnectionError`) and was closed. */
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
}
