/**
 * Options of {@link RouteRegistry}: one readonly type, defaults in one place,
 * validated when the registry is built.
 * @module
 */
import { InvalidOptionError } from './errors.js';
import { checkFlag, checkFunction, checkInstance, checkNumber, checkOptions, checkPositive } from './option-checks.js';
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
  /**
   * Serve GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206); adapters answer
   * SYSTEM_ERROR "disable" when off (RocketMQ's `enableAllTopicList`).
   * @default true
   */
  readonly enableAllTopicList?: boolean;
  /**
   * Serve the topic-list requests 224, 311, 312 and 313; adapters answer
   * SYSTEM_ERROR "disable" when off (RocketMQ's `enableTopicList`).
   * @default true
   */
  readonly enableTopicList?: boolean;
  /**
   * Refuse route requests for `waitSecondsForService` after the registry is
   * built (RocketMQ's `needWaitForService`): see {@link RouteRegistry.isServiceReady}.
   * @default false
   */
  readonly needWaitForService?: boolean;
  /**
   * The window of `needWaitForService`, in seconds from the registry's construction.
   * @default 45
   */
  readonly waitSecondsForService?: number;
  /**
   * REGISTER_BROKER answers carry the KV namespace `ORDER_TOPIC_CONFIG` as body
   * (RocketMQ's `returnOrderTopicConfigToBroker`).
   * @default true
   */
  readonly returnOrderTopicConfigToBroker?: boolean;
  /**
   * Emit `minBrokerIdChanged` when a group's lowest broker id changes, as
   * RocketMQ's `notifyMinBrokerIdChanged` (the remoting adapter sends
   * NOTIFY_MIN_BROKER_ID_CHANGE, 905, to the group's brokers).
   * @default false
   */
  readonly notifyMinBrokerIdChanged?: boolean;
  /**
   * The most route entries the registry holds in all: one per topic per
   * broker group serving it (a topic × broker queue entry) plus one per live
   * broker address. A registration or `registerTopic` that would take it past
   * this throws {@link RouteRegistryFullError} and changes nothing. The
   * default holds 2,000 brokers × 1,008 topics (2.0 M) or T(100 000)
   * (0.4 M) with room to spare; each entry costs about 75 bytes of heap.
   * @default 4_000_000
   */
  readonly maxRouteEntries?: number;
}

/**
 * The options {@link RouteRegistry.updateOptions} changes on a running
 * registry (what UPDATE_NAMESRV_CONFIG applies live).
 */
export type RouteRegistryOptionsPatch = Pick<RouteRegistryOptions, typeof RUNTIME_OPTION_KEYS[number]>;

/** The runtime-changeable options, in the order they are checked. */
export const RUNTIME_OPTION_KEYS = Object.freeze([
  'scanIntervalMillis', 'supportActingMaster', 'deleteTopicWithBrokerRegistration', 'orderMessageEnable',
  'enableAllTopicList', 'enableTopicList', 'needWaitForService', 'waitSecondsForService',
  'returnOrderTopicConfigToBroker', 'notifyMinBrokerIdChanged',
] as const);

/** Options with every default applied. */
export interface ResolvedRouteRegistryOptions {
  readonly now: () => number;
  readonly brokerChannelExpiredMillis: number;
  readonly maxRouteEntries: number;
  readonly scanIntervalMillis: number;
  readonly supportActingMaster: boolean;
  readonly deleteTopicWithBrokerRegistration: boolean;
  readonly orderMessageEnable: boolean;
  readonly kvConfig: KvConfigStore | null;
  readonly enableAllTopicList: boolean;
  readonly enableTopicList: boolean;
  readonly needWaitForService: boolean;
  readonly waitSecondsForService: number;
  readonly returnOrderTopicConfigToBroker: boolean;
  readonly notifyMinBrokerIdChanged: boolean;
}

/** RocketMQ's defaults. */
export const ROUTE_REGISTRY_DEFAULTS = Object.freeze({
  brokerChannelExpiredMillis: 120_000,
  scanIntervalMillis: 5_000,
  supportActingMaster: false,
  deleteTopicWithBrokerRegistration: false,
  orderMessageEnable: false,
  enableAllTopicList: true,
  enableTopicList: true,
  needWaitForService: false,
  waitSecondsForService: 45,
  returnOrderTopicConfigToBroker: true,
  notifyMinBrokerIdChanged: false,
  maxRouteEntries: 4_000_000,
});

/** The option names {@link RouteRegistry} accepts; any other key is refused. */
const ROUTE_REGISTRY_OPTION_KEYS: ReadonlySet<string> = new Set([
  'now', 'brokerChannelExpiredMillis', 'scanIntervalMillis', 'supportActingMaster', 'deleteTopicWithBrokerRegistration',
  'orderMessageEnable', 'kvConfig', 'enableAllTopicList', 'enableTopicList', 'needWaitForService', 'waitSecondsForService',
  'returnOrderTopicConfigToBroker', 'notifyMinBrokerIdChanged', 'maxRouteEntries',
]);

const RUNTIME_OPTION_KEY_SET: ReadonlySet<string> = new Set(RUNTIME_OPTION_KEYS);

/** Java's `int`: the largest `waitSecondsForService` and scan interval. */
const INT_MAX = 2_147_483_647;

/** Applies defaults and validates; throws {@link InvalidOptionError}. */
export function resolveRouteRegistryOptions(options?: RouteRegistryOptions): ResolvedRouteRegistryOptions {
  const o = checkOptions(options, 'RouteRegistry', ROUTE_REGISTRY_OPTION_KEYS) as RouteRegistryOptions;
  const d = ROUTE_REGISTRY_DEFAULTS;
  return Object.freeze({
    now: checkFunction(o.now, 'now') ?? Date.now,
    brokerChannelExpiredMillis: checkPositive(o.brokerChannelExpiredMillis, d.brokerChannelExpiredMillis, 'brokerChannelExpiredMillis', 'milliseconds'),
    kvConfig: checkInstance(o.kvConfig, 'kvConfig', 'KvConfigStore', ['get', 'on']),
    maxRouteEntries: checkNumber(o.maxRouteEntries, d.maxRouteEntries, 'maxRouteEntries',
      { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'of entries' }),
    ...checkRuntimeOptions(o, d),
  });
}

type RuntimeOptions = Pick<ResolvedRouteRegistryOptions, typeof RUNTIME_OPTION_KEYS[number]>;

/** Validates the runtime-changeable options of `o`, each falling back to `base`. */
function checkRuntimeOptions(o: RouteRegistryOptionsPatch, base: RuntimeOptions): RuntimeOptions {
  const scanIntervalMillis = checkPositive(o.scanIntervalMillis, base.scanIntervalMillis, 'scanIntervalMillis', 'milliseconds');
  // Node's timers hold at most 2^31 - 1 ms (and silently use 1 ms beyond).
  if (scanIntervalMillis > INT_MAX) {
    throw new InvalidOptionError('options.scanIntervalMillis', `must be at most ${INT_MAX} milliseconds, got ${scanIntervalMillis}`);
  }
  return {
    scanIntervalMillis,
    supportActingMaster: checkFlag(o.supportActingMaster, base.supportActingMaster, 'supportActingMaster'),
    deleteTopicWithBrokerRegistration: checkFlag(
      o.deleteTopicWithBrokerRegistration, base.deleteTopicWithBrokerRegistration, 'deleteTopicWithBrokerRegistration'),
    orderMessageEnable: checkFlag(o.orderMessageEnable, base.orderMessageEnable, 'orderMessageEnable'),
    enableAllTopicList: checkFlag(o.enableAllTopicList, base.enableAllTopicList, 'enableAllTopicList'),
    enableTopicList: checkFlag(o.enableTopicList, base.enableTopicList, 'enableTopicList'),
    needWaitForService: checkFlag(o.needWaitForService, base.needWaitForService, 'needWaitForService'),
    waitSecondsForService: checkNumber(o.waitSecondsForService, base.waitSecondsForService, 'waitSecondsForService',
      { integer: true, min: 0, max: INT_MAX, unit: 'of seconds' }),
    returnOrderTopicConfigToBroker: checkFlag(
      o.returnOrderTopicConfigToBroker, base.returnOrderTopicConfigToBroker, 'returnOrderTopicConfigToBroker'),
    notifyMinBrokerIdChanged: checkFlag(o.notifyMinBrokerIdChanged, base.notifyMinBrokerIdChanged, 'notifyMinBrokerIdChanged'),
  };
}

/**
 * `current` with `patch` applied: every key checked before anything is
 * returned, so a bad patch changes nothing.
 * @throws {@link InvalidOptionError} naming the first unknown, unchangeable or invalid key.
 */
export function patchRouteRegistryOptions(
  current: ResolvedRouteRegistryOptions, patch: RouteRegistryOptionsPatch,
): ResolvedRouteRegistryOptions {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new InvalidOptionError('options', 'patch of RouteRegistry must be an object');
  }
  for (const key of Object.keys(patch)) {
    if (RUNTIME_OPTION_KEY_SET.has(key)) continue;
    const reason = ROUTE_REGISTRY_OPTION_KEYS.has(key) ? 'cannot be changed on a running RouteRegistry' : 'is not an option of RouteRegistry';
    throw new InvalidOptionError(`options.${key}`, reason);
  }
  return Object.freeze({ ...current, ...checkRuntimeOptions(patch, current) });
}
