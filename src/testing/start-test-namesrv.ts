/**
 * A name server for tests: a registry behind the remoting port (and, when
 * asked, the HTTP port) on loopback, on ephemeral ports.
 * @module
 */
import type { AddressInfo } from 'node:net';
import { FakeBroker, type FakeBrokerOptions } from './fake-broker.js';
import { addHome, homesOf, removeHome, type BrokerHome, type HomedBroker } from './homes.js';
import { NamesrvLookups } from './lookups.js';
import {
  createHttpServer, InvalidOptionError, RemotingServer, RouteRegistry,
  type ClusterInfo, type NamesrvHttpServer, type RemotingServerOptions, type RouteRegistryOptions, type TopicRouteData,
} from './deps.js';

/** Options of {@link startTestNamesrv}: the registry's options plus what to serve. */
export interface TestNamesrvOptions extends RouteRegistryOptions {
  /** Serve HTTP too (`httpUrl`). @default false */
  readonly http?: boolean;
  /** Options of the remoting server (its `host` is always 127.0.0.1, its port {@link port}). */
  readonly remoting?: Omit<RemotingServerOptions, 'port' | 'host'>;
  /**
   * The remoting port: 0 for an ephemeral one. Give a stopped instance's
   * port to bring it back where brokers and clients look for it.
   * @default 0
   */
  readonly port?: number;
}

/** A running test name server. */
export interface TestNamesrv {
  /** The registry behind it: assert on it, or drive it (`scanNotActiveBroker()` with a fake clock). */
  readonly registry: RouteRegistry;
  /** The remoting server. */
  readonly server: RemotingServer;
  /** `127.0.0.1:port`: what brokers and clients take as `namesrvAddr`. */
  readonly address: string;
  /** The remoting port. */
  readonly port: number;
  /** `http://127.0.0.1:port` when started with `http: true`. */
  readonly httpUrl: string | undefined;
  /**
   * Starts a {@link FakeBroker} registered with this name server (or with
   * the `namesrvAddr` given, e.g. this one and others), on its clock: with an injected `now`
   * it heartbeats only on {@link tick} or `broker.heartbeat()`.
   * {@link close} stops it.
   */
  startBroker(options: StartBrokerOptions): Promise<FakeBroker>;
  /** The route a RocketMQ client gets for `topic`, over the wire (GET_ROUTEINFO_BY_TOPIC); null when unknown. */
  route(topic: string): Promise<TopicRouteData | null>;
  /** Clusters and broker groups, over the wire (GET_BROKER_CLUSTER_INFO), as `mqadmin clusterList` sees them. */
  clusterInfo(): Promise<ClusterInfo>;
  /** Every topic name, over the wire (GET_ALL_TOPIC_LIST_FROM_NAMESERVER), sorted. */
  topics(): Promise<string[]>;
  /**
   * Runs what time drives, on the name server's clock: every broker
   * registered with it whose heartbeat is due sends it (a failing one is
   * ignored, as a broker's timer ignores it), then the registry scans for
   * silent brokers. Resolves how many brokers the scan dropped. What a test on
   * a fake clock calls after moving it.
   */
  tick(): Promise<number>;
  /**
   * Stops the FakeBrokers registered with it that no other running test name
   * server holds (they unregister first), then closes the ports, every client
   * and broker connection, and the registry's scan. Idempotent.
   */
  close(): Promise<void>;
}

/** Options of {@link TestNamesrv.startBroker}: a FakeBroker's, `namesrvAddr` defaulting to this name server. */
export type StartBrokerOptions = Omit<FakeBrokerOptions, 'namesrvAddr'> & { readonly namesrvAddr?: FakeBrokerOptions['namesrvAddr'] };

/**
 * Starts a name server on 127.0.0.1, ephemeral ports (or the remoting port given). With an injected
 * `now`, no periodic scan runs and the FakeBrokers registered with it follow
 * that clock (no real heartbeat timers): move the clock, then call
 * {@link TestNamesrv.tick} (due heartbeats, then the scan) or
 * `registry.scanNotActiveBroker()`. Otherwise it scans as a name server does.
 * @throws {@link InvalidOptionError} when an option is invalid.
 * @example
 * ```ts
 * const ns = await startTestNamesrv();
 * const broker = await ns.startBroker({ brokerName: 'broker-a', topics: ['Orders'] });
 * // clients use ns.address as their namesrvAddr; ns.route('Orders') is what they get
 * await ns.close(); // stops the broker too
 * ```
 */
export async function startTestNamesrv(options: TestNamesrvOptions = {}): Promise<TestNamesrv> {
  const { http = false, remoting = {}, port: wantedPort = 0, ...registryOptions } = options;
  if (!Number.isInteger(wantedPort) || wantedPort < 0 || wantedPort > 65535) {
    throw new InvalidOptionError('port', `must be an integer from 0 to 65535, got ${String(wantedPort)}`);
  }
  const registry = new RouteRegistry(registryOptions);
  const server = new RemotingServer(registry, { ...remoting, port: wantedPort, host: '127.0.0.1' });
  let httpServer: NamesrvHttpServer | null = null;
  try {
    const { port } = await server.listen();
    let httpUrl: string | undefined;
    if (http) {
      httpServer = createHttpServer(registry);
      httpUrl = `http://127.0.0.1:${await listenHttp(httpServer)}`;
    }
    if (options.now === undefined) registry.start();
    return testNamesrv(registry, server, port, httpUrl, closeAll(registry, server, httpServer), options.now ?? null);
  } catch (err) {
    await closeAll(registry, server, httpServer)();
    throw err;
  }
}

/** The running name server: its brokers, lookups, clock and close. */
function testNamesrv(
  registry: RouteRegistry, server: RemotingServer, port: number, httpUrl: string | undefined,
  closeServers: () => Promise<void>, now: (() => number) | null,
): TestNamesrv {
  const address = `127.0.0.1:${port}`;
  const brokers = new Set<HomedBroker>();
  const lookups = new NamesrvLookups(port);
  const home: BrokerHome = { now, adopt: (broker) => brokers.add(broker) };
  addHome(address, home);
  const live = (): HomedBroker[] => [...brokers].filter((broker) => !broker.stopped);
  let closed: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    removeHome(address, home);
    // A broker still registered with another running test name server is that one's to stop.
    await Promise.all(live().filter((broker) => homesOf(broker.namesrvAddrs).length === 0).map((broker) => broker.stop()));
    await lookups.close();
    await closeServers();
  };
  return {
    registry, server, port, httpUrl, address,
    startBroker: (options) => FakeBroker.start({ ...options, namesrvAddr: options.namesrvAddr ?? address }),
    route: (topic) => lookups.route(topic),
    clusterInfo: () => lookups.clusterInfo(),
    topics: () => lookups.topics(),
    tick: async () => {
      await Promise.all(live().map((broker) => broker.tick().catch(() => false)));
      return registry.scanNotActiveBroker();
    },
    close: () => (closed ??= close()),
  };
}

function listenHttp(server: NamesrvHttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeAll(registry: RouteRegistry, server: RemotingServer, httpServer: NamesrvHttpServer | null): () => Promise<void> {
  return async () => {
    const http = httpServer === null || !httpServer.listening
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        // Keep-alive connections would hold close() open until they time out.
        httpServer.closeAllConnections();
      });
    await Promise.all([server.close(), http]);
    registry.close();
  };
}
