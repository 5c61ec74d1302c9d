/**
 * The endpoints: each one a thin call into the registry or the KV store.
 * @internal
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { InvalidRequestError } from '../core/errors.js';
import type { RouteRegistry } from '../core/registry.js';
import type { RegisterBrokerRequest, RegisterBrokerStatus, UnregisterBrokerRequest } from '../core/types.js';
import type { ConsoleHistory } from './console/history.js';
import type { ResolvedHttpHandlerOptions } from './options.js';
import { queryFlag, readJsonBody } from './request.js';
import { HttpError, toJson } from './respond.js';
import { Router, type Params } from './router.js';
import type { StreamHub } from './streams.js';

/** What a route is given. */
export interface Call {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Params;
  readonly query: URLSearchParams;
}

/** What a route answers: a status with JSON or text, or `null` when it answered itself (a stream). */
export type Reply =
  | { readonly status: number; readonly json: string }
  | {
    readonly status: number; readonly text: string; readonly contentType: string;
    readonly headers?: Readonly<Record<string, string>>;
  }
  | { readonly status: 204 }
  | null;

/** A route's implementation. */
export type RouteHandler = (call: Call) => Reply | Promise<Reply>;

/** What the routes need besides the registry. */
export interface RouteDeps {
  readonly registry: RouteRegistry;
  readonly options: ResolvedHttpHandlerOptions;
  readonly streams: StreamHub;
  /** False once the handler is closed: `/health` then answers 503. */
  readonly isOpen: () => boolean;
  /** `performance.now()` when the handler was made: `/health`'s uptime. */
  readonly startedAt: number;
  /** The console's history (graphs, requesters), or null when off. */
  readonly history: ConsoleHistory | null;
}

const NO_CONTENT = Object.freeze({ status: 204 as const });
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function ok(value: unknown): Reply {
  return { status: 200, json: toJson(value) };
}

/** The body as a JSON object; anything else is an invalid request. */
function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('body', 'must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Who may call a route: reads need `client`, probes nothing, writes `admin` (brokers' own writes `broker`). */
const READ = { mutating: false, access: 'client' } as const;
// Probes (kubelet, load balancers) and Java's address lookup send no credentials.
const OPEN = { mutating: false, access: 'public' } as const;
const WRITE = { mutating: true, access: 'admin' } as const;
const BROKER_WRITE = { mutating: true, access: 'broker' } as const;

/** A route's JSON body, read within the body limits and memory charge. */
type BodyReader = (call: Call) => Promise<unknown>;

/** Builds the router of every endpoint, group by group. */
export function buildRouter(deps: RouteDeps): Router<RouteHandler> {
  const { maxBodyBytes, bodyMemory } = deps.options;
  const body: BodyReader = (call) => readJsonBody(call.req, maxBodyBytes, bodyMemory);
  const router = new Router<RouteHandler>();
  addProbeRoutes(router, deps);
  addRouteQueries(router, deps);
  addBrokerRoutes(router, deps, body);
  addKvRoutes(router, deps, body);
  return router;
}

/** Health, readiness, the address server and metrics. */
function addProbeRoutes(router: Router<RouteHandler>, deps: RouteDeps): void {
  const { registry, options, streams } = deps;
  router.add('GET', '/health', OPEN, () => {
    const serving = deps.isOpen();
    return {
      status: serving ? 200 : 503,
      json: JSON.stringify({
        status: serving ? 'ok' : 'closing',
        version: options.version,
        uptimeSeconds: Math.floor((performance.now() - deps.startedAt) / 1000),
        brokers: registry.liveBrokerCount,
        topics: registry.topicCount,
        streams: streams.size,
      }),
    };
  });

  // Liveness: answering at all is the proof.
  router.add('GET', '/health/live', OPEN, () => ok({ status: 'ok' }));

  router.add('GET', '/health/ready', OPEN, () => {
    const status = !deps.isOpen() ? 'closing' : options.ready() ? 'ready' : 'not-ready';
    return { status: status === 'ready' ? 200 : 503, json: JSON.stringify({ status }) };
  });

  router.add('GET', '/rocketmq/nsaddr', OPEN, () => {
    if (options.nsAddrs === null) throw new HttpError(404, 'ERR_NOT_FOUND', 'no name server addresses are configured');
    return { status: 200, text: options.nsAddrs, contentType: 'text/plain; charset=utf-8' };
  });

  router.add('GET', '/metrics', READ, async () => {
    if (options.metrics === null) throw new HttpError(404, 'ERR_NOT_FOUND', 'metrics are turned off');
    return { status: 200, text: await options.metrics.toPrometheus(), contentType: PROMETHEUS_CONTENT_TYPE };
  });
}

/** Cluster, controller, topics, routes and the event streams. */
function addRouteQueries(router: Router<RouteHandler>, deps: RouteDeps): void {
  const { registry, options, streams } = deps;
  router.add('GET', '/cluster', READ, () => ok(registry.getAllClusterInfo()));

  // The RocketMQ 5 controller's groups: master, epochs, sync-state set, inactive replicas.
  router.add('GET', '/controller', READ, () => {
    if (options.controller === null) throw new HttpError(404, 'ERR_NOT_FOUND', 'no controller runs here (enableControllerInNamesrv)');
    return ok(options.controller.view());
  });

  router.add('GET', '/topics', READ, () => ok({ topicList: registry.getAllTopicList() }));

  router.add('GET', '/clusters/:cluster/topics', READ, ({ params }) =>
    ok({ topicList: registry.getTopicsByCluster(params.get('cluster')) }));

  router.add('GET', '/topics/:topic/route', READ, ({ req, res, params, query }) => {
    const topic = params.get('topic');
    const wantsStream = queryFlag(query, 'watch') || (req.headers.accept ?? '').includes('text/event-stream');
    if (wantsStream && req.method === 'GET') {
      streams.watchRoute(res, topic);
      return null;
    }
    const route = registry.getRouteInfoByTopic(topic);
    options.metrics?.observeRouteLookup('http', route !== null);
    deps.history?.routeRequested(topic, req.socket.remoteAddress ?? 'unknown', route !== null);
    if (route === null) {
      // RocketMQ's remark for TOPIC_NOT_EXIST.
      throw new HttpError(404, 'ERR_TOPIC_NOT_EXIST', `No topic route info in name server for the topic: ${topic}`);
    }
    return ok(route);
  });

  router.add('DELETE', '/topics/:topic', WRITE, ({ params, query }) => {
    registry.deleteTopic(params.get('topic'), query.get('cluster'));
    return NO_CONTENT;
  });

  router.add('GET', '/events', READ, ({ req, res, query }) => {
    const lastEventId = req.headers['last-event-id'];
    streams.watchEvents(res, queryFlag(query, 'routes'), typeof lastEventId === 'string' ? lastEventId : undefined);
    return null;
  });
}

/** Live brokers, registration, unregistration, heartbeats and write permissions. */
function addBrokerRoutes(router: Router<RouteHandler>, deps: RouteDeps, body: BodyReader): void {
  const { registry } = deps;
  router.add('GET', '/brokers', READ, ({ res }) => {
    // The registry's clock, so a page can show heartbeat ages even when it is not wall time.
    res.setHeader('X-Namesrv-Now', String(registry.options.now()));
    return ok(registry.getLiveBrokers());
  });

  router.add('POST', '/brokers', BROKER_WRITE, async (call) => {
    // The channel is the remoting adapter's connection handle; HTTP brokers live by heartbeats alone.
    const req = { ...objectBody(await body(call)), channel: undefined } as unknown as RegisterBrokerRequest;
    const status: RegisterBrokerStatus = {};
    const result = registry.registerBroker(req, status);
    if (result === null) throw new HttpError(409, 'ERR_REGISTRATION_REFUSED', `the registry refused this registration: ${status.reason}`);
    return ok(result);
  });

  // Unregistering is an operator's write over HTTP (`admin`), not a broker's heartbeat.
  router.add('DELETE', '/brokers', WRITE, async (call) => {
    const payload = await body(call);
    if (Array.isArray(payload)) registry.unregisterBrokers(payload as UnregisterBrokerRequest[]);
    else registry.unregisterBroker(objectBody(payload) as unknown as UnregisterBrokerRequest);
    return NO_CONTENT;
  });

  router.add('POST', '/brokers/heartbeat', BROKER_WRITE, async (call) => {
    const { clusterName, brokerAddr } = objectBody(await body(call));
    // Validates both names; a broker that is not live must register again, so say so.
    if (!registry.updateBrokerInfoUpdateTimestamp(clusterName as string, brokerAddr as string)) {
      throw new HttpError(404, 'ERR_BROKER_NOT_LIVE', `broker ${String(brokerAddr)} of cluster ${String(clusterName)} is not registered`);
    }
    return NO_CONTENT;
  });

  router.add('POST', '/brokers/:brokerName/wipe-write-perm', WRITE, ({ params }) =>
    ok({ wipeTopicCount: registry.wipeWritePermOfBroker(params.get('brokerName')) }));

  router.add('POST', '/brokers/:brokerName/add-write-perm', WRITE, ({ params }) =>
    ok({ addTopicCount: registry.addWritePermOfBroker(params.get('brokerName')) }));
}

/** The KV store (501 without one). */
function addKvRoutes(router: Router<RouteHandler>, deps: RouteDeps, body: BodyReader): void {
  const { options } = deps;
  const kv = (): NonNullable<ResolvedHttpHandlerOptions['kvConfig']> => {
    if (options.kvConfig === null) throw new HttpError(501, 'ERR_KV_DISABLED', 'no KV config store is configured');
    return options.kvConfig;
  };

  // No store: no namespaces (the per-namespace and per-key routes answer 501).
  router.add('GET', '/kv', READ, () => ok({ namespaces: options.kvConfig === null ? [] : options.kvConfig.namespaces() }));

  router.add('GET', '/kv/:namespace', READ, ({ params }) => {
    const namespace = params.get('namespace');
    const list = kv().getKVListByNamespace(namespace);
    if (list === null) throw new HttpError(404, 'ERR_KV_NOT_FOUND', `no KV entries in namespace ${namespace}`);
    return ok(list);
  });

  router.add('GET', '/kv/:namespace/:key', READ, ({ params }) => {
    const namespace = params.get('namespace');
    const key = params.get('key');
    const value = kv().get(namespace, key);
    if (value === null) throw new HttpError(404, 'ERR_KV_NOT_FOUND', `no KV entry ${key} in namespace ${namespace}`);
    return ok({ value });
  });

  router.add('PUT', '/kv/:namespace/:key', WRITE, async (call) => {
    const store = kv();
    const { value } = objectBody(await body(call));
    store.put(call.params.get('namespace'), call.params.get('key'), value as string);
    // Answer once it is on disk, as RocketMQ persists before replying.
    await store.flush();
    return NO_CONTENT;
  });

  router.add('DELETE', '/kv/:namespace/:key', WRITE, async ({ params }) => {
    const store = kv();
    store.delete(params.get('namespace'), params.get('key'));
    await store.flush();
    return NO_CONTENT;
  });
}
