/**
 * Static topics: RocketMQ's `topicQueueMappingInfoTable` (topic → broker
 * name → `TopicQueueMappingInfo`), filled from registrations and shown in
 * routes as `topicQueueMappingByBroker`.
 *
 * RocketMQ keeps an entry forever once registered; here the mappings a
 * group registered go with the group (its last address unregistered or
 * expired), so a route never points at a broker that is gone.
 * @internal
 * @module
 */
import { InvalidRequestError } from '../errors.js';
import { describeValue, isPlainObject, setOwn } from '../records.js';
import type { TopicQueueMappingInfo } from '../types.js';

/** RocketMQ's `MixAll.METADATA_SCOPE_GLOBAL`, a mapping's default scope. */
export const METADATA_SCOPE_GLOBAL = '__global__';

/** A frozen `topicQueueMappingByBroker` record. */
export type MappingsByBroker = Readonly<Record<string, Readonly<TopicQueueMappingInfo>>>;

/** A registration's mappings, validated and frozen, by topic. */
export type NormalizedMappings = ReadonlyMap<string, Readonly<TopicQueueMappingInfo>>;

const JAVA_INT_MIN = -0x80000000;
const JAVA_INT_MAX = 0x7fffffff;

function isJavaInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= JAVA_INT_MIN && n <= JAVA_INT_MAX;
}

/**
 * Validates a wrapper's `topicQueueMappingInfoMap` (a `Map` or a record of
 * topic → mapping) into frozen copies with Java's defaults; null when absent
 * or empty. Nothing is stored here: the registry stores it once the whole
 * registration is known to be valid.
 * @throws {@link InvalidRequestError} naming the offending field.
 */
export function normalizeMappings(value: unknown, field: string): NormalizedMappings | null {
  if (value === undefined || value === null || (value instanceof Map && value.size === 0)) return null;
  let entries: Iterable<[string, unknown]>;
  if (value instanceof Map) entries = value as Map<string, unknown>;
  else if (isPlainObject(value)) entries = Object.entries(value);
  else throw new InvalidRequestError(field, `must be an object or a Map, got ${describeValue(value)}`);
  const out = new Map<string, Readonly<TopicQueueMappingInfo>>();
  for (const [topic, info] of entries) {
    if (typeof topic !== 'string') throw new InvalidRequestError(field, 'must be keyed by topic name strings');
    out.set(topic, normalizeMapping(info, topic, `${field}.${topic}`));
  }
  return out.size === 0 ? null : out;
}

function normalizeMapping(value: unknown, key: string, field: string): Readonly<TopicQueueMappingInfo> {
  if (!isPlainObject(value)) throw new InvalidRequestError(field, `must be an object, got ${describeValue(value)}`);
  const { topic = key, scope = METADATA_SCOPE_GLOBAL, totalQueues = 0, bname = null, epoch = 0, dirty = false } = value;
  if (typeof topic !== 'string') throw new InvalidRequestError(`${field}.topic`, `must be a string, got ${describeValue(topic)}`);
  if (typeof scope !== 'string') throw new InvalidRequestError(`${field}.scope`, `must be a string, got ${describeValue(scope)}`);
  if (!isJavaInt(totalQueues)) throw new InvalidRequestError(`${field}.totalQueues`, `must be an int, got ${describeValue(totalQueues)}`);
  if (bname !== null && typeof bname !== 'string') {
    throw new InvalidRequestError(`${field}.bname`, `must be a string or null, got ${describeValue(bname)}`);
  }
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch)) {
    throw new InvalidRequestError(`${field}.epoch`, `must be an integer, got ${describeValue(epoch)}`);
  }
  if (typeof dirty !== 'boolean') throw new InvalidRequestError(`${field}.dirty`, `must be a boolean, got ${describeValue(dirty)}`);
  const ids = value.currIdMap ?? {};
  const pairs: Array<[number, unknown]> = [];
  if (ids instanceof Map) {
    for (const [k, v] of ids as Map<unknown, unknown>) pairs.push([typeof k === 'string' && /^-?\d+$/.test(k) ? Number(k) : Number.NaN, v]);
  } else if (isPlainObject(ids)) {
    for (const k of Object.keys(ids)) pairs.push([/^-?\d+$/.test(k) ? Number(k) : Number.NaN, ids[k]]);
  } else {
    throw new InvalidRequestError(`${field}.currIdMap`, `must be an object, got ${describeValue(ids)}`);
  }
  const currIdMap: Record<string, number> = {};
  for (const [logical, physical] of pairs.sort((a, b) => a[0] - b[0])) {
    if (!isJavaInt(logical) || !isJavaInt(physical)) throw new InvalidRequestError(`${field}.currIdMap`, 'must map int queue ids to int queue ids');
    currIdMap[String(logical)] = physical;
  }
  return Object.freeze({ topic, scope, totalQueues, bname, epoch, dirty, currIdMap: Object.freeze(currIdMap) });
}

/** Equality of two mappings (Java's `TopicQueueMappingInfo.equals`). */
export function sameMapping(a: Readonly<TopicQueueMappingInfo>, b: Readonly<TopicQueueMappingInfo>): boolean {
  if (a === b) return true;
  if (a.topic !== b.topic || a.scope !== b.scope || a.totalQueues !== b.totalQueues || a.bname !== b.bname
    || a.epoch !== b.epoch || a.dirty !== b.dirty) return false;
  const ka = Object.keys(a.currIdMap);
  const kb = Object.keys(b.currIdMap);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a.currIdMap[k] === b.currIdMap[k]);
}

/** Equality of two `topicQueueMappingByBroker` values (either may be absent). */
export function sameMappingsByBroker(a: MappingsByBroker | undefined, b: MappingsByBroker | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameMapping(a[k] as TopicQueueMappingInfo, b[k] as TopicQueueMappingInfo));
}

/** The key RocketMQ files a mapping under: its `bname` (Java's HashMap takes a null key; JSON shows it as "null"). */
function brokerKey(info: Readonly<TopicQueueMappingInfo>): string {
  return info.bname ?? 'null';
}

interface Stored {
  readonly info: Readonly<TopicQueueMappingInfo>;
  /** The group (broker name) whose registration stored it. */
  readonly owner: string;
}

/** RocketMQ's `topicQueueMappingInfoTable`, plus who registered each entry. */
export class StaticTopicTable {
  /** topic → broker key → mapping. */
  readonly #byTopic = new Map<string, Map<string, Stored>>();
  /** owner group → topics it stored mappings of. */
  readonly #byOwner = new Map<string, Set<string>>();
  /** topic → the frozen record routes show; rebuilt after a change. */
  readonly #records = new Map<string, MappingsByBroker>();

  /** How many topics have mappings. */
  get size(): number {
    return this.#byTopic.size;
  }

  /**
   * Stores the mappings group `owner` registered (RocketMQ's put per topic
   * and `bname`; entries of other brokers stay). Returns the topics whose
   * mappings changed.
   */
  put(owner: string, mappings: NormalizedMappings): string[] {
    const changed: string[] = [];
    for (const [topic, info] of mappings) {
      let byBroker = this.#byTopic.get(topic);
      if (byBroker === undefined) {
        byBroker = new Map();
        this.#byTopic.set(topic, byBroker);
      }
      const key = brokerKey(info);
      const old = byBroker.get(key);
      if (old !== undefined && old.owner === owner && sameMapping(old.info, info)) continue;
      byBroker.set(key, { info, owner });
      let topics = this.#byOwner.get(owner);
      if (topics === undefined) {
        topics = new Set();
        this.#byOwner.set(owner, topics);
      }
      topics.add(topic);
      this.#records.delete(topic);
      changed.push(topic);
    }
    return changed;
  }

  /** Drops every mapping group `owner` stored (the group is gone). Returns the topics whose mappings changed. */
  drop(owner: string): string[] {
    const topics = this.#byOwner.get(owner);
    if (topics === undefined) return [];
    this.#byOwner.delete(owner);
    const changed: string[] = [];
    for (const topic of topics) {
      const byBroker = this.#byTopic.get(topic);
      if (byBroker === undefined) continue;
      let removed = false;
      for (const [key, stored] of byBroker) {
        if (stored.owner === owner) {
          byBroker.delete(key);
          removed = true;
        }
      }
      if (!removed) continue;
      if (byBroker.size === 0) this.#byTopic.delete(topic);
      this.#records.delete(topic);
      changed.push(topic);
    }
    return changed;
  }

  /** The frozen `topicQueueMappingByBroker` of `topic` (keys sorted), or null when it has none. */
  of(topic: string): MappingsByBroker | null {
    const cached = this.#records.get(topic);
    if (cached !== undefined) return cached;
    const byBroker = this.#byTopic.get(topic);
    if (byBroker === undefined) return null;
    const record: Record<string, Readonly<TopicQueueMappingInfo>> = {};
    for (const key of [...byBroker.keys()].sort()) setOwn(record, key, (byBroker.get(key) as Stored).info);
    const frozen = Object.freeze(record);
    this.#records.set(topic, frozen);
    return frozen;
  }
}
