/**
 * The checks every component's options go through (registry, KV store,
 * metrics, remoting server and client, HTTP handler, CLI): one place for
 * "unknown option", "must be a positive integer" and the like, so the same
 * mistake gets the same {@link InvalidOptionError} everywhere. Each checker
 * returns the value (or the default when it is `undefined`).
 * @module
 */
import { InvalidOptionError } from './errors.js';
import { describeValue } from './records.js';

/** An options argument: `undefined` or a plain object. */
export type OptionsBag = Readonly<Record<string, unknown>>;

/**
 * Checks that `options` is an object whose own keys are all in `known`;
 * returns it (an empty object for `undefined`). A misspelt option is a bug
 * that would otherwise pass silently with the default in force.
 * @throws {@link InvalidOptionError} naming the first unknown key.
 */
export function checkOptions(options: unknown, component: string, known: ReadonlySet<string>): OptionsBag {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', `of ${component} must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new InvalidOptionError(`options.${key}`, `is not an option of ${component}`);
  }
  return options as OptionsBag;
}

/** Bounds of a number option; both inclusive. */
export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  /** Only integers (safe ones). @default false */
  readonly integer?: boolean;
  /** Also accept `Infinity` (meaning "no limit"). @default false */
  readonly infinity?: boolean;
  /** Words after the number in the message, e.g. `of milliseconds`. */
  readonly unit?: string;
}

/** A finite number (or integer) within `range`. */
export function checkNumber(value: unknown, fallback: number, name: string, range: NumberRange = {}): number {
  if (value === undefined) return fallback;
  if (range.infinity === true && value === Number.POSITIVE_INFINITY) return value;
  const { min = -Number.MAX_VALUE, max = Number.MAX_VALUE, integer = false } = range;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))
    || value < min || value > max) {
    const kind = integer ? 'an integer' : 'a number';
    const unit = range.unit === undefined ? '' : ` ${range.unit}`;
    let bounds = '';
    if (min > -Number.MAX_VALUE && max < Number.MAX_VALUE) bounds = ` from ${min} to ${max}`;
    else if (min > -Number.MAX_VALUE) bounds = ` of at least ${min}`;
    else if (max < Number.MAX_VALUE) bounds = ` of at most ${max}`;
    throw new InvalidOptionError(`options.${name}`, `must be ${kind}${unit}${bounds}, got ${describeValue(value)}`);
  }
  return value;
}

/** A number greater than 0 (a duration, a size). */
export function checkPositive(value: unknown, fallback: number, name: string, unit?: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    const suffix = unit === undefined ? '' : ` of ${unit}`;
    throw new InvalidOptionError(`options.${name}`, `must be a positive number${suffix}, got ${describeValue(value)}`);
  }
  return value;
}

/** An integer greater than 0. */
export function checkPositiveInteger(value: unknown, fallback: number, name: string): number {
  return checkNumber(value, fallback, name, { integer: true, min: 1 });
}

/** A boolean. */
export function checkFlag(value: unknown, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionError(`options.${name}`, `must be a boolean, got ${describeValue(value)}`);
  return value;
}

/** A non-empty string. */
export function checkNonEmptyString(value: unknown, fallback: string, name: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') {
    throw new InvalidOptionError(`options.${name}`, `must be a non-empty string, got ${describeValue(value)}`);
  }
  return value;
}

/** A function, or null when absent. */
export function checkFunction<F extends (...args: never[]) => unknown>(value: F | undefined, name: string): F | null {
  if (value === undefined) return null;
  if (typeof value !== 'function') throw new InvalidOptionError(`options.${name}`, 'must be a function');
  return value;
}

/**
 * An object with the named methods (duck-typed: an instance made through
 * another entry point's copy of a class is fine), or null when absent.
 */
export function checkInstance<T extends object>(value: T | undefined, name: string, what: string, methods: readonly string[]): T | null {
  if (value === undefined) return null;
  const ok = typeof value === 'object' && value !== null
    && methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
  if (!ok) throw new InvalidOptionError(`options.${name}`, `must be a ${what}`);
  return value;
}
