/**
 * Embeds a route registry in a host process and serves it over HTTP.
 *
 *   npx tsx examples/http-server.ts            # then open http://127.0.0.1:8080/ (the console), or:
 *   curl localhost:8080/health
 *   curl -N 'localhost:8080/topics/TopicTest/route?watch=1'
 *   curl -X POST -H 'content-type: application/json' -H 'authorization: Bearer secret' localhost:8080/brokers -d '{
 *     "clusterName": "DefaultCluster", "brokerName": "broker-a", "brokerId": 0, "brokerAddr": "10.0.0.1:10911",
 *     "topicConfigWrapper": { "dataVersion": { "timestamp": 1, "counter": 1 }, "topicConfigTable": {
 *       "broker-a": { "topicName": "broker-a", "readQueueNums": 1, "writeQueueNums": 1, "perm": 7 },
 *       "TopicTest": { "topicName": "TopicTest", "readQueueNums": 4, "writeQueueNums": 4, "perm": 6 } } } }'
 *
 * In an application, import from `rocketmq-namesrv` and `rocketmq-namesrv/http`.
 */
import { KvConfigStore, RouteRegistry } from 'rocketmq-namesrv';
import { createHttpServer } from 'rocketmq-namesrv/http';
import { NamesrvMetrics } from 'rocketmq-namesrv/metrics';

const port = Number(process.env.PORT ?? 8080);
// Loopback unless told otherwise: the write routes below must not face a network by accident.
const host = process.env.HOST ?? '127.0.0.1';
const token = process.env.NAMESRV_TOKEN ?? 'secret';

// Memory-only unless KV_CONFIG_PATH names a kvConfig.json to persist to.
const kvPath = process.env.KV_CONFIG_PATH;
const kvConfig = new KvConfigStore(kvPath === undefined ? {} : { path: kvPath });
await kvConfig.load();
const registry = new RouteRegistry({ kvConfig });
// One metrics instance can serve every adapter (pass it to the remoting server too).
const metrics = new NamesrvMetrics();
metrics.attach(registry);

const server = createHttpServer(registry, {
  kvConfig,
  metrics,
  // Reads are open; registrations and other changes need the token.
  authorize: (req) => {
    if (req.headers.authorization === undefined) throw new Error('no credentials'); // → 401
    return req.headers.authorization === `Bearer ${token}`; // false → 403
  },
  onError: (err, req) => console.error(`${req.method} ${req.url} failed`, err),
});

// Log broker comings and goings, as the `/events` stream would show them.
registry.on('brokerRegistered', (e) => console.log(`broker up: ${e.brokerName}/${e.brokerId} at ${e.brokerAddr}`));
registry.on('brokerUnregistered', (e) => console.log(`broker down (${e.reason}): ${e.brokerName}/${e.brokerId}`));

registry.start(); // drops brokers that stop sending heartbeats
server.listen(port, host, () => console.log(`name server HTTP adapter on http://${host}:${port}/`));

const shutdown = (): void => {
  registry.close();
  // Also ends open event streams, so this completes.
  server.close(() => {
    void kvConfig.flush().finally(() => process.exit(0));
  });
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
