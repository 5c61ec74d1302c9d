/**
 * Checking one configuration value against its key's Java type, and writing
 * it the way Java's `object2Properties` prints it back (`Integer.toString`,
 * `Boolean.toString`, trimmed strings).
 *
 * Java's `properties2Object` is lenient where this is strict, on purpose:
 * Java swallows a `NumberFormatException` (the key silently keeps its old
 * value) and reads any boolean other than `true` as `false`. Here both are a
 * {@link ConfigValueError} naming the key, so a typo is never half-applied.
 * @module
 */
import { ConfigValueError } from './errors.js';
import type { ConfigKeySpec } from './namesrv-config-keys.js';

const RANGES = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;

/**
 * The canonical text of `raw` for `spec`, as Java would print the field after
 * setting it: strings trimmed (Java's `properties2Object` trims them),
 * numbers in plain decimal, booleans `true`/`false` (any case accepted).
 * @throws {@link ConfigValueError} when `raw` is not of the key's type or range.
 */
export function normalizeConfigValue(spec: ConfigKeySpec, raw: string): string {
  const text = raw.trim();
  switch (spec.type) {
    case 'string': {
      if (spec.oneOf === undefined) return text;
      const lower = text.toLowerCase();
      if (spec.oneOf.includes(lower)) return lower;
      throw new ConfigValueError(spec.key, raw, `one of ${spec.oneOf.join(', ')}`);
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === 'false') return lower;
      throw new ConfigValueError(spec.key, raw, 'true or false');
    }
    case 'int':
    case 'long': {
      const [typeMin, typeMax] = RANGES[spec.type];
      const min = spec.min === undefined ? typeMin : BigInt(spec.min);
      const max = spec.max === undefined ? typeMax : BigInt(spec.max);
      // Integer.parseInt's grammar: an optional sign and ASCII digits, nothing else.
      const n = /^[+-]?[0-9]+$/.test(text) ? BigInt(text) : null;
      if (n === null || n < min || n > max) {
        throw new ConfigValueError(spec.key, raw, `an integer from ${min} to ${max}`);
      }
      return n.toString();
    }
  }
}

/** The value of a key already normalized by {@link normalizeConfigValue}, as a JavaScript value. */
export function typedConfigValue(spec: ConfigKeySpec, text: string): string | number | boolean {
  switch (spec.type) {
    case 'boolean': return text === 'true';
    case 'int':
    case 'long': return Number(text);
    default: return text;
  }
}
