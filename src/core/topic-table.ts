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
