/**
 * What happens to an accepted connection before its first frame, in the order
 * of RocketMQ's `NettyRemotingServer` pipeline (`HandshakeHandler`, then
 * `TlsModeHandler`):
 * 1. a PROXY protocol header (v1 or v2) at the very start is read and, when
 *    its sender may send one, stands for the peer's address from then on;
 * 2. the next byte tells a TLS handshake (0x16) from a plaintext frame (the
 *    high byte of its length, 0 below 16 MiB), as the TLS mode allows;
 * 3. a TLS client's certificate is asked for and checked as
 *    `tls.server.need.client.auth` and `tls.server.authClient` say.
 * The connection is then handed over with its {@link PeerIdentity}. Bytes
 * read while deciding are put back for the next reader.
 * @module
 */
import type { Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { matchesAny } from './access/address.js';
import type { AddressRange } from './access/address.js';
import { ProxyProtocolError, TlsConnectionError } from './errors.js';
import { formatPeer as describe, socketPeer, type ClientCertificate, type PeerIdentity } from './peer-identity.js';
import { readProxyHeader, type ProxyHeader } from './proxy/proxy-header.js';
import type { ResolvedTlsOptions } from './tls/config.js';

/** TLS record type of a handshake: the first byte a TLS client sends. */
const TLS_HANDSHAKE = 0x16;

/** Payload of the acceptor's refusal callback: the server's `protocolError` event. */
export interface HandshakeRefusal {
  readonly remoteAddress: string;
  readonly error: TlsConnectionError | ProxyProtocolError;
}

/** Callbacks and settings of a {@link HandshakeAcceptor}. */
export interface HandshakeAcceptorOptions {
  /** A connection that sends nothing (or does not finish its handshake) for this long is closed; 0 disables it. */
  readonly idleTimeoutMillis: number;
  /**
   * Who may send a PROXY header: null honours one from anyone (RocketMQ's
   * behaviour). See {@link HandshakeAcceptorOptions.refuseUntrustedProxy}.
   */
  readonly trustedProxies: readonly AddressRange[] | null;
  /**
   * True when a PROXY header from a peer outside `trustedProxies` closes the
   * connection (an access file is in force: a forged source would pass its
   * white lists); false honours it, as RocketMQ does.
   */
  readonly refuseUntrustedProxy: boolean;
  /** Gets each connection ready to serve: the accepted socket, or a `TLSSocket` after its handshake. */
  readonly onSocket: (socket: Socket, peer: PeerIdentity) => void;
  /** A connection was closed before it was handed over; others carry on. */
  readonly onRefused: (refusal: HandshakeRefusal) => void;
}

/** A connection not yet handed over, and what is known of it so far. */
interface Pending {
  /** Bytes read and not yet decided on. */
  buffered: Buffer;
  /** The PROXY step is behind it. */
  proxyDone: boolean;
  peer: PeerIdentity;
  /** The TLS layer once its handshake began. */
  secure: TLSSocket | null;
  /** Stops watching the socket for close and idleness: it is handed over. */
  release: () => void;
}

/** A connection in its TLS handshake. */
interface Handshaking {
  readonly socket: Socket;
  readonly state: Pending;
}

/** Decides, per accepted connection, its PROXY header and TLS, and holds it until it is ready to serve. */
export class HandshakeAcceptor {
  readonly #tls: ResolvedTlsOptions;
  readonly #options: HandshakeAcceptorOptions;
  readonly #pending = new Map<Socket, Pending>();
  /** Connections in their TLS handshake, by `address:port` (what the TLS socket and the raw one share). */
  readonly #handshaking = new Map<string, Handshaking>();
  /** Runs the handshakes; made at the first TLS connection. */
  #server: TlsServer | null = null;

  constructor(tls: ResolvedTlsOptions, options: HandshakeAcceptorOptions) {
    this.#tls = tls;
    this.#options = options;
  }

  /** Connections still being read or in their TLS handshake. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Takes an accepted connection. */
  accept(socket: Socket): void {
    const state: Pending = { buffered: EMPTY, proxyDone: false, peer: socketPeer(socket), secure: null, release: () => undefined };
    this.#pending.set(socket, state);
    // 'close' always follows an error; the error itself is the peer's business. Kept for good: once a
    // TLS layer wraps the socket, nobody else listens to it.
    socket.on('error', () => {});
    const onClose = (): void => {
      this.#pending.delete(socket);
    };
    const onTimeout = (): void => {
      state.secure?.destroy();
      socket.destroy();
    };
    const onData = (chunk: Buffer): void => {
      state.buffered = state.buffered.length === 0 ? chunk : Buffer.concat([state.buffered, chunk]);
      if (this.#decide(socket, state)) socket.off('data', onData);
    };
    state.release = (): void => {
      this.#pending.delete(socket);
      socket.off('close', onClose);
      socket.off('timeout', onTimeout);
      socket.setTimeout(0);
    };
    socket.once('close', onClose);
    if (this.#options.idleTimeoutMillis > 0) {
      socket.setTimeout(this.#options.idleTimeoutMillis);
      socket.on('timeout', onTimeout);
    }
    socket.on('data', onData);
  }

  /** Closes every connection not yet handed over (the server is closing). */
  close(): void {
    for (const [socket, state] of this.#pending) {
      state.secure?.destroy();
      socket.destroy();
    }
    this.#pending.clear();
  }

  /**
   * Takes the next decision the buffered bytes allow; true once this step no
   * longer reads the socket (handed over, in a TLS handshake, or closed).
   */
  #decide(socket: Socket, state: Pending): boolean {
    if (!state.proxyDone) {
      if (!this.#readProxy(socket, state)) return socket.destroyed;
      if (state.buffered.length === 0 && this.#tls.secureContext !== null) return false; // the TLS byte is still to come
    }
    socket.pause();
    if (state.buffered.length > 0) socket.unshift(state.buffered);
    const first = state.buffered[0];
    state.buffered = EMPTY;
    if (this.#tls.secureContext !== null && first === TLS_HANDSHAKE) {
      this.#handshake(socket, state);
      return true;
    }
    if (this.#tls.mode === 'enforcing') {
      this.#refuse(socket, state.peer, new TlsConnectionError('plaintext-refused', `plaintext connection from ${describe(state.peer)} refused: TLS is enforced`));
      return true;
    }
    state.release();
    this.#options.onSocket(socket, state.peer);
    // Paused above to put the bytes back; the new owner's 'data' listener gets them now.
    socket.resume();
    return true;
  }

  /**
   * The PROXY step: false while more bytes are needed or the connection was
   * closed; true once decided, with the header's bytes consumed.
   */
  #readProxy(socket: Socket, state: Pending): boolean {
    const read = readProxyHeader(state.buffered);
    if (read.status === 'more') return false;
    state.proxyDone = true;
    if (read.status === 'absent') return true;
    if (read.status === 'invalid') {
      this.#refuse(socket, state.peer, new ProxyProtocolError('malformed', `PROXY header from ${describe(state.peer)} refused: ${read.reason}`));
      return false;
    }
    if (!this.#mayProxy(state.peer)) {
      this.#refuse(socket, state.peer, new ProxyProtocolError('untrusted', `PROXY header from ${describe(state.peer)} refused: not a trusted proxy`));
      return false;
    }
    state.peer = proxiedPeer(state.peer, read.header);
    state.buffered = state.buffered.subarray(read.headerBytes);
    return true;
  }

  /** Whether the socket's own peer may speak for another address. */
  #mayProxy(peer: PeerIdentity): boolean {
    const trusted = this.#options.trustedProxies;
    if (trusted !== null && matchesAny(trusted, peer.address)) return true;
    return !this.#options.refuseUntrustedProxy;
  }

  #refuse(socket: Socket, peer: PeerIdentity, error: TlsConnectionError | ProxyProtocolError): void {
    this.#options.onRefused({ remoteAddress: describe(peer), error });
    this.#pending.get(socket)?.secure?.destroy();
    socket.destroy();
  }

  /**
   * Hands the socket to the TLS server for its handshake. Node verifies a
   * client certificate (and sets `authorized`) only for sockets a `tls.Server`
   * accepted, so a never-listening one takes them; its events find the
   * connection by the remote address and port the TLS socket shares with it.
   */
  #handshake(socket: Socket, state: Pending): void {
    const key = connectionKey(socket);
    if (key === null) {
      socket.destroy();
      return;
    }
    this.#handshaking.set(key, { socket, state });
    socket.once('close', () => this.#handshaking.delete(key));
    // The TLS layer takes the bytes put back from the socket's buffer (Node's initRead).
    this.#tlsServer().emit('connection', socket);
  }

  #tlsServer(): TlsServer {
    if (this.#server !== null) return this.#server;
    const tls = this.#tls;
    const server = createTlsServer({
      ...tls.contextOptions,
      requestCert: tls.clientAuth !== 'none',
      // A missing certificate where one is required fails the handshake itself; a bad one is judged on 'secureConnection'.
      rejectUnauthorized: false,
    });
    server.on('tlsClientError', (err: Error, secure: TLSSocket) => {
      const entry = this.#takeHandshake(secure);
      if (entry === null) return;
      const refusal = new TlsConnectionError('handshake-failed', `TLS handshake with ${describe(entry.state.peer)} failed: ${err.message}`, { cause: err });
      this.#refuse(entry.socket, entry.state.peer, refusal);
    });
    server.on('secureConnection', (secure: TLSSocket) => this.#secured(secure));
    this.#server = server;
    return server;
  }

  /** The handshake of a connection is over: hand it over, or refuse its certificate. */
  #secured(secure: TLSSocket): void {
    const entry = this.#takeHandshake(secure);
    if (entry === null) {
      secure.destroy();
      return;
    }
    const { socket, state } = entry;
    state.secure = secure;
    const certificate = clientCertificateOf(secure);
    const problem = this.#certificateProblem(certificate);
    if (problem !== null) {
      this.#refuse(socket, state.peer, new TlsConnectionError('client-certificate', `TLS client ${describe(state.peer)} refused: ${problem}`));
      return;
    }
    // Until now the raw socket's timeout bounded the handshake; the new owner's idle timeout takes over.
    state.release();
    secure.on('error', () => {});
    this.#options.onSocket(secure, { ...state.peer, clientCertificate: certificate });
  }

  #takeHandshake(secure: TLSSocket): Handshaking | null {
    const key = connectionKey(secure);
    const entry = key === null ? undefined : this.#handshaking.get(key);
    if (key === null || entry === undefined) return null;
    this.#handshaking.delete(key);
    return entry;
  }

  /** Why a handshake's client certificate is not acceptable, as Java's `ClientAuth` and trust manager decide; null when it is. */
  #certificateProblem(certificate: ClientCertificate | null): string | null {
    const { clientAuth, authClient } = this.#tls;
    if (certificate === null) return clientAuth === 'require' ? 'a client certificate is required' : null;
    // Java's trust manager fails the handshake for a certificate it cannot verify, even when one is optional.
    if (authClient && !certificate.verified) return 'its certificate is not signed by a trusted CA';
    return null;
  }
}

const EMPTY = Buffer.alloc(0);

/** What tells one live connection from another on this port. */
function connectionKey(socket: Socket): string | null {
  const { remoteAddress, remotePort } = socket;
  return remoteAddress === undefined || remotePort === undefined ? null : `${remoteAddress}|${remotePort}`;
}

/** The peer a honoured PROXY header names; a LOCAL header (a health check) keeps the socket's address. */
function proxiedPeer(socketSide: PeerIdentity, header: ProxyHeader): PeerIdentity {
  if (header.command === 'local' || header.source === null) return { ...socketSide, proxyTlvs: header.tlvs };
  return {
    address: header.source.address, port: header.source.port, proxiedBy: socketSide.address ?? null,
    proxyTlvs: header.tlvs, clientCertificate: null,
  };
}

function clientCertificateOf(secure: TLSSocket): ClientCertificate | null {
  const cert = secure.getPeerCertificate();
  // Node answers an empty object when the client sent no certificate.
  if (cert === null || typeof cert !== 'object' || cert.raw === undefined) return null;
  const cn = cert.subject?.CN;
  return {
    verified: secure.authorized,
    subjectCommonName: Array.isArray(cn) ? (cn[0] ?? '') : (cn ?? ''),
    fingerprint256: cert.fingerprint256 ?? '',
  };
}
