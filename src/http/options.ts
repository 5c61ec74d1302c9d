/**
 * Options of the HTTP adapter: one readonly type, defaults in one place,
 * validated when the handler is created.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { InvalidOptionError } from '../core/errors.js';
import { checkFlag, checkFunction, checkInstance, checkOptions, checkPositiveInteger } from '../core/option-checks.js';
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

/** The option names {@link createHttpHandler} accepts; any other key is refused. */
const HTTP_HANDLER_OPTION_KEYS: ReadonlySet<string> = new Set([
  'kvConfig', 'metrics', 'maxBodyBytes', 'authorize', 'readOnly', 'basePath', 'maxWatchers', 'keepAliveMillis',
  'maxStreamBufferBytes', 'onError',
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
    kvConfig: kv,
    metrics: metrics === false ? null : (metrics ?? new NamesrvMetrics()),
    ownsMetrics: o.metrics === undefined,
    maxBodyBytes: checkPositiveInteger(o.maxBodyBytes, d.maxBodyBytes, 'maxBodyBytes'),
    authorize: checkFunction(o.authorize, 'authorize'),
    readOnly: checkFlag(o.readOnly, d.readOnly, 'readOnly'),
    basePath,
    maxWatchers: checkPositiveInteger(o.maxWatchers, d.maxWatchers, 'maxWatchers'),
    keepAliveMillis: checkPositiveInteger(o.keepAliveMillis, d.keepAliveMillis, 'keepAliveMillis'),
    maxStreamBufferBytes: checkPositiveInteger(o.maxStreamBufferBytes, d.maxStreamBufferBytes, 'maxStreamBufferBytes'),
    onError: checkFunction(o.onError, 'onError') ?? logError,
  };
}
