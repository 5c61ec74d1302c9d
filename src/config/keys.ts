/**
 * Every configuration key of RocketMQ 5.3.3's name server, as one table:
 * `NamesrvConfig` and `NettyServerConfig` (what Java registers into its
 * `Configuration`, so what GET_NAMESRV_CONFIG prints and UPDATE_NAMESRV_CONFIG
 * may change), `NettyClientConfig` (printed by `mqnamesrv -p` only), and the
 * keys of this server that Java does not have (validated when set, printed
 * only when set). Order within a section is Java's field declaration order,
 * which is the order `-p` prints.
 * @module
 */
import { join } from 'node:path';
import { ConfigValueError } from '../core/errors.js';
import type { RouteRegistryOptionsPatch } from '../core/options.js';

/** How a value is converted, as Java's `MixAll.properties2Object` does by setter parameter type. */
export type ConfigValueType = 'string' | 'boolean' | 'int' | 'long';

/** Which Java class declares the key (`extension`: a key of this server only). */
export type ConfigSection = 'NamesrvConfig' | 'NettyServerConfig' | 'NettyClientConfig' | 'extension';

/**
 * What changing the key does here: `live` reaches the running registry
 * through 318, `restart` is read at start-up (persisted by 318, effective
 * after a restart), `none` is stored and printed only (a Java thread-pool or
 * Netty knob with no counterpart in Node.js).
 */
export type ConfigEffect = 'live' | 'restart' | 'none';

/** Registry options that UPDATE_NAMESRV_CONFIG changes on the running server: the registry's own patch type. */
export type RegistryOptionsPatch = RouteRegistryOptionsPatch;

/** Where the defaults that depend on the machine come from (Java: system properties and the environment). */
export interface ConfigEnvironment {
  /** Java's `user.home`: parent of the default `namesrv/kvConfig.json` and `namesrv/namesrv.properties`. */
  readonly homeDir: string;
  /** Java's `rocketmq.home.dir` property or `ROCKETMQ_HOME`; null when unset (then 319 leaves `rocketmqHome` out). */
  readonly rocketmqHome: string | null;
  /** Java's `availableProcessors()`, the default of `clientCallbackExecutorThreads`. */
  readonly cpus: number;
  /** Whether the remoting port enforces TLS: Java's default of `useTLS`. */
  readonly tlsEnforcing: boolean;
}

/** One configuration key. */
export interface ConfigKeySpec {
  /** The property name a file or a 318 body sets. */
  readonly key: string;
  /** The Java field name `-p` prints, when it differs from {@link key}. */
  readonly field?: string;
  readonly section: ConfigSection;
  readonly type: ConfigValueType;
  /** Java's default as text; null means unset (left out of 319, empty in `-p`). */
  readonly default: string | null | ((env: ConfigEnvironment) => string | null);
  /** Smallest accepted number (here: what the registry or the next start-up would refuse). */
  readonly min?: number;
  /** Largest accepted number. */
  readonly max?: number;
  /** The accepted values of a string key. */
  readonly oneOf?: readonly string[];
  readonly effect: ConfigEffect;
  /** The registry option a `live` key maps to. */
  readonly live?: keyof RegistryOptionsPatch;
  /** 319 prints `******` instead of the value (the file keeps it). */
  readonly secret?: boolean;
  readonly description: string;
}

const INT_MAX = 2_147_483_647;

type Row = Omit<ConfigKeySpec, 'section'>;

function section(name: ConfigSection, rows: readonly Row[]): readonly ConfigKeySpec[] {
  return Object.freeze(rows.map((row) => Object.freeze({ ...row, section: name })));
}

/** RocketMQ 5.3.3's `NamesrvConfig`. */
export const NAMESRV_CONFIG_KEYS = section('NamesrvConfig', [
  { key: 'rocketmqHome', type: 'string', default: (env) => env.rocketmqHome, effect: 'none', description: 'RocketMQ installation directory (ROCKETMQ_HOME); never updatable' },
  { key: 'kvConfigPath', type: 'string', default: (env) => join(env.homeDir, 'namesrv', 'kvConfig.json'), effect: 'restart', description: 'KV config file; never updatable' },
  { key: 'configStorePath', type: 'string', default: (env) => join(env.homeDir, 'namesrv', 'namesrv.properties'), effect: 'none', description: 'the -c file, where 318 persists; never updatable' },
  { key: 'productEnvName', type: 'string', default: 'center', effect: 'none', description: 'environment name (informational)' },
  { key: 'clusterTest', type: 'boolean', default: 'false', effect: 'none', description: 'Java test switch' },
  { key: 'orderMessageEnable', type: 'boolean', default: 'false', effect: 'live', live: 'orderMessageEnable', description: 'fill orderTopicConf of routes from the KV namespace ORDER_TOPIC_CONFIG' },
  { key: 'returnOrderTopicConfigToBroker', type: 'boolean', default: 'true', effect: 'live', live: 'returnOrderTopicConfigToBroker', description: 'REGISTER_BROKER replies carry the ORDER_TOPIC_CONFIG KV table' },
  { key: 'clientRequestThreadPoolNums', type: 'int', default: '8', effect: 'none', description: 'Java thread pool size' },
  { key: 'defaultThreadPoolNums', type: 'int', default: '16', effect: 'none', description: 'Java thread pool size' },
  { key: 'clientRequestThreadPoolQueueCapacity', type: 'int', default: '50000', effect: 'none', description: 'Java queue capacity' },
  { key: 'defaultThreadPoolQueueCapacity', type: 'int', default: '10000', effect: 'none', description: 'Java queue capacity' },
  { key: 'scanNotActiveBrokerInterval', type: 'long', default: '5000', min: 1, max: INT_MAX, effect: 'live', live: 'scanIntervalMillis', description: 'milliseconds between scans for silent brokers' },
  { key: 'unRegisterBrokerQueueCapacity', type: 'int', default: '3000', effect: 'none', description: 'Java queue capacity' },
  { key: 'supportActingMaster', type: 'boolean', default: 'false', effect: 'live', live: 'supportActingMaster', description: 'present a slave as acting master of a master-less group' },
  { key: 'enableAllTopicList', type: 'boolean', default: 'true', effect: 'live', live: 'enableAllTopicList', description: 'answer GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206)' },
  { key: 'enableTopicList', type: 'boolean', default: 'true', effect: 'live', live: 'enableTopicList', description: 'answer the topic-list requests 224, 311, 312, 313' },
  { key: 'notifyMinBrokerIdChanged', type: 'boolean', default: 'false', effect: 'live', live: 'notifyMinBrokerIdChanged', description: "send NOTIFY_MIN_BROKER_ID_CHANGE (905) to a group's brokers" },
  { key: 'enableControllerInNamesrv', type: 'boolean', default: 'false', effect: 'restart', description: 'serve the RocketMQ 5 controller on the remoting port (see README Controller mode)' },
  { key: 'needWaitForService', type: 'boolean', default: 'false', effect: 'live', live: 'needWaitForService', description: 'refuse route requests for waitSecondsForService after start-up' },
  { key: 'waitSecondsForService', type: 'int', default: '45', min: 0, effect: 'live', live: 'waitSecondsForService', description: 'seconds after start-up during which routes are refused' },
  { key: 'deleteTopicWithBrokerRegistration', type: 'boolean', default: 'false', effect: 'live', live: 'deleteTopicWithBrokerRegistration', description: 'a registration removes topics its table no longer lists' },
  { key: 'configBlackList', type: 'string', default: 'configBlackList;configStorePath;kvConfigPath', effect: 'restart', description: "';'-separated keys 318 refuses; never updatable" },
]);

/** RocketMQ 5.3.3's `NettyServerConfig` (with `listenPort` 9876 as `mqnamesrv` sets it). */
export const NETTY_SERVER_CONFIG_KEYS = section('NettyServerConfig', [
  { key: 'bindAddress', type: 'string', default: '0.0.0.0', effect: 'restart', description: 'remoting bind address' },
  { key: 'listenPort', type: 'int', default: '9876', min: 0, max: 65535, effect: 'restart', description: 'remoting port; 319 shows the bound one' },
  { key: 'serverWorkerThreads', type: 'int', default: '8', effect: 'none', description: 'Netty worker threads' },
  { key: 'serverCallbackExecutorThreads', type: 'int', default: '0', effect: 'none', description: 'Netty callback threads' },
  { key: 'serverSelectorThreads', type: 'int', default: '3', effect: 'none', description: 'Netty selector threads' },
  { key: 'serverOnewaySemaphoreValue', type: 'int', default: '256', effect: 'none', description: 'Netty one-way permits' },
  { key: 'serverAsyncSemaphoreValue', type: 'int', default: '64', effect: 'none', description: 'Netty async permits' },
  { key: 'serverChannelMaxIdleTimeSeconds', type: 'int', default: '120', min: 0, max: 2_147_483, effect: 'restart', description: 'idle connections are closed after this many seconds' },
  { key: 'serverSocketSndBufSize', type: 'int', default: '0', effect: 'none', description: 'SO_SNDBUF (0: system default)' },
  { key: 'serverSocketRcvBufSize', type: 'int', default: '0', effect: 'none', description: 'SO_RCVBUF (0: system default)' },
  { key: 'writeBufferHighWaterMark', type: 'int', default: '0', effect: 'none', description: 'Netty write buffer high water mark' },
  { key: 'writeBufferLowWaterMark', type: 'int', default: '0', effect: 'none', description: 'Netty write buffer low water mark' },
  { key: 'serverSocketBacklog', type: 'int', default: '1024', effect: 'none', description: 'listen backlog' },
  { key: 'serverNettyWorkerGroupEnable', type: 'boolean', default: 'true', effect: 'none', description: 'Netty worker group' },
  { key: 'serverPooledByteBufAllocatorEnable', type: 'boolean', default: 'true', effect: 'none', description: 'Netty pooled buffers' },
  { key: 'enableShutdownGracefully', type: 'boolean', default: 'false', effect: 'none', description: 'Netty graceful shutdown' },
  { key: 'shutdownWaitTimeSeconds', type: 'int', default: '30', effect: 'none', description: 'Netty graceful shutdown wait' },
  { key: 'useEpollNativeSelector', type: 'boolean', default: 'false', effect: 'none', description: 'Netty epoll transport' },
]);

/** RocketMQ 5.3.3's `NettyClientConfig`: printed by `-p`, not part of 319 unless the `-c` file sets a key. */
export const NETTY_CLIENT_CONFIG_KEYS = section('NettyClientConfig', [
  { key: 'clientWorkerThreads', type: 'int', default: '4', effect: 'none', description: 'Netty client worker threads' },
  { key: 'clientCallbackExecutorThreads', type: 'int', default: (env) => String(env.cpus), effect: 'none', description: 'Netty client callback threads' },
  { key: 'clientOnewaySemaphoreValue', type: 'int', default: '65535', effect: 'none', description: 'Netty client one-way permits' },
  { key: 'clientAsyncSemaphoreValue', type: 'int', default: '65535', effect: 'none', description: 'Netty client async permits' },
  { key: 'connectTimeoutMillis', type: 'int', default: '3000', effect: 'none', description: 'client connect timeout' },
  { key: 'channelNotActiveInterval', type: 'long', default: '60000', effect: 'none', description: 'client channel check interval' },
  { key: 'scanAvailableNameSrv', field: 'isScanAvailableNameSrv', type: 'boolean', default: 'true', effect: 'none', description: 'client name server scan' },
  { key: 'clientChannelMaxIdleTimeSeconds', type: 'int', default: '120', effect: 'none', description: 'client idle timeout' },
  { key: 'clientSocketSndBufSize', type: 'int', default: '0', effect: 'none', description: 'client SO_SNDBUF' },
  { key: 'clientSocketRcvBufSize', type: 'int', default: '0', effect: 'none', description: 'client SO_RCVBUF' },
  { key: 'clientPooledByteBufAllocatorEnable', type: 'boolean', default: 'false', effect: 'none', description: 'Netty client pooled buffers' },
  { key: 'clientCloseSocketIfTimeout', type: 'boolean', default: 'true', effect: 'none', description: 'close a client socket on timeout' },
  { key: 'useTLS', type: 'boolean', default: (env) => String(env.tlsEnforcing), effect: 'none', description: 'client TLS' },
  { key: 'socksProxyConfig', type: 'string', default: '{}', effect: 'none', description: 'client SOCKS proxies' },
  { key: 'writeBufferHighWaterMark', type: 'int', default: '0', effect: 'none', description: 'client write buffer high water mark' },
  { key: 'writeBufferLowWaterMark', type: 'int', default: '0', effect: 'none', description: 'client write buffer low water mark' },
  { key: 'disableCallbackExecutor', type: 'boolean', default: 'false', effect: 'none', description: 'client callback executor' },
  { key: 'disableNettyWorkerGroup', type: 'boolean', default: 'false', effect: 'none', description: 'client worker group' },
  { key: 'maxReconnectIntervalTimeSeconds', type: 'long', default: '60', effect: 'none', description: 'client reconnect back-off cap' },
  { key: 'enableReconnectForGoAway', type: 'boolean', default: 'true', effect: 'none', description: 'client reconnect on GOAWAY' },
]);

/** Keys of this server that Java's name server does not have; validated when set, printed by 319 only when set. */
export const EXTENSION_CONFIG_KEYS = section('extension', [
  { key: 'httpPort', type: 'int', default: null, min: 0, max: 65535, effect: 'restart', description: 'serve the HTTP API on this port' },
  { key: 'httpHost', type: 'string', default: null, effect: 'restart', description: 'HTTP bind address' },
  { key: 'maxFrameBytes', type: 'int', default: null, min: 1024, max: INT_MAX, effect: 'restart', description: 'largest remoting frame accepted' },
  { key: 'accessConfigFile', type: 'string', default: null, effect: 'restart', description: 'access control file' },
  { key: 'tls.server.mode', type: 'string', default: null, oneOf: ['disabled', 'permissive', 'enforcing'], effect: 'restart', description: 'TLS on the remoting port' },
  { key: 'tls.server.certPath', type: 'string', default: null, effect: 'restart', description: 'TLS certificate (PEM)' },
  { key: 'tls.server.keyPath', type: 'string', default: null, effect: 'restart', description: 'TLS private key (PEM)' },
  { key: 'tls.server.keyPassword', type: 'string', default: null, secret: true, effect: 'restart', description: 'TLS private key password' },
  { key: 'tls.test.mode.enable', type: 'boolean', default: null, effect: 'restart', description: 'self-signed certificate when none is configured' },
  { key: 'tls.config.file', type: 'string', default: null, effect: 'restart', description: "RocketMQ's TLS properties file" },
  { key: 'tls.server.need.client.auth', type: 'string', default: null, effect: 'restart', description: 'ask TLS clients for a certificate: none, optional, require' },
  { key: 'tls.server.authClient', type: 'boolean', default: null, effect: 'restart', description: 'client certificates must chain to tls.server.trustCertPath' },
  { key: 'tls.server.trustCertPath', type: 'string', default: null, effect: 'restart', description: 'CA certificates (PEM) that client certificates are verified against' },
]);

/**
 * The only keys UPDATE_NAMESRV_CONFIG (318) may change: the runtime switches
 * of `NamesrvConfig` that take effect on the running server (each reaches the
 * registry through `updateOptions`), and two informational ones. Every other
 * key — network, security, files, limits, thread pools, this server's own
 * keys, unknown keys a `-c` file brought — is refused with NO_PERMISSION like
 * a black-listed one: 318 is reachable by any peer an access file lets write,
 * and a value written to the `-c` file would be in force after a restart.
 */
export const UPDATABLE_CONFIG_KEYS: ReadonlySet<string> = new Set([
  ...NAMESRV_CONFIG_KEYS.filter((spec) => spec.effect === 'live').map((spec) => spec.key),
  'productEnvName', 'clusterTest',
]);

/**
 * The keys Java's `Configuration` holds from the start (NamesrvConfig then
 * NettyServerConfig), keyed by name. NettyClientConfig keys are absent on
 * purpose: Java's 319 shows them only when the `-c` file sets them.
 */
export const REGISTERED_CONFIG_KEYS: ReadonlyMap<string, ConfigKeySpec> = new Map(
  [...NAMESRV_CONFIG_KEYS, ...NETTY_SERVER_CONFIG_KEYS].map((spec) => [spec.key, spec]),
);

/**
 * Type and range of every key this module knows, for validating a value
 * wherever it comes from. `writeBufferHighWaterMark` / `writeBufferLowWaterMark`
 * exist in both Netty classes; the server's entry wins (same type).
 */
export const KNOWN_CONFIG_KEYS: ReadonlyMap<string, ConfigKeySpec> = new Map(
  [...EXTENSION_CONFIG_KEYS, ...NETTY_CLIENT_CONFIG_KEYS, ...NETTY_SERVER_CONFIG_KEYS, ...NAMESRV_CONFIG_KEYS]
    .map((spec) => [spec.key, spec]),
);

/** The default of `spec` on this machine. */
export function defaultValue(spec: ConfigKeySpec, env: ConfigEnvironment): string | null {
  return typeof spec.default === 'function' ? spec.default(env) : spec.default;
}

// ---------------------------------------------------------------- values
/*
 * Checking one configuration value against its key's Java type, and writing
 * it the way Java's `object2Properties` prints it back (`Integer.toString`,
 * `Boolean.toString`, trimmed strings).
 *
 * Java's `properties2Object` is lenient where this is strict, on purpose:
 * Java swallows a `NumberFormatException` (the key silently keeps its old
 * value) and reads any boolean other than `true` as `false`. Here both are a
 * {@link ConfigValueError} naming the key, so a typo is never half-applied.
 */

const RANGES = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

/**
 * The canonical text of `raw` for `spec`, as Java would print the field after
 * setting it: strings trimmed (Java's `properties2Object` trims them),
 * numbers in plain decimal, booleans `true`/`false` (any case accepted).
 * @throws {@link ConfigValueError} when `raw` is not of the key's type or range.
 */
export function normalizeConfigValue(spec: ConfigKeySpec, raw: string): string {
  const text = raw.trim();
  switch (spec.type) {
    case 'string': {
      if (spec.oneOf === undefined) return text;
      const lower = text.toLowerCase();
      if (spec.oneOf.includes(lower)) return lower;
      throw new ConfigValueError(spec.key, raw, `one of ${spec.oneOf.join(', ')}`);
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === 'false') return lower;
      throw new ConfigValueError(spec.key, raw, 'true or false');
    }
    case 'int':
    case 'long': {
      const [typeMin, typeMax] = RANGES[spec.type];
      const min = spec.min === undefined ? typeMin : BigInt(spec.min);
      const max = spec.max === undefined ? typeMax : BigInt(spec.max);
      // Integer.parseInt's grammar: an optional sign and ASCII digits, nothing else.
      const n = /^[+-]?[0-9]+$/.test(text) ? BigInt(text) : null;
      if (n === null || n < min || n > max) {
        throw new ConfigValueError(spec.key, raw, `an integer from ${min} to ${max}`);
      }
      return n.toString();
    }
  }
}

/** The value of a key already normalized by {@link normalizeConfigValue}, as a JavaScript value. */
export function typedConfigValue(spec: ConfigKeySpec, text: string): string | number | boolean {
  switch (spec.type) {
    case 'boolean': return text === 'true';
    case 'int':
    case 'long': return Number(text);
    default: return text;
  }
}
