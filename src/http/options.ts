/**
 * Options of the HTTP adapter: one readonly type, defaults in one place,
 * validated when the handler is created.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { InvalidOptionError } from '../core/errors.js';
import { checkFlag, checkFunction, checkInstance, checkOptions, checkPositiveInteger } from '../core/option-checks.js';
import type { KvConfigStore } from '../core/kv-config.js';
import { NamesrvMetrics } from '../metrics/namesrv-metrics.js';
import { BodyMemory, type HttpMemoryBudget } from './body-memory.js';
import type { Controller } from '../controller/controller.js';
import { VERSION } from '../core/version.js';
import { resolveConsoleHistoryOptions, type ConsoleHistoryOptions, type ResolvedConsoleHistoryOptions } from './console/history-options.js';

/** Options of {@link createHttpHandler} and {@link createHttpServer}. */
export interface HttpHandlerOptions {
  /**
   * Serves `/kv/…` from this store.
   * @default the registry's `kvConfig`; without either, `GET /kv` lists no namespace and the other KV routes answer 501
   */
  readonly kvConfig?: KvConfigStore;
  /**
   * Where request, lookup and registry metrics go, served at `GET /metrics`.
   * Attached to the registry (idempotent, so share it with the remoting
   * adapter). `false` turns metrics and `/metrics` off.
   * @default a private `NamesrvMetrics`, detached by `close()`
   */
  readonly metrics?: NamesrvMetrics | false;
  /**
   * Largest request body accepted; a bigger one gets 413 and the connection
   * is closed without reading the rest.
   * @default 16 MiB
   */
  readonly maxBodyBytes?: number;
  /**
   * Most bytes of request bodies held at once, all requests together. Bytes
   * are counted as they arrive (in 256 KiB steps) and freed once the body is
   * parsed; a request whose next bytes do not fit gets 503 with
   * `Retry-After` and its connection is closed.
   * @default 64 MiB
   */
  readonly maxBodyMemoryBytes?: number;
  /**
   * A memory budget shared with other adapters, charged with body bytes too
   * (besides {@link HttpHandlerOptions.maxBodyMemoryBytes}): pass the remoting
   * server's (`remotingServer.memoryBudget`) so HTTP bodies and remoting
   * frames count against one limit. Only `tryReserve` and `release` are used.
   * @default none (only `maxBodyMemoryBytes` bounds bodies)
   */
  readonly memoryBudget?: HttpMemoryBudget;
  /**
   * Guards mutating routes (POST, PUT, DELETE). Resolve `true` to allow,
   * `false` to refuse with 403; throw or reject when the credentials are
   * missing or invalid, which answers 401 (the error's message is not sent).
   * Reads, `/health`, `/metrics` and the event streams are not guarded.
   */
  readonly authorize?: (req: IncomingMessage) => boolean | Promise<boolean>;
  /**
   * Refuse every mutating route with 405 (its `Allow` lists the read methods
   * left), before `authorize` runs.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * Path prefix the routes live under, e.g. `/namesrv`; other paths get 404.
   * @default '' (routes at the root)
   */
  readonly basePath?: string;
  /**
   * Most event streams (route watchers plus `/events` clients) open at once;
   * more get 503. Each stream whose client stops reading costs the kernel's
   * socket buffers (about a megabyte) until it is dropped, hence a modest default.
   * @default 256
   */
  readonly maxWatchers?: number;
  /**
   * How often an idle event stream gets a comment line, so proxies and
   * clients keep it open.
   * @default 15_000
   */
  readonly keepAliveMillis?: number;
  /**
   * How many bytes may wait in an `/events` stream's buffer; a client that
   * falls further behind is disconnected. (Route watchers skip to the latest
   * route instead.) Any stream with bytes waiting that drains none for a
   * whole `keepAliveMillis` interval is disconnected too.
   * @default 1 MiB
   */
  readonly maxStreamBufferBytes?: number;
  /**
   * Told about every unexpected error (answered with 500).
   * @default logs with `console.error`
   */
  readonly onError?: (error: unknown, req: IncomingMessage) => void;
  /**
   * Serve the operator console (a read-only HTML page following `/events`) at `GET /`.
   * @default true
   */
  readonly console?: boolean;
  /**
   * Whether the name server is ready for traffic: `GET /health/ready` answers
   * 503 while this returns false (wire the remoting adapter's
   * `needWaitForService` here) and after `close()`.
   * @default always ready
   */
  readonly ready?: () => boolean;
  /**
   * The name server addresses `GET /rocketmq/nsaddr` answers (`host:port;host:port`),
   * for Java clients that find name servers through `rocketmq.namesrv.domain`.
   * An array or one `;`-separated string. Without it that path answers 404.
   */
  readonly nsAddrs?: readonly string[] | string;
  /**
   * Bearer tokens and the roles each grants. With tokens, every request but the
   * health probes and `/rocketmq/nsaddr` needs `Authorization: Bearer <token>`:
   * reads need `client`, broker registration, heartbeat and unregistration
   * need `broker`, every other write `admin` (which grants every role).
   * Missing or unknown token → 401, a role short → 403. Checked before
   * {@link HttpHandlerOptions.authorize}. An empty array fails closed: no
   * token is valid, so every such request answers 401 (what an access file
   * without tokens means); only leaving `tokens` out leaves the routes open.
   */
  readonly tokens?: ReadonlyArray<{ readonly token: string; readonly roles: readonly HttpRole[] }>;
  /**
   * How many recent events `/events` keeps so a client reconnecting with
   * `Last-Event-ID` gets what it missed; an older id gets a `reset` event.
   * @default 1024
   */
  readonly eventReplayLength?: number;
  /**
   * The version `/health` reports.
   * @default this package's version
   */
  readonly version?: string;
  /**
   * The console's graphs (`GET /stats/history`), broker timelines and recent
   * route requesters: a sampler on a timer (unref'd, stopped by `close()`)
   * keeping bounded history; see {@link ConsoleHistoryOptions}. `false` turns it off.
   * @default on (with the defaults of {@link ConsoleHistoryOptions}) while `console` is
   */
  readonly consoleHistory?: ConsoleHistoryOptions | false;
  /** A RocketMQ 5 controller whose view `GET /controller` serves. @default none (`/controller` answers 404) */
  readonly controller?: Controller;
}

/** What a bearer token may do: read (`client`), register and heartbeat (`broker`), or change anything (`admin`). */
export type HttpRole = 'client' | 'broker' | 'admin';

/** Options of {@link createHttpServer}: the handler's, plus the server's own limits. */
export interface HttpServerOptions extends HttpHandlerOptions {
  /**
   * Time allowed to receive a request's headers (slow-header clients are cut off).
   * @default 15_000
   */
  readonly headersTimeoutMillis?: number;
  /**
   * Time allowed to receive a whole request (headers and body). Event streams
   * are not affected: their request is complete once sent.
   * @default 60_000
   */
  readonly requestTimeoutMillis?: number;
  /**
   * How long an idle keep-alive connection stays open.
   * @default 5_000
   */
  readonly keepAliveTimeoutMillis?: number;
  /**
   * Most connections open at once; more are closed as they arrive.
   * @default 2_048
   */
  readonly maxConnections?: number;
}

/** The defaults of {@link HttpServerOptions}' own options. */
export const HTTP_SERVER_DEFAULTS = Object.freeze({
  headersTimeoutMillis: 15_000,
  requestTimeoutMillis: 60_000,
  keepAliveTimeoutMillis: 5_000,
  maxConnections: 2_048,
});

/** A token with its roles, as resolved. */
export interface ResolvedToken {
  readonly token: string;
  readonly roles: ReadonlySet<HttpRole>;
}

/** The defaults of {@link HttpHandlerOptions}. */
export const HTTP_HANDLER_DEFAULTS = Object.freeze({
  maxBodyBytes: 16 * 1024 * 1024,
  maxBodyMemoryBytes: 64 * 1024 * 1024,
  readOnly: false,
  basePath: '',
  maxWatchers: 256,
  keepAliveMillis: 15_000,
  maxStreamBufferBytes: 1024 * 1024,
  console: true,
  eventReplayLength: 1024,
});

/** Options with every default applied. */
export interface ResolvedHttpHandlerOptions {
  readonly controller: Controller | null;
  readonly kvConfig: KvConfigStore | null;
  readonly metrics: NamesrvMetrics | null;
  /** True when the handler made `metrics` and so detaches it on close. */
  readonly ownsMetrics: boolean;
  readonly maxBodyBytes: number;
  /** Where request bodies are charged as they arrive. */
  readonly bodyMemory: BodyMemory;
  readonly authorize: ((req: IncomingMessage) => boolean | Promise<boolean>) | null;
  readonly readOnly: boolean;
  readonly basePath: string;
  readonly maxWatchers: number;
  readonly keepAliveMillis: number;
  readonly maxStreamBufferBytes: number;
  readonly onError: (error: unknown, req: IncomingMessage) => void;
  readonly console: boolean;
  readonly ready: () => boolean;
  /** `host:port;host:port`, or null when not configured. */
  readonly nsAddrs: string | null;
  /** null when tokens are not in use. */
  readonly tokens: readonly ResolvedToken[] | null;
  readonly eventReplayLength: number;
  readonly version: string;
  /** null when off. */
  readonly consoleHistory: ResolvedConsoleHistoryOptions | null;
}

function logError(error: unknown, req: IncomingMessage): void {
  console.error(`rocketmq-namesrv/http: unexpected error serving ${req.method ?? '?'} ${req.url ?? '?'}`, error);
}

/** The option names {@link createHttpHandler} accepts; any other key is refused. */
const HTTP_HANDLER_OPTION_KEYS: ReadonlySet<string> = new Set([
  'kvConfig', 'metrics', 'maxBodyBytes', 'maxBodyMemoryBytes', 'memoryBudget', 'authorize', 'readOnly', 'basePath', 'maxWatchers', 'keepAliveMillis',
  'maxStreamBufferBytes', 'onError', 'console', 'ready', 'nsAddrs', 'tokens', 'eventReplayLength', 'version',
  'consoleHistory',
  'controller',
]);

/** Applies defaults and validates; throws {@link InvalidOptionError}. */
export function resolveHttpHandlerOptions(options?: HttpHandlerOptions): ResolvedHttpHandlerOptions {
  const o = checkOptions(options, 'the HTTP handler', HTTP_HANDLER_OPTION_KEYS) as HttpHandlerOptions;
  const d = HTTP_HANDLER_DEFAULTS;
  const kv = checkInstance(o.kvConfig, 'kvConfig', 'KvConfigStore', ['get', 'put', 'getKVListByNamespace']);
  const metrics = o.metrics === false
    ? false
    : checkInstance(o.metrics, 'metrics', 'NamesrvMetrics or false', ['observeRequest', 'toPrometheus']);
  const basePath = o.basePath ?? d.basePath;
  if (typeof basePath !== 'string' || (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/')))
    || /[?#]/.test(basePath)) {
    throw new InvalidOptionError('options.basePath', `must be '' or start with '/' and not end with '/', got ${String(basePath)}`);
  }
  return {
    controller: checkInstance(o.controller, 'controller', 'Controller', ['view', 'metadata']),
    kvConfig: kv,
    metrics: metrics === false ? null : (metrics ?? new NamesrvMetrics()),
    ownsMetrics: o.metrics === undefined,
    maxBodyBytes: checkPositiveInteger(o.maxBodyBytes, d.maxBodyBytes, 'maxBodyBytes'),
    bodyMemory: new BodyMemory(
      checkPositiveInteger(o.maxBodyMemoryBytes, d.maxBodyMemoryBytes, 'maxBodyMemoryBytes'),
      checkInstance(o.memoryBudget, 'memoryBudget', 'memory budget with tryReserve and release', ['tryReserve', 'release']),
    ),
    authorize: checkFunction(o.authorize, 'authorize'),
    readOnly: checkFlag(o.readOnly, d.readOnly, 'readOnly'),
    basePath,
    maxWatchers: checkPositiveInteger(o.maxWatchers, d.maxWatchers, 'maxWatchers'),
    keepAliveMillis: checkPositiveInteger(o.keepAliveMillis, d.keepAliveMillis, 'keepAliveMillis'),
    maxStreamBufferBytes: checkPositiveInteger(o.maxStreamBufferBytes, d.maxStreamBufferBytes, 'maxStreamBufferBytes'),
    onError: checkFunction(o.onError, 'onError') ?? logError,
    console: checkFlag(o.console, d.console, 'console'),
    ready: checkFunction(o.ready, 'ready') ?? alwaysReady,
    nsAddrs: nsAddrsOf(o.nsAddrs),
    tokens: tokensOf(o.tokens),
    eventReplayLength: checkPositiveInteger(o.eventReplayLength, d.eventReplayLength, 'eventReplayLength'),
    version: o.version === undefined ? VERSION : nonEmptyString(o.version, 'version'),
    // Without the console nobody draws the graphs: no sampler unless asked for.
    consoleHistory: o.console === false && o.consoleHistory === undefined ? null : resolveConsoleHistoryOptions(o.consoleHistory),
  };
}

/** Validates the server's own options and applies their defaults. */
export function resolveHttpServerLimits(options: HttpServerOptions = {}): Required<Pick<HttpServerOptions,
  'headersTimeoutMillis' | 'requestTimeoutMillis' | 'keepAliveTimeoutMillis' | 'maxConnections'>> {
  const d = HTTP_SERVER_DEFAULTS;
  const limits = {
    headersTimeoutMillis: checkPositiveInteger(options.headersTimeoutMillis, d.headersTimeoutMillis, 'headersTimeoutMillis'),
    requestTimeoutMillis: checkPositiveInteger(options.requestTimeoutMillis, d.requestTimeoutMillis, 'requestTimeoutMillis'),
    keepAliveTimeoutMillis: checkPositiveInteger(options.keepAliveTimeoutMillis, d.keepAliveTimeoutMillis, 'keepAliveTimeoutMillis'),
    maxConnections: checkPositiveInteger(options.maxConnections, d.maxConnections, 'maxConnections'),
  };
  // Node cannot enforce a header deadline later than the whole request's.
  if (limits.headersTimeoutMillis > limits.requestTimeoutMillis) {
    throw new InvalidOptionError('options.headersTimeoutMillis', 'must not exceed options.requestTimeoutMillis');
  }
  return limits;
}

function alwaysReady(): boolean {
  return true;
}

const ROLES: ReadonlySet<string> = new Set<HttpRole>(['client', 'broker', 'admin']);

function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidOptionError(`options.${name}`, `must be a non-empty string`);
  return value;
}

function nsAddrsOf(value: HttpHandlerOptions['nsAddrs']): string | null {
  if (value === undefined) return null;
  const list = typeof value === 'string' ? value.split(';') : value;
  if (!Array.isArray(list)) throw new InvalidOptionError('options.nsAddrs', 'must be an array of host:port or a ;-separated string');
  const addrs = list.map((a: unknown) => (typeof a === 'string' ? a.trim() : a)).filter((a) => a !== '');
  // Each is `host:port` (a bracketed IPv6 host too); the separator and whitespace would corrupt the list.
  for (const a of addrs) {
    if (typeof a !== 'string' || !/^[^\s;]+:\d{1,5}$/.test(a)) {
      throw new InvalidOptionError(`options.nsAddrs`, `entries must be host:port, got ${String(a)}`);
    }
  }
  if (addrs.length === 0) throw new InvalidOptionError('options.nsAddrs', 'must name at least one address');
  return addrs.join(';');
}

function tokensOf(value: HttpHandlerOptions['tokens']): readonly ResolvedToken[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new InvalidOptionError('options.tokens', 'must be an array of { token, roles }');
  return value.map((entry: unknown, i) => {
    const e = entry as { token?: unknown; roles?: unknown } | null;
    if (typeof e !== 'object' || e === null || typeof e.token !== 'string' || e.token.length === 0) {
      throw new InvalidOptionError(`options.tokens[${i}].token`, `must be a non-empty string`);
    }
    if (!Array.isArray(e.roles) || e.roles.some((r) => typeof r !== 'string' || !ROLES.has(r))) {
      throw new InvalidOptionError(`options.tokens[${i}].roles`, "must list 'client', 'broker' or 'admin'");
    }
    return { token: e.token, roles: new Set(e.roles as HttpRole[]) };
  });
}



