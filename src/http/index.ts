/**
 * `rocketmq-namesrv/http`: the route registry as JSON over HTTP, with
 * Server-Sent Event route watching and Prometheus metrics. No framework:
 * {@link createHttpHandler} is a plain `node:http` request listener.
 *
 * Endpoints (under `basePath`, default the root):
 * - `GET /`: the operator console (unless `console: false`)
 * - `GET /health`, `GET /health/live`, `GET /health/ready`, `GET /metrics`
 * - `GET /rocketmq/nsaddr`: the name server list (with `nsAddrs`)
 * - `GET /cluster`, `GET /topics`, `GET /clusters/:cluster/topics`
 * - `GET /topics/:topic/route` (`?watch=1` or `Accept: text/event-stream`: a
 *   stream of `route` events), `DELETE /topics/:topic[?cluster=]`
 * - `GET /events[?routes=1]`: a stream of `brokerRegistered`,
 *   `brokerUnregistered`, `kvChanged` (and `topicRouteChanged`) events, each
 *   with an `id:`; `Last-Event-ID` resumes, or gets `reset` when too old
 * - `GET /brokers`: the live broker addresses
 * - `POST /brokers` (register), `DELETE /brokers` (unregister, one or an
 *   array), `POST /brokers/heartbeat`,
 *   `POST /brokers/:brokerName/wipe-write-perm`, `POST /brokers/:brokerName/add-write-perm`
 * - `GET /kv` (namespaces), `GET /kv/:namespace`, `GET|PUT|DELETE /kv/:namespace/:key`
 * - `GET /routes?topic=a&topic=b`: several topics' routes in one request (at most 200)
 * - for the console: `GET /console.js`, `GET /stats/history[?after=seq]` (graph samples),
 *   `GET /brokers/:brokerAddr/timeline[?cluster=]`, `GET /brokers/:brokerName/topics`,
 *   `GET /topics/:topic/requesters`
 * @packageDocumentation
 */
export { createHttpHandler, createHttpServer, NamesrvHttpServer } from './handler.js';
export type { HttpHandler } from './handler.js';
export { HTTP_HANDLER_DEFAULTS, HTTP_SERVER_DEFAULTS } from './options.js';
export type { HttpHandlerOptions, HttpRole, HttpServerOptions } from './options.js';
export type { HttpMemoryBudget } from './body-memory.js';
export { CONSOLE_HISTORY_DEFAULTS } from './console/history-options.js';
export type { ConsoleHistoryOptions, ConsoleMemoryStats } from './console/history-options.js';
