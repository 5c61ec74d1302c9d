/**
 * Per-connection TLS detection on the remoting port, as RocketMQ's
 * `TlsModeHandler`: the first byte of a connection tells a TLS handshake
 * (0x16, a handshake record) from a plaintext frame (the high byte of its
 * length, 0 below 16 MiB). No RocketMQ frame under 352 MiB starts with 0x16.
 * @module
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { TlsConnectionError } from '../errors.js';
import type { ResolvedTlsOptions } from './config.js';

/** TLS record type of a handshake: the first byte a TLS client sends. */
const TLS_HANDSHAKE = 0x16;

/** Payload of the acceptor's error callback: the server's `protocolError` event. */
export interface TlsRefusal {
  readonly remoteAddress: string;
  readonly error: TlsConnectionError;
}

/** Callbacks and limits of a {@link TlsAcceptor}. */
export interface TlsAcceptorOptions {
  /**
   * A connection that sends nothing (or does not finish its handshake) for
   * this long is closed; 0 disables it. The server's idle timeout.
   */
  readonly idleTimeoutMillis: number;
  /** Gets each connection ready to serve: the accepted socket itself, or a `TLSSocket` after its handshake. */
  readonly onSocket: (socket: Socket) => void;
  /** A connection was closed by the TLS layer; others carry on. */
  readonly onRefused: (refusal: TlsRefusal) => void;
}

/**
 * Decides per accepted connection whether it speaks TLS, and holds it until
 * it is ready to serve. Reads at most the first chunk before deciding, and
 * puts it back for whoever reads next.
 */
export class TlsAcceptor {
  readonly #tls: ResolvedTlsOptions;
  readonly #options: TlsAcceptorOptions;
  /** Connections not yet handed over: still silent, or in their handshake. */
  readonly #pending = new Map<Socket, TLSSocket | null>();

  constructor(tls: ResolvedTlsOptions, options: TlsAcceptorOptions) {
    this.#tls = tls;
    this.#options = options;
  }

  /** Connections still being sniffed or in their handshake. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Takes an accepted connection; `disabled` hands it over at once, unread. */
  accept(socket: Socket): void {
    if (this.#tls.mode === 'disabled' || this.#tls.secureContext === null) {
      this.#options.onSocket(socket);
      return;
    }
    const remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#pending.set(socket, null);
    // 'close' always follows an error; the error itself is the peer's business. Kept for good: once a
    // TLS layer wraps the socket, nobody else listens to it.
    socket.on('error', () => {});
    const onTimeout = (): void => {
      this.#pending.get(socket)?.destroy();
      socket.destroy();
    };
    const onClose = (): void => {
      this.#pending.delete(socket);
    };
    socket.once('close', onClose);
    if (this.#options.idleTimeoutMillis > 0) {
      socket.setTimeout(this.#options.idleTimeoutMillis);
      socket.on('timeout', onTimeout);
    }
    const release = (): void => {
      this.#pending.delete(socket);
      socket.off('close', onClose);
      socket.off('timeout', onTimeout);
      socket.setTimeout(0);
    };
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      if (chunk[0] === TLS_HANDSHAKE) {
        this.#pending.set(socket, this.#handshake(socket, remoteAddress, release));
      } else if (this.#tls.mode === 'enforcing') {
        this.#options.onRefused({
          remoteAddress,
          error: new TlsConnectionError('plaintext-refused', `plaintext connection from ${remoteAddress} refused: TLS is enforced`),
        });
        socket.destroy();
      } else {
        release();
        this.#options.onSocket(socket);
        // Paused above to put the chunk back; the new owner's 'data' listener gets it now.
        socket.resume();
      }
    });
  }

  /** Closes every connection not yet handed over (the server is closing). */
  close(): void {
    for (const [socket, secure] of this.#pending) {
      secure?.destroy();
      socket.destroy();
    }
    this.#pending.clear();
  }

  #handshake(socket: Socket, remoteAddress: string, release: () => void): TLSSocket {
    // The TLS layer takes the first chunk back from the socket's buffer (Node's initRead).
    const secure = new TLSSocket(socket, { isServer: true, secureContext: this.#tls.secureContext as NonNullable<ResolvedTlsOptions['secureContext']> });
    const onError = (err: Error): void => {
      this.#options.onRefused({
        remoteAddress,
        error: new TlsConnectionError('handshake-failed', `TLS handshake with ${remoteAddress} failed: ${err.message}`, { cause: err }),
      });
      secure.destroy();
      socket.destroy();
    };
    secure.once('error', onError);
    // Until the handshake is done the raw socket's timeout bounds it; then the new owner's idle timeout takes over.
    secure.once('secure', () => {
      release();
      secure.off('error', onError);
      this.#options.onSocket(secure);
    });
    return secure;
  }
}
