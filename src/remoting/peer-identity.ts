/**
 * Who is at the other end of a remoting connection, as far as the server can
 * tell: the socket's address, or the original client's when a trusted load
 * balancer said so in a PROXY header, and the client certificate of a mutual
 * TLS handshake. White lists, logs, events and the console read this.
 * @module
 */
import type { Socket } from 'node:net';
import type { ProxyTlv } from './proxy/proxy-header.js';

/** A client certificate presented in the TLS handshake. */
export interface ClientCertificate {
  /** True when it chains to a trusted CA (`tls.server.authClient` with `trustCertPath`). */
  readonly verified: boolean;
  /** The subject's common name, or '' when it has none. */
  readonly subjectCommonName: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex as Node prints it. */
  readonly fingerprint256: string;
}

/** The peer of one connection. */
export interface PeerIdentity {
  /** The client's IP: a PROXY header's source when one was honoured, otherwise the socket's; undefined once closed. */
  readonly address: string | undefined;
  readonly port: number | undefined;
  /** The load balancer's IP when a PROXY header was honoured (then the socket's address), otherwise null. */
  readonly proxiedBy: string | null;
  /** The PROXY v2 header's TLVs (empty without one, or for v1). */
  readonly proxyTlvs: readonly ProxyTlv[];
  /** The certificate the client presented over TLS; null without TLS or without a certificate. */
  readonly clientCertificate: ClientCertificate | null;
}

/** The socket's own peer, with nothing proxied and no certificate. */
export function socketPeer(socket: Socket): PeerIdentity {
  return { address: socket.remoteAddress, port: socket.remotePort, proxiedBy: null, proxyTlvs: [], clientCertificate: null };
}

/** `address:port` as logs and events print a peer. */
export function formatPeer(peer: PeerIdentity): string {
  return `${peer.address ?? '?'}:${peer.port ?? '?'}`;
}
