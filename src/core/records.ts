/**
 * Helpers for building plain objects from user-keyed data. Any string is a
 * legal key, including `__proto__`, which plain assignment would turn into a
 * prototype change instead of a property.
 * @internal
 */

/** Sets an own, enumerable property even for the key `__proto__`. */
export function setOwn<V>(target: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** A plain object with the entries of `map`, in iteration order. */
export function recordFromEntries<K, V>(
  entries: Iterable<readonly [K, V]>,
  key: (k: K) => string = String,
): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of entries) setOwn(out, key(k), v);
  return out;
}

/** True for object literals, `JSON.parse` output and null-prototype objects. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short description of a bad value for error messages (never the value itself when it may be large). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return String(value);
  return typeof value;
}
