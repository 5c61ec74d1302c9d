/**
 * The TCP server speaking RocketMQ's remoting protocol in front of a
 * {@link RouteRegistry}: RocketMQ's `NettyRemotingServer` plus
 * `BrokerHousekeepingService`.
 * @module
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import { InvalidOptionError } from '../core/errors.js';
import { KvConfigStore } from '../core/kv-config.js';
import type { RouteRegistry } from '../core/registry.js';
import type { NamesrvConfiguration } from '../config/namesrv-config.js';
import type { MinBrokerIdChangedEvent } from '../core/types.js';
import type { AccessControl } from './access/access-control.js';
import { BrokerNotifier } from './broker-notifier.js';
import { RequestCode, ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import { FrameMemory } from './frame-memory.js';
import { Connection, PendingRequests, SpareBuffers, type AccessCheck, type ConnectionContext } from './connection.js';
import type { RemotingServerEvents } from './events.js';
import { resolveRemotingServerOptions, type RemotingServerOptions, type ResolvedRemotingServerOptions } from './options.js';
import { MemoryBudget, type MemoryBudgetStats } from './memory-budget.js';
import { DecodePool, type DecodePoolStats } from './decode/decode-pool.js';
import type { RegisterBodyDecoder } from './request-context.js';
import type { Reply } from './reply.js';
import { RouteReplyCache } from './route-reply-cache.js';
import { RoleChangeNotifier } from './role-change-notifier.js';
import { advertisedAddress } from './controller-address.js';
import { SlowFrameWatch } from './slow-frames.js';
import { defaultNamesrvConfiguration } from './server-config.js';

export type { NotifyErrorEvent, ProtocolErrorEvent, RemotingServerEvents, RequestErrorEvent } from './events.js';
import { HandshakeAcceptor } from './handshake.js';
import type { PeerIdentity } from './peer-identity.js';

/** Frames up to this size are small for the memory budget (see {@link MemoryBudget}). */
const SMALL_FRAME_BYTES = 64 * 1024;

/** How close() waits for a connection to take its last answers. */
const CLOSE_GRACE_MILLIS = 1_000;

/**
 * Serves a {@link RouteRegistry} over RocketMQ's remoting protocol, so Java,
 * Go, C++ and Node RocketMQ brokers and clients can use it as their name server.
 *
 * A connection that closes, fails or stays idle (`idleTimeoutMillis`) has
 * its brokers dropped through `registry.onChannelDestroy(socket)`; the
 * registration's channel is the `net.Socket` it came on.
 *
 * @example
 * ```ts
 * const server = new RemotingServer(new RouteRegistry(), { port: 9876 });
 * await server.listen();
 * // ...
 * await server.close();
 * ```
 */
export class RemotingServer extends EventEmitter<RemotingServerEvents> {
  readonly #options: ResolvedRemotingServerOptions;
  readonly #ctx: ConnectionContext;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #listening = false;
  #closing: Promise<void> | null = null;
  /** Holds each new connection until its first byte says TLS or plaintext. */
  readonly #acceptor: HandshakeAcceptor;
  readonly #registry: RouteRegistry;
  /** Sends the registry's NOTIFY_MIN_BROKER_ID_CHANGE notices to brokers while listening. */
  readonly #notifier = new BrokerNotifier(this);
  readonly #onMinBrokerIdChanged = (event: MinBrokerIdChangedEvent): void => this.#notifier.notify(event);
  /** Sends the controller's NOTIFY_BROKER_ROLE_CHANGED notices while listening (with a controller only). */
  readonly #roleNotifier: RoleChangeNotifier | null;
  /** Decodes REGISTER_BROKER bodies off the event loop, unless the options bring their own decoder. */
  readonly #decodePool: DecodePool | null;

  /**
   * @param registry - the registry to serve.
   * @param options - see {@link RemotingServerOptions}.
   * @throws {@link InvalidOptionError} when an option is invalid.
   */
  constructor(registry: RouteRegistry, options: RemotingServerOptions = {}) {
    super();
    if (typeof registry !== 'object' || registry === null || typeof registry.getRouteInfoByTopic !== 'function') {
      throw new InvalidOptionError('registry', 'must be a RouteRegistry');
    }
    this.#options = resolveRemotingServerOptions(options);
    this.#registry = registry;
    const o = this.#options;
    // One KV store, as RocketMQ has one KVConfigManager: routes read ORDER_TOPIC_CONFIG from the registry's.
    if (o.kvConfig !== null && registry.options.kvConfig !== null && o.kvConfig !== registry.options.kvConfig) {
      throw new InvalidOptionError('options.kvConfig', "must be the registry's own kvConfig when the registry has one");
    }
    // Route requests are small: they never queue behind large frames, which leave them 1/16 of the budget.
    const budget = new MemoryBudget({
      limitBytes: o.memoryBudgetBytes, smallBytes: SMALL_FRAME_BYTES, headroomBytes: Math.floor(o.memoryBudgetBytes / 16),
    });
    this.#decodePool = o.decodeRegisterBody === null
      ? new DecodePool({ size: o.decodeWorkers, maxTopics: o.maxTopicsPerRegistration, budget })
      : null;
    this.#ctx = {
      requests: {
        registry,
        kvConfig: o.kvConfig ?? registry.options.kvConfig ?? new KvConfigStore(),
        // A zip bomb must not exhaust memory (nor hold a worker long): the inflated body may be at most 4 frames
        // large (64 MiB; 100 000 topics inflate to ~7 MB, the 500 000 maxTopicsPerRegistration allows to ~25 MB).
        maxInflatedBytes: Math.min(o.maxFrameBytes * 4, 0x7fffffff),
        returnOrderTopicConfigToBroker: o.returnOrderTopicConfigToBroker,
        routeReplies: new RouteReplyCache(registry),
        decodeRegisterBody: o.decodeRegisterBody ?? poolDecoder(this.#decodePool as DecodePool),
        namesrvConfig: o.namesrvConfig ?? defaultNamesrvConfiguration(registry, o),
        controller: o.controller,
        controllerOnly: o.controllerOnly,
        serverClosing: () => this.#closing !== null,
      },
      limits: { maxFrameBytes: o.maxFrameBytes, maxHeaderBytes: o.maxHeaderBytes, maxExtFields: o.maxExtFields },
      idleTimeoutMillis: o.idleTimeoutMillis,
      metrics: o.metrics,
      budget,
      admission: { budget, maxRequestsInFlight: o.maxRequestsInFlightPerConnection, maxSmallBodyBytes: o.maxSmallBodyBytes },
      slowFrames: new SlowFrameWatch({ minFrameBytesPerSecond: o.minFrameBytesPerSecond, frameDeadlineMillis: o.frameDeadlineMillis }),
      checkAccess: o.accessControl === null ? null : accessCheck(o.accessControl),
      events: this,
      pending: new PendingRequests(),
      spares: new SpareBuffers(),
      // Idle memory kept for large frames counts as little as the headroom small requests keep.
      frameMemory: new FrameMemory(Math.floor(o.memoryBudgetBytes / 16)),
    };
    o.metrics?.attach(registry);
    o.metrics?.nameRequestCodes(new Map(Object.entries(RequestCode).map(([name, code]) => [code, name])));
    this.#roleNotifier = o.controller === null ? null : new RoleChangeNotifier(o.controller, this);
    this.#acceptor = new HandshakeAcceptor(o.tls, {
      idleTimeoutMillis: o.idleTimeoutMillis,
      trustedProxies: o.trustedProxies,
      refuseUntrustedProxy: o.accessControl !== null,
      onSocket: (socket, peer) => this.#accept(socket, peer),
      onRefused: (refusal) => this.emit('protocolError', refusal),
    });
    this.#server = createServer({ noDelay: true }, (socket) => this.#acceptor.accept(socket));
    if (Number.isFinite(o.maxConnections)) this.#server.maxConnections = o.maxConnections;
  }

  /** The options in force, defaults applied. */
  get options(): ResolvedRemotingServerOptions {
    return this.#options;
  }

  /** The configuration GET_NAMESRV_CONFIG prints and UPDATE_NAMESRV_CONFIG changes. */
  get namesrvConfig(): NamesrvConfiguration {
    return this.#ctx.requests.namesrvConfig;
  }

  /** The KV store behind the KV requests. */
  get kvConfig(): KvConfigStore {
    return this.#ctx.requests.kvConfig;
  }

  /**
   * The memory budget frames and inflated bodies are charged to. Hand it to the
   * HTTP adapter (its `memoryBudget` option) so HTTP request bodies count against it too.
   */
  get memoryBudget(): MemoryBudget {
    return this.#ctx.budget;
  }

  /** The memory budget's state: bytes held by buffered frames and inflated bodies, waits. */
  memoryStats(): MemoryBudgetStats {
    return this.#ctx.budget.stats();
  }

  /** Where REGISTER_BROKER bodies were decoded so far (null with a `decodeRegisterBody` option of one's own). */
  get decodeStats(): DecodePoolStats | null {
    return this.#decodePool?.stats ?? null;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size + this.#acceptor.pendingCount;
  }

  /**
   * Starts listening on `options.port` and `options.host`.
   * @returns the address bound (useful with port 0).
   * @throws when the port cannot be bound, or the server was started or closed before.
   */
  listen(): Promise<AddressInfo> {
    if (this.#listening || this.#closing !== null) {
      return Promise.reject(new Error('RemotingServer.listen() may be called once, before close()'));
    }
    this.#listening = true;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.#listening = false;
        reject(err);
      };
      this.#server.once('error', onError);
      this.#server.listen({ port: this.#options.port, host: this.#options.host }, () => {
        this.#server.off('error', onError);
        this.#server.on('error', (err) => this.emit('error', err));
        const address = this.#server.address() as AddressInfo;
        // As RocketMQ's NettyRemotingServer: 319 shows the port really bound (port 0 picks one).
        const config = this.#ctx.requests.namesrvConfig;
        if (config.get('listenPort') !== String(address.port)) config.set('listenPort', address.port);
        this.#registry.on('minBrokerIdChanged', this.#onMinBrokerIdChanged);
        this.#roleNotifier?.start();
        if (this.#options.controller !== null && this.#options.controller.metadata().controllerLeaderAddress === null) {
          this.#options.controller.setAdvertisedAddress(advertisedAddress(this.#options.host, address.port));
        }
        // A missing worker entry (a broken install) is said, not thrown: large registrations are refused with it.
        const failed = this.#decodePool?.tryStart() ?? null;
        if (failed !== null) this.emit('error', failed);
        resolve(address);
      });
    });
  }

  /** The bound address, or null when not listening. */
  address(): AddressInfo | null {
    const address = this.#server.address();
    return address !== null && typeof address === 'object' ? address : null;
  }

  /**
   * Stops gracefully: refuses new connections, lets running requests finish
   * and answer, then closes every connection (their brokers are dropped).
   * Requests arriving meanwhile get no answer. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#registry.off('minBrokerIdChanged', this.#onMinBrokerIdChanged);
    const closed = this.#listening
      ? new Promise<void>((resolve) => this.#server.close(() => resolve()))
      : Promise.resolve();
    this.#acceptor.close();
    for (const connection of this.#connections) connection.stopServing();
    await this.#ctx.pending.idle();
    // Resolve only once every connection's channel was destroyed in the registry.
    await Promise.all([
      closed, this.#notifier.close(), this.#roleNotifier?.close(), ...[...this.#connections].map((connection) => connection.close(CLOSE_GRACE_MILLIS)),
    ]);
    await this.#decodePool?.close();
    this.#ctx.slowFrames.close();
    this.#listening = false;
  }

  #accept(socket: Socket, peer: PeerIdentity): void {
    if (this.#closing !== null) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, this.#ctx, (closed) => {
      this.#connections.delete(closed);
      this.#options.metrics?.setOpenConnections('remoting', this.#connections.size);
      this.emit('disconnect', { remoteAddress: closed.remoteAddress });
    }, peer);
    this.#connections.add(connection);
    this.#options.metrics?.setOpenConnections('remoting', this.#connections.size);
    this.emit('connect', { remoteAddress: connection.remoteAddress });
  }
}

/**
 * Decodes with `pool`, keyed by the connection (its close signal): connections
 * share the workers round robin, and a broker re-sending an unchanged table
 * gets its last table back, sealed, which the registry then need not compare.
 */
function poolDecoder(pool: DecodePool): RegisterBodyDecoder {
  return (body, options) => pool.decode(body, options.signal === undefined ? options : { ...options, key: options.signal });
}

/** Decides each request with `control`'s policy in force; a refusal answers 16 with the decision's remark. */
function accessCheck(control: AccessControl): AccessCheck {
  return (request: RemotingCommand, peer: PeerIdentity): Reply | null => {
    const decision = control.decide({
      code: request.code, extFields: request.extFields, body: request.body, remoteAddress: peer.address,
      clientCertificate: peer.clientCertificate, proxyTlvs: peer.proxyTlvs,
    });
    if (decision.status === 'allowed') return null;
    return { code: ResponseCode.NO_PERMISSION, remark: decision.remark, extFields: null, body: null };
  };
}
