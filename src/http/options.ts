/**
 * Options of the HTTP adapter: one readonly type, defaults in one place,
 * validated when the handler is created.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { InvalidOptionError } from '../core/errors.js';
import type { KvConfigStore } from '../core/kv-config.js';
import { NamesrvMetrics } from '../core/metrics.js';

/** Options of {@link createHttpHandler} and {@link createHttpServer}. */
export interface HttpHandlerOptions {
  /** Serves `/kv/…` from this store; without one those routes answer 501. */
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
   * more get 503.
   * @default 1_000
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
   * route instead.)
   * @default 1 MiB
   */
  readonly maxStreamBufferBytes?: number;
  /**
   * Told about every unexpected error (answered with 500).
   * @default logs with `console.error`
   */
  readonly onError?: (error: unknown, req: IncomingMessage) => void;
}

/** The defaults of {@link HttpHandlerOptions}. */
export const HTTP_HANDLER_DEFAULTS = Object.freeze({
  maxBodyBytes: 16 * 1024 * 1024,
  readOnly: false,
  basePath: '',
  maxWatchers: 1_000,
  keepAliveMillis: 15_000,
  maxStreamBufferBytes: 1024 * 1024,
});

/** Options with every default applied. */
export interface ResolvedHttpHandlerOptions {
  readonly kvConfig: KvConfigStore | null;
  readonly metrics: NamesrvMetrics | null;
  /** True when the handler made `metrics` and so detaches it on close. */
  readonly ownsMetrics: boolean;
  readonly maxBodyBytes: number;
  readonly authorize: ((req: IncomingMessage) => boolean | Promise<boolean>) | null;
  readonly readOnly: boolean;
  readonly basePath: string;
  readonly maxWatchers: number;
  readonly keepAliveMillis: number;
  readonly maxStreamBufferBytes: number;
  readonly onError: (error: unknown, req: IncomingMessage) => void;
}

function logError(error: unknown, req: IncomingMessage): void {
  console.error(`rocketmq-namesrv/http: unexpected error serving ${req.method ?? '?'} ${req.url ?? '?'}`, error);
}

/** Applies defaults and validates; throws {@link InvalidOptionError}. */
export function resolveHttpHandlerOptions(options: HttpHandlerOptions = {}): ResolvedHttpHandlerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('HTTP handler options must be an object');
  }
  const d = HTTP_HANDLER_DEFAULTS;
  const kv = options.kvConfig;
  if (kv !== undefined && (typeof kv !== 'object' || kv === null || typeof kv.get !== 'function'
    || typeof kv.put !== 'function' || typeof kv.getKVListByNamespace !== 'function')) {
    throw new InvalidOptionError('options.kvConfig must be a KvConfigStore');
  }
  const metrics = options.metrics;
  // Duck-typed: an instance made through another entry point's copy of the class is fine.
  if (metrics !== undefined && metrics !== false && (typeof metrics !== 'object' || metrics === null
    || typeof metrics.observeRequest !== 'function' || typeof metrics.toPrometheus !== 'function')) {
    throw new InvalidOptionError('options.metrics must be a NamesrvMetrics or false');
  }
  const basePath = options.basePath ?? d.basePath;
  if (typeof basePath !== 'string' || (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/')))
    || /[?#]/.test(basePath)) {
    throw new InvalidOptionError(`options.basePath must be '' or start with '/' and not end with '/', got ${String(basePath)}`);
  }
  return {
    kvConfig: kv ?? null,
    metrics: metrics === false ? null : (metrics ?? new NamesrvMetrics()),
    ownsMetrics: metrics === undefined,
    maxBodyBytes: positiveInteger(options.maxBodyBytes, d.maxBodyBytes, 'maxBodyBytes'),
    authorize: fn(options.authorize, 'authorize'),
    readOnly: flag(options.readOnly, d.readOnly, 'readOnly'),
    basePath,
    maxWatchers: positiveInteger(options.maxWatchers, d.maxWatchers, 'maxWatchers'),
    keepAliveMillis: positiveInteger(options.keepAliveMillis, d.keepAliveMillis, 'keepAliveMillis'),
    maxStreamBufferBytes: positiveInteger(options.maxStreamBufferBytes, d.maxStreamBufferBytes, 'maxStreamBufferBytes'),
    onError: fn(options.onError, 'onError') ?? logError,
  };
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(`options.${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function flag(value: boolean | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionError(`options.${name} must be a boolean, got ${String(value)}`);
  return value;
}

function fn<F extends (...args: never[]) => unknown>(value: F | undefined, name: string): F | null {
  if (value === undefined) return null;
  if (typeof value !== 'function') throw new InvalidOptionError(`options.${name} must be a function`);
  return value;
}
