/**
 * Options of {@link RouteRegistry}: one readonly type, defaults in one place,
 * validated when the registry is built.
 * @module
 */
import { InvalidOptionError } from './errors.js';
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

/** Applies defaults and validates; throws {@link InvalidOptionError}. */
export function resolveRouteRegistryOptions(options: RouteRegistryOptions = {}): ResolvedRouteRegistryOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('RouteRegistry options must be an object');
  }
  const d = ROUTE_REGISTRY_DEFAULTS;
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new InvalidOptionError('options.now must be a function returning milliseconds');
  return {
    now,
    brokerChannelExpiredMillis: positive(options.brokerChannelExpiredMillis, d.brokerChannelExpiredMillis, 'brokerChannelExpiredMillis'),
    scanIntervalMillis: positive(options.scanIntervalMillis, d.scanIntervalMillis, 'scanIntervalMillis'),
    supportActingMaster: flag(options.supportActingMaster, d.supportActingMaster, 'supportActingMaster'),
    deleteTopicWithBrokerRegistration: flag(
      options.deleteTopicWithBrokerRegistration, d.deleteTopicWithBrokerRegistration, 'deleteTopicWithBrokerRegistration'),
    orderMessageEnable: flag(options.orderMessageEnable, d.orderMessageEnable, 'orderMessageEnable'),
    kvConfig: kvStore(options.kvConfig),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(`options.${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function flag(value: boolean | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionError(`options.${name} must be a boolean, got ${String(value)}`);
  return value;
}

function kvStore(value: KvConfigStore | undefined): KvConfigStore | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null || typeof value.get !== 'function' || typeof value.on !== 'function') {
    throw new InvalidOptionError('options.kvConfig must be a KvConfigStore');
  }
  return value;
}
