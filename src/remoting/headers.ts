/**
 * Reading custom header fields (`extFields`) the way RocketMQ's
 * `decodeCommandCustomHeader` does: every value is a string, parsed per the
 * Java field's type; `@CFNotNull` fields are required.
 * @internal
 */
import { InvalidRequestError } from '../core/errors.js';

type ExtFields = Readonly<Record<string, string>>;

/** A required string field (`@CFNotNull String`). */
export function requireField(ext: ExtFields, name: string): string {
  const value = own(ext, name);
  if (value === undefined) throw new InvalidRequestError(name, 'is missing from the request header');
  return value;
}

/** An optional string field, null when absent. */
export function optionalField(ext: ExtFields, name: string): string | null {
  return own(ext, name) ?? null;
}

/** A `Long` field: Java's `Long.parseLong`, kept to integers a double holds exactly. */
export function longField(ext: ExtFields, name: string, required: true): number;
export function longField(ext: ExtFields, name: string, required: false): number | null;
export function longField(ext: ExtFields, name: string, required: boolean): number | null {
  const value = own(ext, name);
  if (value === undefined) {
    if (required) throw new InvalidRequestError(name, 'is missing from the request header');
    return null;
  }
  const n = /^[+-]?\d{1,19}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidRequestError(name, `is not an integer: ${JSON.stringify(value)}`);
  return n;
}

/** An `Integer` field (Java's `Integer.parseInt`), or `fallback` when absent. */
export function intField(ext: ExtFields, name: string, fallback: number): number {
  const value = own(ext, name);
  if (value === undefined) return fallback;
  const n = /^[+-]?\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) {
    throw new InvalidRequestError(name, `is not an int: ${JSON.stringify(value)}`);
  }
  return n;
}

/** A `Boolean` field: Java's `Boolean.parseBoolean` (only "true", any case, is true); null when absent. */
export function booleanField(ext: ExtFields, name: string): boolean | null {
  const value = own(ext, name);
  if (value === undefined) return null;
  return value.toLowerCase() === 'true';
}

function own(ext: ExtFields, name: string): string | undefined {
  return Object.hasOwn(ext, name) ? ext[name] : undefined;
}
