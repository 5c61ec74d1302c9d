/**
 * INTEGRATION POINT: options the CLI passes that other branches add.
 *
 * - parity branch: `RemotingServer` option `namesrvConfig`; `RouteRegistry`
 *   options `enableAllTopicList`, `enableTopicList`, `needWaitForService`,
 *   `waitSecondsForService`, `returnOrderTopicConfigToBroker`,
 *   `notifyMinBrokerIdChanged`; `registry.isServiceReady()`;
 * - limits/access branch: `RemotingServer` options `accessControl`,
 *   `memoryBudgetBytes`, `maxRequestsInFlightPerConnection` (and
 *   `maxConnections`, which exists already and is passed directly).
 *
 * Until those branches are merged the option resolvers refuse these keys,
 * so they are left out while {@link PENDING_OPTIONS_WIRED} is false. The
 * integrator checks the names below against the merged option sets, sets it
 * to true (or inlines both objects into `namesrv.ts` and deletes this file).
 * @module
 */
import type { NamesrvConfiguration } from '../core/namesrv-config.js';
import type { RegistryOptionsPatch } from '../core/namesrv-config-keys.js';
import type { RouteRegistry } from '../core/registry.js';
import type { AccessControl } from '../remoting/access/access-control.js';

/** Whether the options below exist in this build. */
export const PENDING_OPTIONS_WIRED: boolean = false;

/** `RemotingServer` options from the other branches. */
export function pendingRemotingOptions(o: {
  readonly namesrvConfig: NamesrvConfiguration;
  readonly accessControl: AccessControl | null;
  readonly memoryBudgetBytes: number;
  readonly maxRequestsInFlightPerConnection: number;
}): object {
  if (!PENDING_OPTIONS_WIRED) return {};
  return {
    namesrvConfig: o.namesrvConfig,
    ...(o.accessControl === null ? {} : { accessControl: o.accessControl }),
    memoryBudgetBytes: o.memoryBudgetBytes,
    maxRequestsInFlightPerConnection: o.maxRequestsInFlightPerConnection,
  };
}

/** `RouteRegistry` options from the parity branch (the rest of `registryOptions()` exists already). */
export function pendingRegistryOptions(all: Required<RegistryOptionsPatch>): object {
  if (!PENDING_OPTIONS_WIRED) return {};
  return {
    enableAllTopicList: all.enableAllTopicList,
    enableTopicList: all.enableTopicList,
    needWaitForService: all.needWaitForService,
    waitSecondsForService: all.waitSecondsForService,
    returnOrderTopicConfigToBroker: all.returnOrderTopicConfigToBroker,
    notifyMinBrokerIdChanged: all.notifyMinBrokerIdChanged,
  };
}

/** Readiness for HTTP `/health/ready`: `registry.isServiceReady()` once the parity branch adds it, else always ready. */
export function serviceReady(registry: RouteRegistry): () => boolean {
  const r = registry as unknown as { isServiceReady?: () => boolean };
  return () => r.isServiceReady?.() ?? true;
}
