/**
 * What request handlers work with: the server-wide {@link RequestContext}
 * and the {@link Peer} a request came from.
 * @internal
 */
import type { Controller } from '../controller/controller.js';
import type { KvConfigStore } from '../core/kv-config.js';
import type { NamesrvConfiguration } from '../config/namesrv-config.js';
import type { RouteRegistry } from '../core/registry.js';
import type { DecodeRegisterBrokerBodyOptions, RegisterBrokerBody } from './codec/register-body.js';
import type { Reply } from './reply.js';
import type { RouteReplyCache } from './route-reply-cache.js';

/**
 * Decodes a REGISTER_BROKER body (JSON or zlib); by default
 * `decodeRegisterBrokerBody`. The topic table may come back as a plain
 * record or a `Map` (a decode pool's form): the registry takes both. A
 * non-zero `options.bodyCrc32` must be checked: a body whose checksum differs
 * is refused with `new BodyDecodeError('crc32 not match')` (answered with
 * RocketMQ's SYSTEM_ERROR "crc32 not match"); the server does not check it
 * again. `decodeRegisterBrokerBody` and `DecodePool.decode` do. The body is
 * valid until the returned promise settles: a large frame's memory then
 * serves the next one, so copy what must outlive the call.
 * @throws (rejects with) `BodyDecodeError` when the body cannot be decoded.
 */
export type RegisterBodyDecoder = (body: Buffer | null, options: DecodeRegisterBrokerBodyOptions) => Promise<RegisterBrokerBody>;

/** Server-wide state and settings the handlers read. */
export interface RequestContext {
  readonly registry: RouteRegistry;
  readonly kvConfig: KvConfigStore;
  /** Largest inflated REGISTER_BROKER body: a zip bomb must not exhaust memory. */
  readonly maxInflatedBytes: number;
  /** The server's override of the registry's `returnOrderTopicConfigToBroker`; null to follow the registry. */
  readonly returnOrderTopicConfigToBroker: boolean | null;
  readonly routeReplies: RouteReplyCache;
  /** Seam: how REGISTER_BROKER bodies are decoded (a worker pool may replace the default). */
  readonly decodeRegisterBody: RegisterBodyDecoder;
  /** What 319 prints and 318 changes. */
  readonly namesrvConfig: NamesrvConfiguration;
  /** The RocketMQ 5 controller served on this port (codes 1001–1013, 904 with a broker id), when enabled. */
  readonly controller?: Controller | null;
  /** Serve only the controller's codes (`--controller-only`, Java's `mqcontroller`). */
  readonly controllerOnly?: boolean;
  /** Whether the server is shutting down: the connections it closes then are not brokers failing. */
  readonly serverClosing?: () => boolean;
}

/** The connection a request came on, as handlers see it. */
export interface Peer {
  /** The registry's channel for brokers registered on this connection (its socket). */
  readonly channel: object;
  /** `ip:port` of the other end. */
  readonly remoteAddress: string;
  /** Aborted once the connection closed: work for its answers may stop. */
  readonly signal: AbortSignal;
}

/**
 * A handler's answer in two steps, for requests a connection must apply in
 * arrival order (REGISTER_BROKER): `decoded` runs concurrently with other
 * requests; the connection calls `apply` with its value once every earlier
 * ordered request of the connection was applied (and not at all once the
 * connection closed), so a broker's newer topic table is never overwritten
 * by an older one. Built with {@link inOrder}.
 */
export class Ordered {
  readonly decoded: Promise<unknown>;
  readonly apply: (value: unknown) => Reply;

  private constructor(decoded: Promise<unknown>, apply: (value: unknown) => Reply) {
    this.decoded = decoded;
    this.apply = apply;
  }

  /** @internal see {@link inOrder}. */
  static of<T>(decoded: Promise<T>, apply: (value: T) => Reply): Ordered {
    // `apply` only ever receives what `decoded` resolved to.
    return new Ordered(decoded, apply as (value: unknown) => Reply);
  }
}

/** `apply(await decoded)`, in the connection's arrival order; see {@link Ordered}. */
export function inOrder<T>(decoded: Promise<T>, apply: (value: T) => Reply): Ordered {
  return Ordered.of(decoded, apply);
}
