/**
 * The endpoints the console needs beyond the JSON API: the page and its
 * script, graph samples, broker timelines and topics, recent route
 * requesters, and routes of many topics in one request.
 * @internal
 */
import type { RouteRegistry } from '../../core/registry.js';
import type { ResolvedHttpHandlerOptions } from '../options.js';
import { HttpError, toJson } from '../respond.js';
import type { Reply, RouteHandler } from '../routes.js';
import type { Router } from '../router.js';
import { consoleScript } from './bundle.js';
import type { ConsoleHistory } from './history.js';
import { consolePage } from './page.js';

/** Most topics one `GET /routes` may ask for (a screen of rows is far fewer). */
export const MAX_BATCH_TOPICS = 200;
/** Most topic names `GET /brokers/:brokerName/topics` lists (`total` says how many there are). */
export const MAX_BROKER_TOPICS = 1_000;

/** What the console routes need. */
export interface ConsoleRouteDeps {
  readonly registry: RouteRegistry;
  readonly options: ResolvedHttpHandlerOptions;
  /** null when `consoleHistory: false`. */
  readonly history: ConsoleHistory | null;
}

function ok(value: unknown): Reply {
  return { status: 200, json: toJson(value) };
}

/** Adds the console's endpoints to `router`. */
export function addConsoleRoutes(router: Router<RouteHandler>, deps: ConsoleRouteDeps): void {
  const { registry, options } = deps;
  const read = { mutating: false, access: 'client' } as const;
  // The page and its script hold no data (they fetch it), so loading them needs no token; their requests do.
  const open = { mutating: false, access: 'public' } as const;

  if (options.console) {
    const page = consolePage(options.basePath, { kvConfig: options.kvConfig !== null, controller: options.controller !== null });
    router.add('GET', '/', open, () => ({ status: 200, text: page.html, contentType: 'text/html; charset=utf-8', headers: page.headers }));
    router.add('GET', '/console.js', open, async () => ({
      status: 200, text: await consoleScript(), contentType: 'text/javascript; charset=utf-8',
      headers: { 'X-Content-Type-Options': 'nosniff' },
    }));
  }

  router.add('GET', '/routes', read, ({ query }) => ({ status: 200, json: batchRoutes(registry, query.getAll('topic')) }));

  router.add('GET', '/topics/:topic/requesters', read, ({ params }) =>
    ok({ requesters: historyOf(deps).requesters.of(params.get('topic')) }));

  router.add('GET', '/stats/history', read, ({ query }) => {
    const after = Number(query.get('after') ?? '0');
    return ok(historyOf(deps).reply(Number.isSafeInteger(after) && after > 0 ? after : 0));
  });

  router.add('GET', '/brokers/:brokerAddr/timeline', read, ({ params, query }) =>
    ok({ timelines: historyOf(deps).timelines.of(params.get('brokerAddr'), query.get('cluster')) }));

  router.add('GET', '/brokers/:brokerName/topics', read, ({ params }) => ok(brokerTopics(registry, params.get('brokerName'))));
}

function historyOf(deps: ConsoleRouteDeps): ConsoleHistory {
  if (deps.history === null) throw new HttpError(404, 'ERR_HISTORY_OFF', 'the console history is turned off (consoleHistory: false)');
  return deps.history;
}

/**
 * `{ routes: [{ topic, route }] }`: each topic's route (null when it has none), in the order asked, each
 * route's JSON the registry's cached snapshot text. A page's lookup, not counted as a client's.
 */
function batchRoutes(registry: RouteRegistry, topics: readonly string[]): string {
  if (topics.length > MAX_BATCH_TOPICS) {
    throw new HttpError(400, 'ERR_TOO_MANY_TOPICS', `at most ${MAX_BATCH_TOPICS} topics per request, got ${topics.length}`);
  }
  const items = [...new Set(topics)].map((topic) => `{"topic":${JSON.stringify(topic)},"route":${toJson(registry.getRouteInfoByTopic(topic))}}`);
  return `{"routes":[${items.join(',')}]}`;
}

/** The topics with queues on broker group `brokerName` (scans its cluster's topics: an operator's click, not a hot path). */
function brokerTopics(registry: RouteRegistry, brokerName: string): { clusterName: string; total: number; topics: string[] } {
  const table = registry.getAllClusterInfo().brokerAddrTable;
  const group = Object.hasOwn(table, brokerName) ? table[brokerName] : undefined;
  if (group === undefined) throw new HttpError(404, 'ERR_BROKER_NOT_FOUND', `no broker group ${brokerName}`);
  const topics: string[] = [];
  let total = 0;
  for (const topic of registry.getTopicsByCluster(group.cluster)) {
    const route = registry.getRouteInfoByTopic(topic);
    if (route === null || !route.queueDatas.some((q) => q.brokerName === brokerName)) continue;
    total++;
    if (topics.length < MAX_BROKER_TOPICS) topics.push(topic);
  }
  return { clusterName: group.cluster, total, topics: topics.sort() };
}
