/**
 * Properties keys of the standalone server that neither RocketMQ nor the
 * core's key table has: operating limits and HTTP settings. Same shape as
 * the core's `ConfigKeySpec`, so values are checked by the same rules; the
 * CLI validates them itself because the core keeps unknown keys as written.
 * (They may move into the core's `EXTENSION_CONFIG_KEYS`; nothing here
 * depends on where they live.)
 * @module
 */
import type { ConfigKeySpec } from '../config/keys.js';

const INT_MAX = 2_147_483_647;
/** Node's timers hold at most 2^31 - 1 ms. */
const TIMER_MAX = INT_MAX;

type Row = Omit<ConfigKeySpec, 'section' | 'effect'>;

function rows(list: readonly Row[]): ReadonlyMap<string, ConfigKeySpec> {
  return new Map(list.map((row) => [row.key, Object.freeze({ ...row, section: 'extension', effect: 'restart' } as const)]));
}

/** The CLI's own keys, with the defaults the CLI passes when a key is unset. */
export const CLI_CONFIG_KEYS: ReadonlyMap<string, ConfigKeySpec> = rows([
  { key: 'maxConnections', type: 'int', default: null, min: 1, max: INT_MAX, description: 'open remoting connections at most; more are closed at accept (unset: the open-files limit less headroom)' },
  { key: 'memoryBudgetBytes', type: 'long', default: String(256 * 1024 * 1024), min: 1024 * 1024, max: Number.MAX_SAFE_INTEGER, description: 'bytes held at once by all remoting connections (buffered frames and inflated bodies)' },
  { key: 'maxRouteEntries', type: 'long', default: '4000000', min: 1, max: Number.MAX_SAFE_INTEGER, description: 'route entries the registry holds in all (topic × broker queue entries plus live brokers); registrations past it are refused' },
  { key: 'maxRequestsInFlightPerConnection', type: 'int', default: '16', min: 1, max: 65_535, description: 'requests of one connection decoded but not yet answered' },
  { key: 'maxTopicsPerRegistration', type: 'int', default: '500000', min: 1, max: INT_MAX, description: 'topics one broker registration may carry; more is refused before its table is built' },
  { key: 'minFrameBytesPerSecond', type: 'int', default: '16384', min: 0, max: INT_MAX, description: 'a remoting frame arriving slower than this (over 2 s) closes its connection; 0 never' },
  { key: 'frameDeadlineMillis', type: 'int', default: '60000', min: 0, max: TIMER_MAX, description: 'a remoting frame not complete this long after its first byte closes its connection; 0 never' },
  { key: 'maxSmallBodyBytes', type: 'int', default: '65536', min: 0, max: INT_MAX, description: 'body cap of every request code but REGISTER_BROKER; a larger body is refused unread' },
  { key: 'httpMaxConnections', type: 'int', default: '2048', min: 1, max: INT_MAX, description: 'open HTTP connections at most' },
  { key: 'httpHeadersTimeoutMillis', type: 'int', default: '15000', min: 1, max: TIMER_MAX, description: "time to receive an HTTP request's headers" },
  { key: 'httpRequestTimeoutMillis', type: 'int', default: '60000', min: 1, max: TIMER_MAX, description: 'time to receive a whole HTTP request' },
  { key: 'httpMaxBodyMemoryBytes', type: 'long', default: String(64 * 1024 * 1024), min: 1, max: Number.MAX_SAFE_INTEGER, description: 'bytes of HTTP request bodies held at once (past it: 503)' },
  { key: 'httpKeepAliveTimeoutMillis', type: 'int', default: '5000', min: 1, max: TIMER_MAX, description: 'idle keep-alive HTTP connections are closed after this' },
  { key: 'httpReadOnly', type: 'boolean', default: 'false', description: 'refuse every HTTP write (405)' },
  { key: 'httpConsole', type: 'boolean', default: 'true', description: 'serve the operator console at GET /' },
  { key: 'httpTokenFile', type: 'string', default: null, description: 'HTTP bearer tokens file (tokens: [{token, roles}])' },
  { key: 'nsAddrs', type: 'string', default: null, description: 'host:port;host:port answered by GET /rocketmq/nsaddr' },
  { key: 'trustedProxies', type: 'string', default: null, description: 'IPs/CIDRs (comma-separated) allowed to send a PROXY protocol header' },
]);

