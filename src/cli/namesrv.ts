/**
 * Starting and stopping the standalone name server (RocketMQ's
 * `NamesrvController`): KV store, registry with its scan timer, remoting
 * server and, optionally, the HTTP adapter.
 * @module
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { KvConfigStore } from '../core/kv-config.js';
import { RouteRegistry } from '../core/registry.js';
import { createHttpServer, type NamesrvHttpServer } from '../http/index.js';
import { RemotingServer } from '../remoting/server.js';
import type { NamesrvConfig } from './config.js';
import { NamesrvMetrics } from '../core/metrics.js';

/** Where the name server reports what it does. */
export interface CliLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A started name server. */
export interface RunningNamesrv {
  readonly registry: RouteRegistry;
  readonly kvConfig: KvConfigStore;
  readonly remoting: RemotingServer;
  readonly http: NamesrvHttpServer | null;
  /** The remoting address bound. */
  readonly address: AddressInfo;
  /** The HTTP address bound, or null. */
  readonly httpAddress: AddressInfo | null;
  /** Stops accepting, finishes running requests, stops the scan, flushes the KV file. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a name server as configured.
 * @throws when the KV file cannot be loaded or a port cannot be bound (nothing is left running then).
 */
export async function startNamesrv(config: NamesrvConfig, log: CliLogger): Promise<RunningNamesrv> {
  const kvConfig = new KvConfigStore({ path: config.kvConfigPath });
  kvConfig.on('error', (err) => log.error(`KV config: ${err.message}`));
  await kvConfig.load();
  const registry = new RouteRegistry({
    kvConfig,
    orderMessageEnable: config.orderMessageEnable,
    supportActingMaster: config.supportActingMaster,
    deleteTopicWithBrokerRegistration: config.deleteTopicWithBrokerRegistration,
    scanIntervalMillis: config.scanIntervalMillis,
  });
  registry.on('brokerRegistered', (e) => log.info(`new broker registered, ${e.brokerAddr} (${e.clusterName}/${e.brokerName}, id ${e.brokerId})`));
  registry.on('brokerUnregistered', (e) => log.info(`broker removed (${e.reason}), ${e.brokerAddr} (${e.clusterName}/${e.brokerName}, id ${e.brokerId})`));
  // Only measured when someone can read it: the HTTP API's /metrics.
  const metrics = config.httpPort === null ? undefined : new NamesrvMetrics();
  const remoting = new RemotingServer(registry, {
    metrics,
    port: config.port,
    host: config.host,
    kvConfig,
    maxFrameBytes: config.maxFrameBytes,
    idleTimeoutMillis: config.idleTimeoutMillis,
    returnOrderTopicConfigToBroker: config.returnOrderTopicConfigToBroker,
  });
  remoting.on('protocolError', (e) => log.warn(`closed ${e.remoteAddress}: ${e.error.message}`));
  remoting.on('requestError', (e) => log.warn(`request ${e.code} from ${e.remoteAddress} failed: ${e.error.message}`));
  remoting.on('error', (err) => log.error(`remoting server: ${err.message}`));

  let http: NamesrvHttpServer | null = null;
  let httpAddress: AddressInfo | null = null;
  let address: AddressInfo;
  try {
    address = await remoting.listen();
    if (config.httpPort !== null) {
      http = createHttpServer(registry, { kvConfig, ...(metrics === undefined ? {} : { metrics }) });
      http.listen(config.httpPort, config.httpHost);
      await once(http, 'listening');
      httpAddress = http.address() as AddressInfo;
    }
  } catch (err) {
    await remoting.close();
    if (http?.listening === true) await new Promise((resolve) => http?.close(resolve));
    registry.close();
    throw err;
  }
  registry.start();
  log.info(`The Name Server boot success. serializeType=JSON, address ${address.address}:${address.port}`);
  if (httpAddress !== null) log.info(`HTTP API on http://${httpAddress.address}:${httpAddress.port}`);

  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    await remoting.close();
    if (http !== null) {
      const server = http;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive HTTP clients must not hold the shutdown open.
        server.closeAllConnections();
      });
    }
    registry.close();
    await kvConfig.flush();
    log.info('The Name Server shut down.');
  };
  return {
    registry, kvConfig, remoting, http, address, httpAddress,
    close: () => (closing ??= close()),
  };
}
