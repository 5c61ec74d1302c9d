/**
 * Options of {@link RemotingServer}: one readonly type, defaults in one
 * place, validated when the server is built.
 * @module
 */
import { constants as bufferConstants } from 'node:buffer';
import { availableParallelism } from 'node:os';
import {
  checkFlag, checkFunction, checkInstance, checkNonEmptyString, checkNumber, checkOptions, checkPositiveInteger,
} from '../core/option-checks.js';
import type { Controller } from '../controller/controller.js';
import type { KvConfigStore } from '../core/kv-config.js';
import { InvalidOptionError } from '../core/errors.js';
import type { NamesrvConfiguration } from '../config/namesrv-config.js';
import { DEFAULT_MAX_FRAME_BYTES } from './codec/frame.js';
import { DEFAULT_MAX_TOPICS_PER_REGISTRATION } from './decode/general.js';
import type { NamesrvMetrics } from '../metrics/namesrv-metrics.js';
import { AccessControl } from './access/access-control.js';
import { parseAddressRange, type AddressRange } from './access/address.js';
import { DEFAULT_MEMORY_BUDGET_BYTES } from './memory-budget.js';
import { FALLBACK_MAX_CONNECTIONS, defaultMaxConnections } from './fd-limit.js';
import { resolveTlsOptions, type ResolvedTlsOptions, type TlsServerOptions } from './tls/config.js';
import type { RegisterBodyDecoder } from './request-context.js';

/** Options of a {@link RemotingServer}. */
export interface RemotingServerOptions {
  /**
   * TCP port; 0 picks a free one (read it from {@link RemotingServer.address}).
   * @default 9876
   */
  readonly port?: number;
  /**
   * Address to listen on. RocketMQ binds every IPv4 interface, since brokers
   * and clients on other machines must reach the name server.
   * @default '0.0.0.0'
   */
  readonly host?: string;
  /**
   * The store behind the KV requests (100, 101, 102, 219) and the order topic
   * configs returned to registering brokers. Give it to the registry instead
   * when routes should carry `orderTopicConf`: a store different from the
   * registry's is refused (RocketMQ has one).
   * @default the registry's `kvConfig`, else a memory-only store
   */
  readonly kvConfig?: KvConfigStore;
  /**
   * Largest frame accepted, its 4-byte length field included (RocketMQ's
   * `com.rocketmq.remoting.frameMaxLength`). A larger frame closes its
   * connection. A 100 000-topic JSON registration is about 10 MB.
   * @default 16_777_216 (16 MiB)
   */
  readonly maxFrameBytes?: number;
  /**
   * Largest header accepted. Name server headers are a few hundred bytes; a
   * larger one closes its connection.
   * @default 65_536 (64 KiB)
   */
  readonly maxHeaderBytes?: number;
  /**
   * Most `extFields` entries a request may carry; more close its connection.
   * @default 256
   */
  readonly maxExtFields?: number;
  /**
   * A connection that neither reads nor writes for this long is closed and
   * its brokers dropped (RocketMQ's `serverChannelMaxIdleTimeSeconds`). 0 disables it.
   * @default 120_000
   */
  readonly idleTimeoutMillis?: number;
  /**
   * Connections beyond this many are closed at accept (`Infinity` for no cap).
   * @default the process's open-files limit less headroom (see {@link defaultMaxConnections}); 10_000 where it cannot be read
   */
  readonly maxConnections?: number;
  /**
   * Bytes all connections may hold at once: buffered frames plus inflated
   * bodies. A frame's full length is reserved before it is buffered; a
   * connection whose frame does not fit stops being read until memory frees
   * (waiting connections served in turn). A frame larger than the whole budget is
   * admitted alone.
   * @default 268_435_456 (256 MiB)
   */
  readonly memoryBudgetBytes?: number;
  /**
   * A frame in progress that receives fewer bytes than this per second, over
   * a 2 s window, closes its connection (its memory reservation is freed):
   * a peer cannot hold the budget by trickling a large frame. 0 disables it.
   * @default 16_384 (16 KiB/s)
   */
  readonly minFrameBytesPerSecond?: number;
  /**
   * A frame not complete this long after its first byte was read closes its
   * connection (its memory reservation is freed). 0 disables it.
   * @default 60_000
   */
  readonly frameDeadlineMillis?: number;
  /**
   * The body cap of every request code but REGISTER_BROKER (their bodies are
   * small by nature: a data version, a few properties, a topic's route). A
   * frame over it is answered SYSTEM_ERROR from its header alone, without its
   * body being buffered or parsed, and its connection is closed.
   * @default 65_536 (64 KiB)
   */
  readonly maxSmallBodyBytes?: number;
  /**
   * Requests of one connection decoded but not yet answered; past this, the
   * connection is not read until one is answered (backpressure, not an error).
   * @default 16
   */
  readonly maxRequestsInFlightPerConnection?: number;
  /**
   * Access control (see {@link AccessControl}): every request is decided from
   * its header and raw body before anything is decoded; a refusal is answered
   * 16 (NO_PERMISSION) with a remark naming the request class, changes
   * nothing and keeps the connection open. Reloads of the holder apply at once.
   * @default none (everything is allowed, as in RocketMQ)
   */
  readonly accessControl?: AccessControl;
  /**
   * Answer REGISTER_BROKER with the `ORDER_TOPIC_CONFIG` KV namespace as body
   * (RocketMQ's `returnOrderTopicConfigToBroker`). When set, it overrides the
   * registry's option of the same name for this server's lifetime (318
   * cannot change it then); prefer the registry's option.
   * @default the registry's `returnOrderTopicConfigToBroker` (true unless set), read at each registration
   */
  readonly returnOrderTopicConfigToBroker?: boolean;
  /**
   * Counts requests (per request code, with latencies) and route lookups; share
   * one with the HTTP adapter to serve both from its `/metrics`.
   * @default none (nothing measured)
   */
  readonly metrics?: NamesrvMetrics;
  /**
   * TLS on the port, decided per connection by its first byte (RocketMQ's
   * `tls.server.*` settings); see {@link TlsServerOptions}. A bad certificate
   * or key throws {@link TlsConfigError} here, at construction.
   * @default { mode: 'permissive', testMode: true } (as RocketMQ: TLS clients get a self-signed certificate)
   */
  readonly tls?: TlsServerOptions;
  /**
   * Worker threads that decode REGISTER_BROKER bodies off the event loop
   * (inflating compressed ones, scanning large plain ones), shared by the
   * connections round robin; started with {@link RemotingServer.listen} and
   * stopped with `close()`. 0 decodes every body on the event loop, for
   * embedders that must stay single-threaded (a large registration then
   * holds the loop while it decodes).
   * @default min(2, max(1, availableParallelism() - 1))
   */
  readonly decodeWorkers?: number;
  /**
   * Most topics one REGISTER_BROKER may carry: a body with more is refused
   * while it is scanned, before its table is built (answered SYSTEM_ERROR
   * with a remark naming the limit; the registry is unchanged). RocketMQ has
   * no such limit; its largest brokers hold ~100 000 topics.
   * @default 500_000
   */
  readonly maxTopicsPerRegistration?: number;
  /**
   * Replaces the server's own decoding of REGISTER_BROKER bodies (then
   * `decodeWorkers` and `maxTopicsPerRegistration` are not used). It checks
   * `options.bodyCrc32` (see `RegisterBodyDecoder`): pass the options on.
   * The body is valid until the returned promise settles.
   * @default the server's decode workers
   */
  readonly decodeRegisterBody?: RegisterBodyDecoder;
  /**
   * The configuration GET_NAMESRV_CONFIG (319) prints and UPDATE_NAMESRV_CONFIG
   * (318) changes (and persists to its `configFile`); 318 applies the
   * registry-level keys through `registry.updateOptions()`. `listenPort` is
   * set to the bound port once listening.
   * @default one built from the registry's options and this server's port, host and idle timeout (318 then persists nothing)
   */
  readonly namesrvConfig?: NamesrvConfiguration;
  /**
   * Serve this RocketMQ 5 controller on the port too (Java's
   * `enableControllerInNamesrv`): the controller codes 1001–1013, controller
   * heartbeats (904 with a broker id), and NOTIFY_BROKER_ROLE_CHANGED (1008)
   * sent to a group's brokers when its master changes. Start it
   * (`await controller.start()`) and close it yourself; once listening, the
   * server gives it its address for GET_METADATA_INFO unless it has one.
   * @default none (the controller codes are answered REQUEST_CODE_NOT_SUPPORTED)
   */
  readonly controller?: Controller;
  /**
   * Answer only the controller's codes, every other one
   * REQUEST_CODE_NOT_SUPPORTED: a standalone controller (Java's
   * `mqcontroller`). Needs {@link RemotingServerOptions.controller}.
   * @default false
   */
  readonly controllerOnly?: boolean;
  /**
   * Load balancers allowed to send a PROXY protocol header (v1 or v2) naming
   * the original client, as IPs or CIDRs (`10.0.0.0/8`, `fd00::/8`). Such a
   * header is read at the start of every connection, before the TLS sniff, as
   * RocketMQ does, and from then on the client's address stands for the
   * connection: white lists, logs, events. A header from any other peer closes
   * its connection when an access file is in force (a forged source would pass
   * its white lists), and is honoured without one, as RocketMQ honours it.
   * @default [] (no proxy trusted: with {@link accessControl}, every PROXY header is refused)
   */
  readonly trustedProxies?: readonly string[];
}

/** Options with every default applied. */
export interface ResolvedRemotingServerOptions {
  readonly port: number;
  readonly host: string;
  readonly kvConfig: KvConfigStore | null;
  readonly maxFrameBytes: number;
  readonly maxHeaderBytes: number;
  readonly maxExtFields: number;
  readonly idleTimeoutMillis: number;
  readonly maxConnections: number;
  readonly memoryBudgetBytes: number;
  readonly minFrameBytesPerSecond: number;
  readonly frameDeadlineMillis: number;
  readonly maxSmallBodyBytes: number;
  readonly maxRequestsInFlightPerConnection: number;
  readonly accessControl: AccessControl | null;
  /** null: follow the registry's option. */
  readonly returnOrderTopicConfigToBroker: boolean | null;
  readonly metrics: NamesrvMetrics | null;
  readonly tls: ResolvedTlsOptions;
  readonly decodeRegisterBody: RegisterBodyDecoder | null;
  readonly decodeWorkers: number;
  readonly maxTopicsPerRegistration: number;
  readonly namesrvConfig: NamesrvConfiguration | null;
  readonly controller: Controller | null;
  readonly controllerOnly: boolean;
  readonly trustedProxies: readonly AddressRange[];
}

/** RocketMQ's defaults. */
export const REMOTING_SERVER_DEFAULTS = Object.freeze({
  port: 9876,
  host: '0.0.0.0',
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxHeaderBytes: 65_536,
  maxExtFields: 256,
  idleTimeoutMillis: 120_000,
  /** Where the open-files limit cannot be read; elsewhere the default follows it ({@link defaultMaxConnections}). */
  maxConnections: FALLBACK_MAX_CONNECTIONS,
  memoryBudgetBytes: DEFAULT_MEMORY_BUDGET_BYTES,
  maxRequestsInFlightPerConnection: 16,
  decodeWorkers: Math.min(2, Math.max(1, availableParallelism() - 1)),
  maxTopicsPerRegistration: DEFAULT_MAX_TOPICS_PER_REGISTRATION,
  minFrameBytesPerSecond: 16_384,
  frameDeadlineMillis: 60_000,
  maxSmallBodyBytes: 65_536,
});

/** The smallest frame limit that still admits ordinary requests. */
const MIN_FRAME_BYTES = 1024;
/** The length field is an int32. */
const MAX_FRAME_BYTES = Math.min(0x7fffffff, bufferConstants.MAX_LENGTH);

/** The option names {@link RemotingServer} accepts; any other key is refused. */
const REMOTING_SERVER_OPTION_KEYS: ReadonlySet<string> = new Set([
  'port', 'host', 'kvConfig', 'maxFrameBytes', 'maxHeaderBytes', 'maxExtFields', 'idleTimeoutMillis', 'maxConnections',
  'returnOrderTopicConfigToBroker', 'metrics', 'tls', 'decodeRegisterBody', 'namesrvConfig', 'memoryBudgetBytes',
  'maxRequestsInFlightPerConnection', 'accessControl', 'decodeWorkers', 'maxTopicsPerRegistration',
  'minFrameBytesPerSecond', 'frameDeadlineMillis', 'maxSmallBodyBytes', 'controller', 'controllerOnly', 'trustedProxies',
]);

/** Applies defaults and validates; throws {@link InvalidOptionError}. */
export function resolveRemotingServerOptions(options?: RemotingServerOptions): ResolvedRemotingServerOptions {
  const o = checkOptions(options, 'RemotingServer', REMOTING_SERVER_OPTION_KEYS) as RemotingServerOptions;
  const d = REMOTING_SERVER_DEFAULTS;
  return {
    port: checkNumber(o.port, d.port, 'port', { integer: true, min: 0, max: 65535 }),
    host: checkNonEmptyString(o.host, d.host, 'host'),
    kvConfig: checkInstance(o.kvConfig, 'kvConfig', 'KvConfigStore', ['getKVListByNamespace', 'put', 'get', 'delete']),
    maxFrameBytes: checkNumber(o.maxFrameBytes, d.maxFrameBytes, 'maxFrameBytes', { integer: true, min: MIN_FRAME_BYTES, max: MAX_FRAME_BYTES }),
    maxHeaderBytes: checkNumber(o.maxHeaderBytes, d.maxHeaderBytes, 'maxHeaderBytes', { integer: true, min: 64, max: 0xffffff }),
    maxExtFields: checkPositiveInteger(o.maxExtFields, d.maxExtFields, 'maxExtFields'),
    // Node's timers hold at most 2^31 - 1 ms (and silently use 1 ms beyond).
    idleTimeoutMillis: checkNumber(o.idleTimeoutMillis, d.idleTimeoutMillis, 'idleTimeoutMillis', { min: 0, max: 0x7fffffff }),
    maxConnections: o.maxConnections === undefined ? defaultMaxConnections()
      : checkNumber(o.maxConnections, d.maxConnections, 'maxConnections', { integer: true, min: 1, infinity: true }),
    // Unset: follow the registry's option, read at each registration (318 can change it).
    returnOrderTopicConfigToBroker: o.returnOrderTopicConfigToBroker === undefined
      ? null : checkFlag(o.returnOrderTopicConfigToBroker, true, 'returnOrderTopicConfigToBroker'),
    metrics: checkInstance(o.metrics, 'metrics', 'NamesrvMetrics', ['observeRequest']),
    tls: resolveTlsOptions(o.tls),
    decodeRegisterBody: checkFunction(o.decodeRegisterBody, 'decodeRegisterBody'),
    decodeWorkers: checkNumber(o.decodeWorkers, d.decodeWorkers, 'decodeWorkers', { integer: true, min: 0, max: 64 }),
    maxTopicsPerRegistration: checkPositiveInteger(o.maxTopicsPerRegistration, d.maxTopicsPerRegistration, 'maxTopicsPerRegistration'),
    memoryBudgetBytes: checkPositiveInteger(o.memoryBudgetBytes, d.memoryBudgetBytes, 'memoryBudgetBytes'),
    maxRequestsInFlightPerConnection: checkPositiveInteger(
      o.maxRequestsInFlightPerConnection, d.maxRequestsInFlightPerConnection, 'maxRequestsInFlightPerConnection'),
    minFrameBytesPerSecond: checkNumber(o.minFrameBytesPerSecond, d.minFrameBytesPerSecond, 'minFrameBytesPerSecond', { integer: true, min: 0 }),
    frameDeadlineMillis: checkNumber(o.frameDeadlineMillis, d.frameDeadlineMillis, 'frameDeadlineMillis', { min: 0, max: 0x7fffffff }),
    maxSmallBodyBytes: checkNumber(o.maxSmallBodyBytes, d.maxSmallBodyBytes, 'maxSmallBodyBytes', { integer: true, min: 0, max: MAX_FRAME_BYTES }),
    accessControl: accessControlOf(o.accessControl),
    namesrvConfig: checkInstance(o.namesrvConfig, 'namesrvConfig', 'NamesrvConfiguration', ['update', 'formatAll', 'get', 'set']),
    controller: checkInstance(o.controller, 'controller', 'Controller', ['electMaster', 'brokerHeartbeat', 'metadata']),
    controllerOnly: controllerOnlyOf(o),
    trustedProxies: addressRangesOf(o.trustedProxies, 'trustedProxies'),
  };
}

/** IPs or CIDRs; throws {@link InvalidOptionError} naming the bad entry. */
export function addressRangesOf(value: unknown, name: string): readonly AddressRange[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidOptionError(`options.${name}`, 'must be an array of IP addresses or CIDRs');
  return value.map((entry: unknown, i) => {
    const range = typeof entry === 'string' ? parseAddressRange(entry.trim()) : `${String(entry)} is not a string`;
    if (typeof range === 'string') throw new InvalidOptionError(`options.${name}[${i}]`, range);
    return range;
  });
}

function accessControlOf(value: unknown): AccessControl | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof AccessControl)) throw new InvalidOptionError('options.accessControl', 'must be an AccessControl');
  return value;
}

function controllerOnlyOf(o: RemotingServerOptions): boolean {
  const only = checkFlag(o.controllerOnly, false, 'controllerOnly');
  if (only && o.controller === undefined) throw new InvalidOptionError('options.controllerOnly', 'needs options.controller');
  return only;
}
