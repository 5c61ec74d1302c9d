/**
 * Options of {@link Controller}: Java's `ControllerConfig` keys where they
 * apply (same names, same defaults), plus the clock, the event log and the
 * limits. Defaults in one place, validated when the controller is built.
 * @module
 */
import { checkFlag, checkFunction, checkInstance, checkNonEmptyString, checkNumber, checkOptions, checkPositiveInteger } from '../core/option-checks.js';
import type { ControllerEventLog } from './event-log.js';

/** Options of a {@link Controller}. */
export interface ControllerOptions {
  /** Clock. @default Date.now */
  readonly now?: () => number;
  /**
   * Where events are committed: a `FileEventLog` (durable), an `EtcdEventLog`
   * (replicated) or a `MemoryEventLog`.
   * @default a new MemoryEventLog (nothing survives the process)
   */
  readonly log?: ControllerEventLog;
  /** How often silent brokers are dropped, in ms (Java's `scanNotActiveBrokerInterval`). @default 5_000 */
  readonly scanNotActiveBrokerInterval?: number;
  /** How often groups whose master is gone are re-elected, in ms (Java's `scanInactiveMasterInterval`). @default 5_000 */
  readonly scanInactiveMasterInterval?: number;
  /** Elections the controller tries when a master goes silent (Java's `electMasterMaxRetryCount`). @default 3 */
  readonly electMasterMaxRetryCount?: number;
  /**
   * Elect a master outside the sync-state set when no member of it is alive
   * (may lose acknowledged messages; Java's `enableElectUncleanMaster`). @default false
   */
  readonly enableElectUncleanMaster?: boolean;
  /** Tell a group's live brokers when their master changes (NOTIFY_BROKER_ROLE_CHANGED, Java's `notifyBrokerRoleChanged`). @default true */
  readonly notifyBrokerRoleChanged?: boolean;
  /** Keys UPDATE_CONTROLLER_CONFIG refuses, `;`-separated (Java's `configBlackList`). @default 'configBlackList;configStorePath' */
  readonly configBlackList?: string;
  /** Brokers whose heartbeats are tracked at once; heartbeats of more are ignored. @default 10_000 */
  readonly maxBrokers?: number;
  /** Broker ids all groups may hold; CONTROLLER_APPLY_BROKER_ID past this is refused. @default 10_000 */
  readonly maxReplicas?: number;
  /** Requests waiting their turn; more are answered SYSTEM_ERROR at once (Java's queue holds 1 024). @default 1_024 */
  readonly maxPendingRequests?: number;
  /**
   * After this instance starts or becomes leader, the inactive-master scan
   * waits this long (ms) before electing: heartbeats are not replicated, so
   * brokers need a moment to find it and heartbeat. @default 10_000
   */
  readonly leaderGraceMillis?: number;
}

/** Options with defaults applied. */
export interface ResolvedControllerOptions {
  readonly now: () => number;
  readonly log: ControllerEventLog | null;
  readonly scanNotActiveBrokerInterval: number;
  readonly scanInactiveMasterInterval: number;
  readonly electMasterMaxRetryCount: number;
  readonly enableElectUncleanMaster: boolean;
  readonly notifyBrokerRoleChanged: boolean;
  readonly configBlackList: string;
  readonly maxBrokers: number;
  readonly maxReplicas: number;
  readonly maxPendingRequests: number;
  readonly leaderGraceMillis: number;
}

/** Java's defaults, and ours for the limits. */
export const CONTROLLER_DEFAULTS = Object.freeze({
  scanNotActiveBrokerInterval: 5_000,
  scanInactiveMasterInterval: 5_000,
  electMasterMaxRetryCount: 3,
  enableElectUncleanMaster: false,
  notifyBrokerRoleChanged: true,
  configBlackList: 'configBlackList;configStorePath',
  maxBrokers: 10_000,
  maxReplicas: 10_000,
  maxPendingRequests: 1_024,
  leaderGraceMillis: 10_000,
});

const KEYS: ReadonlySet<string> = new Set([
  'now', 'log', 'scanNotActiveBrokerInterval', 'scanInactiveMasterInterval', 'electMasterMaxRetryCount', 'enableElectUncleanMaster',
  'notifyBrokerRoleChanged', 'configBlackList', 'maxBrokers', 'maxReplicas', 'maxPendingRequests',
  'leaderGraceMillis',
]);

/** Node's timers hold at most 2^31 - 1 ms. */
const MAX_TIMER_MILLIS = 0x7fffffff;

/** Applies defaults and validates; throws `InvalidOptionError`. */
export function resolveControllerOptions(options?: ControllerOptions): ResolvedControllerOptions {
  const o = checkOptions(options, 'Controller', KEYS) as ControllerOptions;
  const d = CONTROLLER_DEFAULTS;
  return {
    now: checkFunction(o.now, 'now') ?? Date.now,
    log: checkInstance(o.log, 'log', 'ControllerEventLog', ['open', 'append', 'isLeader', 'leader', 'peers', 'close']),
    scanNotActiveBrokerInterval: checkNumber(o.scanNotActiveBrokerInterval, d.scanNotActiveBrokerInterval, 'scanNotActiveBrokerInterval',
      { integer: true, min: 1, max: MAX_TIMER_MILLIS }),
    scanInactiveMasterInterval: checkNumber(o.scanInactiveMasterInterval, d.scanInactiveMasterInterval, 'scanInactiveMasterInterval',
      { integer: true, min: 1, max: MAX_TIMER_MILLIS }),
    electMasterMaxRetryCount: checkNumber(o.electMasterMaxRetryCount, d.electMasterMaxRetryCount, 'electMasterMaxRetryCount', { integer: true, min: 1, max: 100 }),
    enableElectUncleanMaster: checkFlag(o.enableElectUncleanMaster, d.enableElectUncleanMaster, 'enableElectUncleanMaster'),
    notifyBrokerRoleChanged: checkFlag(o.notifyBrokerRoleChanged, d.notifyBrokerRoleChanged, 'notifyBrokerRoleChanged'),
    configBlackList: o.configBlackList === '' ? '' : checkNonEmptyString(o.configBlackList, d.configBlackList, 'configBlackList'),
    maxBrokers: checkPositiveInteger(o.maxBrokers, d.maxBrokers, 'maxBrokers'),
    maxReplicas: checkPositiveInteger(o.maxReplicas, d.maxReplicas, 'maxReplicas'),
    maxPendingRequests: checkPositiveInteger(o.maxPendingRequests, d.maxPendingRequests, 'maxPendingRequests'),
    leaderGraceMillis: checkNumber(o.leaderGraceMillis, d.leaderGraceMillis, 'leaderGraceMillis', { integer: true, min: 0, max: MAX_TIMER_MILLIS }),
  };
}
