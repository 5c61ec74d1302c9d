/**
 * Walking a broker's topic table against its group's queues: which entries
 * change them, every entry validated on the way. This is the hot loop of a
 * registration with a new data version (RocketMQ walks the whole table then
 * too), so it allocates nothing for unchanged topics and reads each entry once.
 * @internal
 * @module
 */
import { InOrderLookup } from '../tables/in-order-lookup.js';
import {
  isValidTopicConfig, normalizeTopicConfig, permOf, readQueueNumsOf, sysFlagOf, writeQueueNumsOf,
} from './topic-config.js';
import type { UncheckedTopicTable } from './topic-table.js';
import type { QueueData, TopicConfig } from '../types.js';

/**
 * The entries of a topic table that change the group's queues (or, with
 * `onlyMissing`, that it lacks), validating every entry on the way.
 * @throws InvalidRequestError for the first invalid entry.
 */
export function planTable(
  table: UncheckedTopicTable, existing: ReadonlyMap<string, QueueData> | undefined, onlyMissing: boolean, wipeWrite: boolean,
): TopicConfig[] {
  const changes: TopicConfig[] = [];
  const lookup = existing === undefined || existing.size === 0 ? null : new InOrderLookup(existing);
  if (table instanceof Map) {
    for (const value of table.values()) {
      const verdict = classify(value, lookup, onlyMissing, wipeWrite);
      if (verdict === INVALID) checkMapEntry(table, value);
      if (verdict !== SAME) changes.push(value as TopicConfig);
    }
  } else {
    const record = table as Record<string, unknown>;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      const value = record[key];
      const verdict = classify(value, lookup, onlyMissing, wipeWrite);
      if (verdict === INVALID) normalizeTopicConfig(value, key);
      if (verdict !== SAME) changes.push(value as TopicConfig);
    }
  }
  return changes;
}

const SAME = 0;
const CHANGED = 1;
/** Not valid at a glance: {@link normalizeTopicConfig} decides (and throws if it really is invalid). */
const INVALID = 2;

/** Validates and compares one entry. */
function classify(value: unknown, lookup: InOrderLookup | null, onlyMissing: boolean, wipeWrite: boolean): number {
  if (typeof value !== 'object' || value === null) return INVALID;
  const config = value as TopicConfig;
  const name = config.topicName;
  const qd = lookup === null || typeof name !== 'string' ? undefined : lookup.get(name);
  if (qd === undefined) return isValidTopicConfig(value) ? CHANGED : INVALID;
  // The usual case: every figure as the group holds it. The group's figures are valid, so figures
  // equal to them are too: no separate check is needed. (Wiping write, equal figures may still change perm.)
  if ((onlyMissing || !wipeWrite) && qd.readQueueNums === config.readQueueNums && qd.writeQueueNums === config.writeQueueNums
    && qd.perm === config.perm && qd.topicSysFlag === config.topicSysFlag) {
    return SAME;
  }
  if (!isValidTopicConfig(value)) return INVALID;
  if (onlyMissing) return SAME;
  return qd.readQueueNums !== readQueueNumsOf(config) || qd.writeQueueNums !== writeQueueNumsOf(config)
    || qd.perm !== permOf(config, wipeWrite) || qd.topicSysFlag !== sysFlagOf(config)
    ? CHANGED : SAME;
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
