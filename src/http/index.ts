/**
 * `rocketmq-namesrv/http`: the route registry as JSON over HTTP, with
 * Server-Sent Event route watching and Prometheus metrics. No framework:
 * {@link createHttpHandler} is a plain `node:http` request listener.
 *
 * Endpoints (under `basePath`, default the root):
 * - `GET /health`, `GET /metrics`
 * - `GET /cluster`, `GET /topics`, `GET /clusters/:cluster/topics`
 * - `GET /topics/:topic/route` (`?watch=1` or `Accept: text/event-stream`: a
 *   stream of `route` events), `DELETE /topics/:topic[?cluster=]`
 * - `GET /events[?routes=1]`: a stream of `brokerRegistered`,
 *   `brokerUnregistered` (and `topicRouteChanged`) events
 * - `POST /brokers` (register), `DELETE /brokers` (unregister, one or an
 *   array), `POST /brokers/heartbeat`,
 *   `POST /brokers/:brokerName/wipe-write-perm`, `POST /brokers/:brokerName/add-write-perm`
 * - `GET /kv/:namespace`, `GET|PUT|DELETE /kv/:namespace/:key`
 * @packageDocumentation
 */
export { createHttpHandler, createHttpServer, NamesrvHttpServer } from './handler.js';
export type { HttpHandler } from './handler.js';
export { HTTP_HANDLER_DEFAULTS } from './options.js';
export type { HttpHandlerOptions } from './options.js';
export { NamesrvMetrics, NAMESRV_METRICS_DEFAULTS, REQUEST_DURATION_BUCKETS_SECONDS } from '../core/metrics.js';
export type { MetricsAdapter, NamesrvMetricsOptions } from '../core/metrics.js';
