/**
 * Options of {@link RemotingServer}: one readonly type, defaults in one
 * place, validated when the server is built.
 * @module
 */
import { constants as bufferConstants } from 'node:buffer';
import {
  checkFlag, checkFunction, checkInstance, checkNonEmptyString, checkNumber, checkOptions, checkPositiveInteger,
} from '../core/option-checks.js';
import type { KvConfigStore } from '../core/kv-config.js';
import { InvalidOptionError } from '../core/errors.js';
import type { NamesrvConfiguration } from '../core/namesrv-config.js';
import { DEFAULT_MAX_FRAME_BYTES } from './codec/frame.js';
import type { NamesrvMetrics } from '../core/metrics.js';
import { AccessControl } from './access/access-control.js';
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
   * (first come, first served). A frame larger than the whole budget is
   * admitted alone.
   * @default 268_435_456 (256 MiB)
   */
  readonly memoryBudgetBytes?: number;
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
   * Decodes REGISTER_BROKER bodies, e.g. `(body, o) => pool.decode(body, o)`
   * with a `DecodePool` to take large bodies off the event loop. It checks
   * `options.bodyCrc32` (see `RegisterBodyDecoder`): pass the options on.
   * The body is valid until the returned promise settles.
   * @default decodeRegisterBrokerBody on the event loop
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
  readonly maxRequestsInFlightPerConnection: number;
  readonly accessControl: AccessControl | null;
  /** null: follow the registry's option. */
  readonly returnOrderTopicConfigToBroker: boolean | null;
  readonly metrics: NamesrvMetrics | null;
  readonly tls: ResolvedTlsOptions;
  readonly decodeRegisterBody: RegisterBodyDecoder | null;
  readonly namesrvConfig: NamesrvConfiguration | null;
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
});

/** The smallest frame limit that still admits ordinary requests. */
const MIN_FRAME_BYTES = 1024;
/** The length field is an int32. */
const MAX_FRAME_BYTES = Math.min(0x7fffffff, bufferConstants.MAX_LENGTH);

/** The option names {@link RemotingServer} accepts; any other key is refused. */
const REMOTING_SERVER_OPTION_KEYS: ReadonlySet<string> = new Set([
  'port', 'host', 'kvConfig', 'maxFrameBytes', 'maxHeaderBytes', 'maxExtFields', 'idleTimeoutMillis', 'maxConnections',
  'returnOrderTopicConfigToBroker', 'metrics', 'tls', 'decodeRegisterBody', 'namesrvConfig', 'memoryBudgetBytes',
  'maxRequestsInFlightPerConnection', 'accessControl',
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
    memoryBudgetBytes: checkPositiveInteger(o.memoryBudgetBytes, d.memoryBudgetBytes, 'memoryBudgetBytes'),
    maxRequestsInFlightPerConnection: checkPositiveInteger(
      o.maxRequestsInFlightPerConnection, d.maxRequestsInFlightPerConnection, 'maxRequestsInFlightPerConnection'),
    accessControl: accessControlOf(o.accessControl),
    namesrvConfig: checkInstance(o.namesrvConfig, 'namesrvConfig', 'NamesrvConfiguration', ['update', 'formatAll', 'get', 'set']),
  };
}

function accessControlOf(value: unknown): AccessControl | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof AccessControl)) throw new InvalidOptionError('options.accessControl', 'must be an AccessControl');
  return value;
}
