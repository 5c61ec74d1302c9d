/**
 * Starting and stopping the standalone name server (RocketMQ's
 * `NamesrvController`): access control, KV store, registry with its scan
 * timer, the remoting server (with its decode workers) and, optionally, the HTTP
 * adapter with its console.
 * @module
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { KvConfigStore } from '../core/kv-config.js';
import { NamesrvMetrics } from '../metrics/namesrv-metrics.js';
import { RouteRegistry } from '../core/registry.js';
import { createHttpServer, type NamesrvHttpServer } from '../http/index.js';
import type { HttpRole, HttpServerOptions } from '../http/options.js';
import { AccessControl } from '../remoting/access/access-control.js';
import { AccessPolicyError } from '../remoting/access/errors.js';
import { loadAccessPolicy } from '../remoting/access/policy.js';
import { RemotingServer } from '../remoting/server.js';
import type { Controller } from '../controller/controller.js';
import { controllerMode, startController } from './controller.js';
import { homedir } from 'node:os';
import type { ServerSettings } from './config.js';
import { RateLimitedLog, type Logger } from './log.js';
import { logConfigUpdates, logRegistryEvents, logRemotingEvents, observeAccessControl } from './observe.js';

/** A started name server. */
export interface RunningNamesrv {
  readonly registry: RouteRegistry;
  readonly kvConfig: KvConfigStore;
  readonly remoting: RemotingServer;
  readonly http: NamesrvHttpServer | null;
  /** The RocketMQ 5 controller (`enableControllerInNamesrv`, `--controller-only`), or null. */
  readonly controller: Controller | null;
  /** The access policy holder, or null without an access file. */
  readonly accessControl: AccessControl | null;
  /** The remoting address bound. */
  readonly address: AddressInfo;
  /** The HTTP address bound, or null. */
  readonly httpAddress: AddressInfo | null;
  /** How many HTTP bearer tokens are in force (0: none required). */
  readonly httpTokenCount: number;
  /** Re-reads the access file (SIGHUP); a bad file keeps the old policy (logged). False without an access file or on failure. */
  reloadAccess(): Promise<boolean>;
  /** Stops accepting, finishes running requests, stops the scan and the decode workers, flushes the KV file. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a name server as configured.
 * @throws {@link AccessPolicyError} when the access or token file is unreadable or invalid (exit 2);
 *   `KvConfigLoadError`, `TlsConfigError`, or a listen error (`EADDRINUSE`) otherwise (exit 1).
 *   Nothing is left running then.
 */
export async function startNamesrv(settings: ServerSettings, log: Logger): Promise<RunningNamesrv> {
  const limited = new RateLimitedLog(log);
  const accessControl = settings.accessFile === null ? null : await AccessControl.load(settings.accessFile, { watch: true });
  const cleanups: Array<() => Promise<void> | void> = [];
  if (accessControl !== null) {
    cleanups.push(() => accessControl.close());
    observeAccessControl(accessControl, log, limited, settings.accessFile as string);
  }
  try {
    return await startParts(settings, log, limited, accessControl, cleanups);
  } catch (err) {
    for (const cleanup of cleanups.reverse()) await cleanup();
    throw err;
  }
}

async function startParts(
  settings: ServerSettings, log: Logger, limited: RateLimitedLog, accessControl: AccessControl | null,
  cleanups: Array<() => Promise<void> | void>,
): Promise<RunningNamesrv> {
  const tokens = await httpTokens(settings, accessControl);
  warnIfOpen(settings, tokens !== null, log);
  warnIfClosedOrReplayable(settings, tokens, log);
  const kvConfig = new KvConfigStore({ path: settings.kvConfigPath });
  kvConfig.on('error', (err) => log.error('KV config write failed', { error: err.message }));
  await kvConfig.load();
  cleanups.push(() => kvConfig.flush());

  const registry = new RouteRegistry({ kvConfig, ...settings.namesrvConfig.registryOptions(), maxRouteEntries: settings.maxRouteEntries });
  cleanups.push(() => registry.close());
  logRegistryEvents(registry, log);
  logConfigUpdates(settings.namesrvConfig, log);

  const controller = await startController(settings.namesrvConfig, homedir(), log, cleanups);
  // Only measured when someone can read it: the HTTP API's /metrics.
  const metrics = settings.http.port === null ? undefined : new NamesrvMetrics();
  const remoting = new RemotingServer(registry, {
    port: settings.port,
    host: settings.host,
    kvConfig,
    metrics,
    maxFrameBytes: settings.maxFrameBytes,
    idleTimeoutMillis: settings.idleTimeoutMillis,
    maxConnections: settings.maxConnections,
    trustedProxies: settings.trustedProxies,
    tls: settings.tls,
    // 318/319 read and change this configuration (and through it the registry's options, live).
    namesrvConfig: settings.namesrvConfig,
    ...(accessControl === null ? {} : { accessControl }),
    memoryBudgetBytes: settings.memoryBudgetBytes,
    maxRequestsInFlightPerConnection: settings.maxRequestsInFlightPerConnection,
    ...(controller === null ? {} : { controller, controllerOnly: controllerMode(settings.namesrvConfig) === 'only' }),
    maxTopicsPerRegistration: settings.maxTopicsPerRegistration,
    minFrameBytesPerSecond: settings.minFrameBytesPerSecond, frameDeadlineMillis: settings.frameDeadlineMillis, maxSmallBodyBytes: settings.maxSmallBodyBytes,
  });
  logRemotingEvents(remoting, log, limited);
  cleanups.push(() => remoting.close());
  const address = await remoting.listen(); // it records the bound port as `listenPort` in namesrvConfig

  const { http, httpAddress } = await startHttp(settings, { registry, kvConfig, metrics, tokens, remoting, log, controller }, cleanups);
  registry.start();
  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    limited.flush();
    log.info('The Name Server shut down.');
  };
  return {
    registry, kvConfig, remoting, http, controller, accessControl, address, httpAddress, httpTokenCount: tokens?.length ?? 0,
    reloadAccess: () => accessControl?.reload() ?? Promise.resolve(false),
    close: () => (closing ??= close()),
  };
}

/** What the HTTP adapter is started with. */
interface HttpParts {
  readonly registry: RouteRegistry;
  readonly kvConfig: KvConfigStore;
  readonly metrics: NamesrvMetrics | undefined;
  readonly tokens: Array<{ token: string; roles: HttpRole[] }> | null;
  readonly remoting: RemotingServer;
  readonly log: Logger;
  readonly controller: Controller | null;
}

/** Starts the HTTP adapter when an HTTP port is configured. */
async function startHttp(
  settings: ServerSettings, parts: HttpParts, cleanups: Array<() => Promise<void> | void>,
): Promise<{ http: NamesrvHttpServer | null; httpAddress: AddressInfo | null }> {
  if (settings.http.port === null) return { http: null, httpAddress: null };
  const { registry, kvConfig, metrics, tokens, remoting, log, controller } = parts;
  const h = settings.http;
  const options: HttpServerOptions = {
    kvConfig,
    ...(controller === null ? {} : { controller }),
    ...(metrics === undefined ? {} : { metrics }),
    console: h.console,
    readOnly: h.readOnly,
    ready: () => registry.isServiceReady(),
    ...(h.nsAddrs === null ? {} : { nsAddrs: h.nsAddrs }),
    ...(tokens === null ? {} : { tokens }),
    // HTTP request bodies are charged to the same budget as remoting frames.
    memoryBudget: remoting.memoryBudget,
    headersTimeoutMillis: h.headersTimeoutMillis,
    requestTimeoutMillis: h.requestTimeoutMillis,
    keepAliveTimeoutMillis: h.keepAliveTimeoutMillis,
    maxBodyMemoryBytes: h.maxBodyMemoryBytes,
    maxConnections: h.maxConnections,
    onError: (error, req) => log.error('HTTP request failed', { method: req.method, url: req.url, error: String(error) }),
    // The console's memory graph shows the remoting memory budget.
    // Route requests over TCP too (the HTTP ones the console counts itself).
    consoleHistory: {
      memoryStats: () => remoting.memoryStats(),
      ...(metrics === undefined ? {} : { routeRequests: () => metrics.routeLookups('remoting') }),
    },
  };
  const server = createHttpServer(registry, options);
  cleanups.push(() => closeHttp(server));
  server.listen(h.port as number, h.host);
  await once(server, 'listening');
  return { http: server, httpAddress: server.address() as AddressInfo };
}

/** Logs that the server is up (RocketMQ's boot line, which scripts wait for) and where HTTP listens. */
export function logBoot(namesrv: RunningNamesrv, settings: ServerSettings, log: Logger): void {
  const { address, httpAddress } = namesrv;
  log.info(`The Name Server boot success. serializeType=JSON, address ${address.address}:${address.port}`, {
    tls: settings.tls.mode ?? 'permissive', access: settings.accessFile ?? 'open',
    // The cap on connections and the open-files limit it follows when unset (ulimit -n raises it). As text, like the
    // fields before them: scripts read the boot line for `address host:port`, and a JSON `"key":digits` would look like one.
    maxConnections: String(settings.maxConnections), openFiles: String(settings.openFilesLimit ?? 'unknown'),
  });
  if (httpAddress !== null) {
    log.info(`HTTP API on http://${hostForUrl(httpAddress.address)}:${httpAddress.port}`, {
      console: settings.http.console, readOnly: settings.http.readOnly, tokens: namesrv.httpTokenCount,
    });
  }
}

/**
 * HTTP bearer tokens: the token file's, else the access file's; null (HTTP open) only when there
 * is neither file. An access file that lists no token gives an empty list, which the HTTP adapter
 * reads as "no token is valid": its guarded routes answer 401 (fail closed, never open).
 */
async function httpTokens(settings: ServerSettings, accessControl: AccessControl | null): Promise<Array<{ token: string; roles: HttpRole[] }> | null> {
  const file = settings.http.tokenFile;
  const policy = file !== null ? await loadAccessPolicy(file) : accessControl?.policy;
  if (policy === undefined) return null;
  if (file !== null && policy.tokens.size === 0) throw new AccessPolicyError(file, 'tokens', 'lists no token');
  return [...policy.tokens].map(([token, roles]) => ({ token, roles: [...roles] }));
}

async function closeHttp(server: NamesrvHttpServer): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Keep-alive clients and event streams must not hold the shutdown open.
    server.closeAllConnections();
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host) || /^::ffff:127\./i.test(host);
}

/** RocketMQ's control plane is open by default; say so once when strangers can reach it. */
function warnIfOpen(settings: ServerSettings, httpTokens: boolean, log: Logger): void {
  if (settings.accessFile === null && !isLoopback(settings.host)) {
    log.warn(`WARNING: remoting listens on ${settings.host} without an access file: anyone who can reach it can change routes (see --access-file)`);
  }
  const h = settings.http;
  if (h.port !== null && !httpTokens && !h.readOnly && !isLoopback(h.host)) {
    log.warn(`WARNING: HTTP listens on ${h.host} without tokens: anyone who can reach it can register brokers and write KV (see --http-token-file, --http-read-only)`);
  }
}

/** Says what an access file leaves refused or exposed: HTTP without tokens, ACL 1.0 signatures over plaintext. */
function warnIfClosedOrReplayable(settings: ServerSettings, tokens: readonly unknown[] | null, log: Logger): void {
  if (settings.accessFile === null) return;
  if (settings.http.port !== null && tokens !== null && tokens.length === 0) {
    log.warn('HTTP writes refused: the access file lists no tokens, so every HTTP request but the health probes, '
      + '/rocketmq/nsaddr and the console page answers 401 (add tokens: to the access file, or --http-token-file)');
  }
  if (settings.tls.mode !== 'enforcing') {
    log.warn(`WARNING: the access file is used on a remoting port that accepts plaintext (tls.server.mode=${settings.tls.mode ?? 'permissive'}): `
      + 'ACL 1.0 signatures cover neither the request code nor a nonce, so a signed request seen on the network can be '
      + 'replayed or sent as another request; set tls.server.mode=enforcing (see Security)');
  }
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
