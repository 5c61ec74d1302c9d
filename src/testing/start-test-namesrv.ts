/**
 * A name server for tests: a registry behind the remoting port (and, when
 * asked, the HTTP port) on loopback, on ephemeral ports.
 * @module
 */
import type { AddressInfo } from 'node:net';
import {
  createHttpServer, InvalidOptionError, RemotingServer, RouteRegistry,
  type NamesrvHttpServer, type RemotingServerOptions, type RouteRegistryOptions,
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
  /** Closes the ports, every client and broker connection, and the registry's scan. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a name server on 127.0.0.1, ephemeral ports (or the remoting port given). With an injected
 * `now`, no periodic scan runs (call `registry.scanNotActiveBroker()` after
 * moving the clock); otherwise it scans as a name server does.
 * @throws {@link InvalidOptionError} when an option is invalid.
 * @example
 * ```ts
 * const ns = await startTestNamesrv();
 * // brokers and clients use ns.address as their namesrvAddr
 * await ns.close();
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
    const closing = closeAll(registry, server, httpServer);
    let closed: Promise<void> | null = null;
    return {
      registry, server, port, httpUrl, address: `127.0.0.1:${port}`,
      close: () => (closed ??= closing()),
    };
  } catch (err) {
    await closeAll(registry, server, httpServer)();
    throw err;
  }
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
