/**
 * A broker's topic config table, as a plain object (RocketMQ's JSON) or a
 * `Map`. Both are accepted because V8 enumerates plain objects with
 * thousands of keys slowly (it sorts them), while a `Map` iterates in linear
 * time: hosts and adapters that build tables themselves should prefer a Map.
 * @internal
 * @module
 */

/** The table as the registry reads it: entries are unvalidated until checked. */
export type UncheckedTopicTable = Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>;

/** Marks a sealed table; `Symbol.for`, so every copy of this module (ESM, CJS) agrees. */
const SEALED = Symbol.for('rocketmq-namesrv.sealedTopicTable');

/**
 * Seals a `Map` topic table: `set`, `delete` and `clear` throw from now on,
 * and the table's owner promises not to change its entries either. The
 * registry may then take the same instance, registered again, to hold what it
 * held last time (a decode pool hands back one instance while a broker's
 * table bytes stay the same).
 */
export function sealTopicTable<T extends Map<string, unknown>>(table: T): T {
  const refuse = (): never => {
    throw new TypeError('a sealed topic table cannot change');
  };
  Object.defineProperties(table, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse }, [SEALED]: { value: true } });
  return table;
}

/** Whether `table` was sealed by {@link sealTopicTable}. */
export function isSealedTopicTable(table: UncheckedTopicTable): boolean {
  return table instanceof Map && Object.hasOwn(table, SEALED);
}

export function tableHas(table: UncheckedTopicTable, key: string): boolean {
  return table instanceof Map ? table.has(key) : Object.hasOwn(table, key);
}

export function tableGet(table: UncheckedTopicTable, key: string): unknown {
  if (table instanceof Map) return table.get(key);
  return Object.hasOwn(table, key) ? (table as Record<string, unknown>)[key] : undefined;
}

/** True when the table has exactly one entry, without enumerating a large one. */
export function tableHasExactlyOne(table: UncheckedTopicTable): boolean {
  if (table instanceof Map) return table.size === 1;
  let n = 0;
  for (const key in table) {
    if (Object.hasOwn(table, key) && ++n > 1) return false;
  }
  return n === 1;
}
