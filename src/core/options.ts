/**
 * Options of {@link RouteRegistry}: one readonly type, defaults in one place,
 * validated when the registry is built.
 * @module
 */
import { checkFlag, checkFunction, checkInstance, checkOptions, checkPositive } from './option-checks.js';
import type { KvConfigStore } from './kv-config.js';

/** Options of a {@link RouteRegistry}. */
export interface RouteRegistryOptions {
  /**
   * The clock, in milliseconds. Inject a fake one to test expiry without sleeping.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * How long a broker may stay silent before a scan drops it, unless its
   * registration says otherwise (`heartbeatTimeoutMillis`).
   * @default 120_000
   */
  readonly brokerChannelExpiredMillis?: number;
  /**
   * How often {@link RouteRegistry.start} scans for silent brokers.
   * @default 5_000
   */
  readonly scanIntervalMillis?: number;
  /**
   * Present the lowest-id slave of a master-less group as its master (id 0)
   * in routes when its queues are read-only (RocketMQ 5 acting master).
   * @default false
   */
  readonly supportActingMaster?: boolean;
  /**
   * A master's (or prime slave's) registration removes its topics that its
   * topic table no longer lists.
   * @default false
   */
  readonly deleteTopicWithBrokerRegistration?: boolean;
  /**
   * Fill `orderTopicConf` of routes from the KV namespace `ORDER_TOPIC_CONFIG`.
   * @default false
   */
  readonly orderMessageEnable?: boolean;
  /** Where `orderTopicConf` comes from when `orderMessageEnable` is on. */
  readonly kvConfig?: KvConfigStore;
}

/** Options with every default applied. */
export interface ResolvedRouteRegistryOptions {
  readonly now: () => number;
  readonly brokerChannelExpiredMillis: number;
  readonly scanIntervalMillis: number;
  readonly supportActingMaster: boolean;
  readonly deleteTopicWithBrokerRegistration: boolean;
  readonly orderMessageEnable: boolean;
  readonly kvConfig: KvConfigStore | null;
}

/** RocketMQ's defaults. */
export const ROUTE_REGISTRY_DEFAULTS = Object.freeze({
  brokerChannelExpiredMillis: 120_000,
  scanIntervalMillis: 5_000,
  supportActingMaster: false,
  deleteTopicWithBrokerRegistration: false,
  orderMessageEnable: false,
});

/** The option names {@link RouteRegistry} accepts; any other key is refused. */
const ROUTE_REGISTRY_OPTION_KEYS: ReadonlySet<string> = new Set([
  'now', 'brokerChannelExpiredMillis', 'scanIntervalMillis', 'supportActingMaster', 'deleteTopicWithBrokerRegistration',
  'orderMessageEnable', 'kvConfig',
]);

/** Applies defaults and validates; throws {@link InvalidOptionError}. */
export function resolveRouteRegistryOptions(options?: RouteRegistryOptions): ResolvedRouteRegistryOptions {
  const o = checkOptions(options, 'RouteRegistry', ROUTE_REGISTRY_OPTION_KEYS) as RouteRegistryOptions;
  const d = ROUTE_REGISTRY_DEFAULTS;
  return {
    now: checkFunction(o.now, 'now') ?? Date.now,
    brokerChannelExpiredMillis: checkPositive(o.brokerChannelExpiredMillis, d.brokerChannelExpiredMillis, 'brokerChannelExpiredMillis', 'milliseconds'),
    scanIntervalMillis: checkPositive(o.scanIntervalMillis, d.scanIntervalMillis, 'scanIntervalMillis', 'milliseconds'),
    supportActingMaster: checkFlag(o.supportActingMaster, d.supportActingMaster, 'supportActingMaster'),
    deleteTopicWithBrokerRegistration: checkFlag(
      o.deleteTopicWithBrokerRegistration, d.deleteTopicWithBrokerRegistration, 'deleteTopicWithBrokerRegistration'),
    orderMessageEnable: checkFlag(o.orderMessageEnable, d.orderMessageEnable, 'orderMessageEnable'),
    kvConfig: checkInstance(o.kvConfig, 'kvConfig', 'KvConfigStore', ['get', 'on']),
  };
}
