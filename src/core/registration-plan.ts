/**
 * Planning a registration (the decisions of RocketMQ's `registerBroker`):
 * whether it is ignored, refused or applied, and which topics of its table
 * change the group's queues. Pure: it reads the tables and validates the
 * topic table, changing nothing, so an invalid table is refused cleanly.
 * @internal
 * @module
 */
import { dataVersionEquals } from './data-version.js';
import { MASTER_ID, type BrokerGroup, type LiveBroker } from './tables.js';
import { tableGet, tableHas, tableHasExactlyOne, type UncheckedTopicTable } from './topic-table.js';
import {
  isValidTopicConfig, normalizeTopicConfig, permOf, readQueueNumsOf, sysFlagOf, writeQueueNumsOf,
} from './topic-config.js';
import type { QueueData, TopicConfig } from './types.js';
import type { NormalizedRegistration } from './validate.js';

const NO_CHANGES: readonly TopicConfig[] = Object.freeze([]);

/**
 * How much of the topic table a registration reads:
 * - `all`: compare every entry (a first registration or a new data version);
 * - `missing`: add only the topics the group lacks (RocketMQ's `isTopicConfigChanged` at an equal version);
 * - `dropped`: the same table as last time, so only topics the name server dropped since can be missing.
 */
export type TableMode = 'all' | 'missing' | 'dropped';

/** What {@link planRegistration} decided. */
export type RegistrationPlan =
  | { readonly outcome: 'ignored' | 'refused'; readonly reason: string; readonly enableActingMaster: boolean }
  | {
    readonly outcome: 'apply';
    readonly enableActingMaster: boolean;
    /** The table is applied (the broker is the master or the prime slave). */
    readonly appliesTopics: boolean;
    readonly mode: TableMode;
    /** Clear the write bit of applied queues (an acting master). */
    readonly wipeWrite: boolean;
    /** The entries to apply, validated. */
    readonly changes: readonly TopicConfig[];
    /** Entries of the table when it was walked (`all`, `missing`), else -1. */
    readonly tableSize: number;
  };

/** Decides a registration against the current tables. @throws InvalidRequestError for an invalid table entry that would be applied. */
export function planRegistration(
  r: NormalizedRegistration,
  group: BrokerGroup | undefined,
  live: LiveBroker | undefined,
  liveOf: (addr: string) => LiveBroker | undefined,
): RegistrationPlan {
  const table = r.topicConfigTable;
  const isOldVersionBroker = r.enableActingMaster === null;
  const enableActingMaster = !isOldVersionBroker && r.enableActingMaster === true;
  const oldAddrOfId = group?.addrs.get(r.brokerId);
  if (oldAddrOfId !== undefined && oldAddrOfId !== r.brokerAddr) {
    const oldLive = liveOf(oldAddrOfId);
    const newStateVersion = r.dataVersion?.stateVersion ?? 0;
    if (oldLive !== undefined && oldLive.dataVersion.stateVersion > newStateVersion) {
      return {
        outcome: 'ignored', enableActingMaster,
        reason: `broker id ${r.brokerId} of ${r.brokerName} is live at ${oldAddrOfId} with stateVersion `
          + `${oldLive.dataVersion.stateVersion}, newer than this registration's ${newStateVersion}`,
      };
    }
  }
  if (oldAddrOfId === undefined && table !== null && tableHasExactlyOne(table)) {
    return {
      outcome: 'refused', enableActingMaster,
      reason: `broker id ${r.brokerId} of ${r.brokerName} is not registered yet, and a first registration `
        + 'must not carry exactly one topic (RocketMQ refuses it)',
    };
  }
  const registerFirst = oldAddrOfId === undefined || oldAddrOfId === '';
  const isMaster = r.brokerId === MASTER_ID;
  // The lowest id after this registration (where the address appears under this id only).
  let isPrimeSlave = !isOldVersionBroker && !isMaster;
  if (isPrimeSlave && group !== undefined) {
    for (const [id, addr] of group.addrs) {
      if (id < r.brokerId && addr !== r.brokerAddr) isPrimeSlave = false;
    }
  }
  const appliesTopics = table !== null && (isMaster || isPrimeSlave);
  const wipeWrite = isPrimeSlave && enableActingMaster;
  const mode = tableMode(r, group, live, registerFirst, table);
  let changes: readonly TopicConfig[] = NO_CHANGES;
  let tableSize = -1;
  if (appliesTopics) {
    if (mode === 'dropped') {
      if (group?.dropped) changes = planDropped(table, group.dropped);
    } else if (isAppliedUnchanged(table, group, wipeWrite)) {
      // Every entry would compare equal (and was validated when it was applied): nothing to walk.
      tableSize = (table as ReadonlyMap<string, unknown>).size;
    } else {
      const planned = planTable(table, group?.topics, mode === 'missing', wipeWrite);
      changes = planned.changes;
      tableSize = planned.size;
    }
  }
  return { outcome: 'apply', enableActingMaster, appliesTopics, mode, wipeWrite, changes, tableSize };
}

/**
 * RocketMQ walks the whole table at an equal data version and adds what the
 * group lacks. We skip the walk when the table must be the one applied last:
 * same address, same version, a `Map` no larger than that table (a size is
 * O(1) for a Map; a plain object would need a walk to count, so it gets the
 * walk). Then only topics the name server dropped since can be missing.
 */
function tableMode(
  r: NormalizedRegistration, group: BrokerGroup | undefined, live: LiveBroker | undefined, registerFirst: boolean,
  table: UncheckedTopicTable | null,
): TableMode {
  if (registerFirst || live === undefined || r.dataVersion === null || !dataVersionEquals(live.dataVersion, r.dataVersion)) return 'all';
  const last = group?.lastApplied;
  if (last == null || last.addr !== r.brokerAddr || !dataVersionEquals(last.version, r.dataVersion)) return 'missing';
  return table instanceof Map && table.size <= last.count ? 'dropped' : 'missing';
}

/**
 * Whether `table` is the sealed table the group's last whole walk applied,
 * with the same write permission, and nothing changed the group's queues
 * since: then the group holds exactly what the table says. A broker re-sends
 * an unchanged table with a new data version; a decode pool hands such a
 * table back as the same sealed instance.
 */
function isAppliedUnchanged(table: UncheckedTopicTable, group: BrokerGroup | undefined, wipeWrite: boolean): boolean {
  const last = group?.lastApplied;
  return last != null && last.sealedTable === table && last.wipeWrite === wipeWrite && last.topicsVersion === group?.topicsVersion;
}

/**
 * The entries of a topic table that change the group's queues (or, with
 * `onlyMissing`, that it lacks), validating every entry on the way. This is
 * the hot loop of a registration with a new data version: no closures, no
 * allocation for unchanged topics.
 */
function planTable(
  table: UncheckedTopicTable, existing: ReadonlyMap<string, QueueData> | undefined, onlyMissing: boolean, wipeWrite: boolean,
): { changes: TopicConfig[]; size: number } {
  const changes: TopicConfig[] = [];
  let size = 0;
  if (table instanceof Map) {
    for (const value of table.values()) {
      const verdict = classify(value, existing, onlyMissing, wipeWrite);
      if (verdict === INVALID) checkMapEntry(table, value);
      if (verdict !== SAME) changes.push(value as TopicConfig);
    }
    size = table.size;
  } else {
    const record = table as Record<string, unknown>;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      size++;
      const value = record[key];
      const verdict = classify(value, existing, onlyMissing, wipeWrite);
      if (verdict === INVALID) normalizeTopicConfig(value, key);
      if (verdict !== SAME) changes.push(value as TopicConfig);
    }
  }
  return { changes, size };
}

const SAME = 0;
const CHANGED = 1;
/** Not valid at a glance: {@link normalizeTopicConfig} decides (and throws if it really is invalid). */
const INVALID = 2;

/** Validates and compares one entry, reading each field once. */
function classify(
  value: unknown, existing: ReadonlyMap<string, QueueData> | undefined, onlyMissing: boolean, wipeWrite: boolean,
): number {
  if (!isValidTopicConfig(value)) return INVALID;
  const config = value as TopicConfig;
  const qd = existing?.get(config.topicName);
  if (qd === undefined) return CHANGED;
  if (onlyMissing) return SAME;
  return qd.readQueueNums !== readQueueNumsOf(config) || qd.writeQueueNums !== writeQueueNumsOf(config)
    || qd.perm !== permOf(config, wipeWrite) || qd.topicSysFlag !== sysFlagOf(config)
    ? CHANGED : SAME;
}

/** The dropped topics the table still lists (RocketMQ re-adds them on an unchanged version). */
function planDropped(table: UncheckedTopicTable, dropped: ReadonlySet<string>): TopicConfig[] {
  const changes: TopicConfig[] = [];
  for (const topic of dropped) {
    if (!tableHas(table, topic)) continue;
    const value = tableGet(table, topic);
    if (!isValidTopicConfig(value)) normalizeTopicConfig(value, topic);
    changes.push(value as TopicConfig);
  }
  return changes;
}

/** Slow path: finds the entry's key so an invalid entry's error names it. */
function checkMapEntry(table: ReadonlyMap<string, unknown>, value: unknown): void {
  for (const [key, v] of table) {
    if (v === value) {
      normalizeTopicConfig(v, key);
      return;
    }
  }
}
