/**
 * The request listener: routing, guards, error mapping and request metrics.
 * @module
 */
import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { InvalidOptionError } from '../core/errors.js';
import type { RouteRegistry } from '../core/registry.js';
import type { NamesrvMetrics } from '../metrics/namesrv-metrics.js';
import { TokenGuard } from './auth.js';
import {
  resolveHttpHandlerOptions, resolveHttpServerLimits, type HttpHandlerOptions, type HttpServerOptions,
  type ResolvedHttpHandlerOptions,
} from './options.js';
import { ClientGoneError, isCrossSite, parseTarget, type Target } from './request.js';
import { HttpError, sendError, sendJson, sendText } from './respond.js';
import { ConsoleHistory } from './console/history.js';
import { addConsoleRoutes } from './console/routes.js';
import { buildRouter, type Reply, type RouteHandler } from './routes.js';
import type { Endpoint, Router } from './router.js';
import { StreamHub } from './streams.js';

/** A `node:http` request listener serving a {@link RouteRegistry}, with a way to end its event streams. */
export interface HttpHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Event streams (route watchers and `/events` clients) open now. */
  readonly streamCount: number;
  /** Where the handler records metrics (`null` when turned off); servers report their connections there. */
  readonly metrics: NamesrvMetrics | null;
  /**
   * Ends every event stream, refuses new ones, makes `/health` answer 503 and
   * detaches the metrics the handler made itself. Other requests are still
   * served. Idempotent. Call it before `server.close()`, which otherwise
   * waits for the streams forever.
   */
  close(): void;
}

/** Metrics label of requests that matched no route. */
const UNMATCHED = 'unmatched';
/** Status recorded for a client that went away before the answer (nginx's convention). */
const CLIENT_CLOSED = 499;

/**
 * Creates a `node:http` request listener exposing `registry` as JSON over
 * HTTP, with Server-Sent Event route watching and Prometheus metrics. Works
 * with `http.createServer`, `https.createServer` and frameworks that accept
 * such a listener (it reads a body a framework already parsed into `req.body`).
 *
 * Errors answer `{ "code", "message", "field"? }`: 400 for bad JSON or an
 * invalid request (naming the field), 401/403 from `authorize`, 404 for
 * unknown paths, 405 with `Allow` for a wrong method (or any mutating route
 * when `readOnly`), 413 for a body over `maxBodyBytes`, 500 for anything
 * unexpected (reported to `onError`).
 *
 * @throws {@link InvalidOptionError} when an option is invalid or `registry` is not a registry.
 * @example
 * ```ts
 * const handler = createHttpHandler(registry, { authorize: (req) => req.headers.authorization === `Bearer ${token}` });
 * http.createServer(handler).listen(8080);
 * ```
 */
export function createHttpHandler(registry: RouteRegistry, options?: HttpHandlerOptions): HttpHandler {
  if (typeof registry !== 'object' || registry === null || typeof registry.getRouteInfoByTopic !== 'function'
    || typeof registry.on !== 'function') {
    throw new InvalidOptionError('registry', 'must be a RouteRegistry');
  }
  const resolved = resolveHttpHandlerOptions(options);
  // Like the remoting adapter: without a store of its own, the handler serves the registry's.
  const o = resolved.kvConfig === null && registry.options.kvConfig !== null
    ? { ...resolved, kvConfig: registry.options.kvConfig }
    : resolved;
  o.metrics?.attach(registry);
  const streams = new StreamHub(registry, {
    keepAliveMillis: o.keepAliveMillis,
    maxStreams: o.maxWatchers,
    maxBufferBytes: o.maxStreamBufferBytes,
    replayLength: o.eventReplayLength,
    kvConfig: o.kvConfig,
    controller: o.controller,
  });
  let open = true;
  const history = o.consoleHistory === null ? null : new ConsoleHistory(registry, o.consoleHistory);
  const router = buildRouter({ registry, options: o, streams, isOpen: () => open, startedAt: performance.now(), history });
  addConsoleRoutes(router, { registry, options: o, history });
  const guards: Guards = { router, o, tokens: o.tokens === null ? null : new TokenGuard(o.tokens) };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void serve(guards, req, res);
  };
  return Object.defineProperties(listener, {
    streamCount: { get: () => streams.size, enumerable: true },
    metrics: { value: o.metrics, enumerable: true },
    close: {
      value: (): void => {
        if (!open) return;
        open = false;
        streams.close();
        history?.close();
        if (o.ownsMetrics) o.metrics?.detach(registry);
      },
      enumerable: true,
    },
  }) as HttpHandler;
}

/** What decides whether a request may run. */
interface Guards {
  readonly router: Router<RouteHandler>;
  readonly o: ResolvedHttpHandlerOptions;
  readonly tokens: TokenGuard | null;
}

async function serve(guards: Guards, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { router, o } = guards;
  const started = performance.now();
  let operation = UNMATCHED;
  let status: number;
  try {
    const target = parseTarget(req.url ?? '/', o.basePath);
    if (target === null) throw notFound();
    const match = router.match(req.method ?? 'GET', target.segments);
    if (match.kind === 'notFound') throw notFound();
    if (match.kind === 'methodNotAllowed') {
      throw new HttpError(405, 'ERR_METHOD_NOT_ALLOWED', `${req.method ?? '?'} is not allowed here`, { Allow: match.allow.join(', ') });
    }
    const endpoint = match.endpoint;
    operation = endpoint.operation;
    if (endpoint.mutating) await guard(guards, endpoint, target, req);
    else if (guards.tokens !== null && endpoint.access !== 'public') guards.tokens.check(req, endpoint.access);
    const reply = await endpoint.handle({ req, res, params: match.params, query: target.query });
    send(req, res, reply);
    status = res.statusCode;
  } catch (err) {
    status = fail(o, req, res, err);
  }
  o.metrics?.observeRequest('http', operation, performance.now() - started, status < 400);
}

/** Read-only mode, the cross-site check, tokens, then `authorize`: cheapest refusals first, bodies unread. */
async function guard(
  { router, o, tokens }: Guards, endpoint: Endpoint<RouteHandler>, target: Target, req: IncomingMessage,
): Promise<void> {
  if (o.readOnly) {
    throw new HttpError(405, 'ERR_READ_ONLY', `${endpoint.method} is not allowed: this name server is read-only over HTTP`,
      { Allow: router.readMethodsOf(target.segments).join(', ') });
  }
  if (isCrossSite(req)) {
    throw new HttpError(403, 'ERR_CROSS_SITE', 'a browser request from another site may not change the name server');
  }
  if (tokens !== null && endpoint.access !== 'public') tokens.check(req, endpoint.access);
  if (o.authorize === null) return;
  let allowed: boolean;
  try {
    allowed = await o.authorize(req);
  } catch {
    throw new HttpError(401, 'ERR_UNAUTHORIZED', 'missing or invalid credentials');
  }
  if (allowed !== true) throw new HttpError(403, 'ERR_FORBIDDEN', `not allowed to ${endpoint.operation}`);
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (reply === null) return;
  if ('json' in reply) sendJson(req, res, reply.status, reply.json);
  else if ('text' in reply) sendText(req, res, reply.status, reply.contentType, reply.text, reply.headers);
  else if (!res.headersSent) {
    res.statusCode = reply.status;
    res.end();
  }
}

/** Answers `err`; returns the status sent. */
function fail(o: ResolvedHttpHandlerOptions, req: IncomingMessage, res: ServerResponse, err: unknown): number {
  if (err instanceof ClientGoneError) {
    res.destroy();
    return CLIENT_CLOSED;
  }
  if (err instanceof HttpError) {
    sendError(req, res, err.status, { code: err.code, message: err.message }, err.headers);
    return err.status;
  }
  if (isInvalidRequest(err)) {
    sendError(req, res, 400, { code: err.code, message: err.message, field: err.field });
    return 400;
  }
  try {
    o.onError(err, req);
  } catch {
    // A failing error hook must not take the server down.
  }
  if (res.headersSent) res.destroy();
  else sendError(req, res, 500, { code: 'ERR_INTERNAL', message: 'internal server error' });
  return 500;
}

/** Duck-typed: the registry may come from another copy of the package (ESM next to CJS). */
function isInvalidRequest(err: unknown): err is Error & { code: string; field: string } {
  return err instanceof Error && (err as { code?: unknown }).code === 'ERR_INVALID_REQUEST'
    && typeof (err as { field?: unknown }).field === 'string';
}

function notFound(): HttpError {
  return new HttpError(404, 'ERR_NOT_FOUND', 'no such endpoint');
}

/** An `http.Server` whose `close()` first ends its handler's event streams. */
export class NamesrvHttpServer extends Server {
  /** The request listener; `close()` closes it too. */
  readonly handler: HttpHandler;

  /** Prefer {@link createHttpServer}. */
  constructor(handler: HttpHandler) {
    super(handler);
    this.handler = handler;
  }

  /** Ends the event streams, then stops accepting connections as `http.Server.close` does. */
  override close(callback?: (err?: Error) => void): this {
    this.handler.close();
    return super.close(callback);
  }
}

/**
 * An `http.Server` serving {@link createHttpHandler}'s listener; call
 * `listen` on it. Its `close()` also ends the event streams. It cuts off
 * slow requests (`headersTimeoutMillis`, `requestTimeoutMillis`), closes idle
 * keep-alive connections (`keepAliveTimeoutMillis`), refuses connections over
 * `maxConnections`, and reports open connections to the handler's metrics.
 * @throws {@link InvalidOptionError} as {@link createHttpHandler} does, or when a limit is invalid.
 */
export function createHttpServer(registry: RouteRegistry, options?: HttpServerOptions): NamesrvHttpServer {
  const limits = resolveHttpServerLimits(options);
  const {
    headersTimeoutMillis: _h, requestTimeoutMillis: _r, keepAliveTimeoutMillis: _k, maxConnections: _m, ...handlerOptions
  } = options ?? {};
  const server = new NamesrvHttpServer(createHttpHandler(registry, handlerOptions));
  server.headersTimeout = limits.headersTimeoutMillis;
  server.requestTimeout = limits.requestTimeoutMillis;
  server.keepAliveTimeout = limits.keepAliveTimeoutMillis;
  server.maxConnections = limits.maxConnections;
  const metrics = server.handler.metrics;
  if (metrics !== null) {
    let open = 0;
    metrics.setOpenConnections('http', 0);
    server.on('connection', (socket) => {
      metrics.setOpenConnections('http', ++open);
      socket.once('close', () => metrics.setOpenConnections('http', --open));
    });
  }
  return server;
}
