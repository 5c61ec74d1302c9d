/**
 * `rocketmq-namesrv/metrics`: the name server's Prometheus metrics on
 * prom-client, for the adapters' `metrics` option and `GET /metrics`.
 * @packageDocumentation
 */
export { NamesrvMetrics, NAMESRV_METRICS_DEFAULTS, REQUEST_DURATION_BUCKETS_SECONDS, UNKNOWN_OPERATION } from './namesrv-metrics.js';
export type { MetricsAdapter, NamesrvMetricsOptions } from './namesrv-metrics.js';
