/**
 * The configuration a {@link RemotingServer} answers 319 with when none is
 * given: Java's key set and defaults, with what this server and its registry
 * really use (the registry's runtime options, port, bind address, idle
 * timeout, KV file, TLS mode).
 * @internal
 */
import { configValuesOfRegistry } from '../config/namesrv-config.js';
import { NamesrvConfiguration } from '../config/namesrv-config.js';
import type { RouteRegistry } from '../core/registry.js';
import type { ResolvedRemotingServerOptions } from './options.js';

/** A configuration without a `-c` file (318 changes the running server only). */
export function defaultNamesrvConfiguration(registry: RouteRegistry, o: ResolvedRemotingServerOptions): NamesrvConfiguration {
  const overrides: Record<string, string | number> = Object.fromEntries(configValuesOfRegistry(registry.options));
  overrides.listenPort = o.port;
  overrides.bindAddress = o.host;
  if (Number.isSafeInteger(o.idleTimeoutMillis / 1000)) overrides.serverChannelMaxIdleTimeSeconds = o.idleTimeoutMillis / 1000;
  const kvPath = (o.kvConfig ?? registry.options.kvConfig)?.path ?? null;
  if (kvPath !== null) overrides.kvConfigPath = kvPath;
  return new NamesrvConfiguration({ overrides, environment: { tlsEnforcing: o.tls.mode === 'enforcing' } });
}
