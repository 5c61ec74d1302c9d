/**
 * The standalone server's log: one line per event, as text or JSON lines,
 * filtered by level. Errors and warnings go to stderr, the rest to stdout
 * (a supervisor that merges both sees one ordered stream per level).
 * @module
 */

/** Log levels, most severe first. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** `text`: `<time> <LEVEL> <msg> key=value …`; `json`: `{"time","level","msg",…fields}` per line. */
export type LogFormat = 'text' | 'json';

/** The accepted level names, most severe first. */
export const LOG_LEVELS: readonly LogLevel[] = Object.freeze(['error', 'warn', 'info', 'debug']);

/** The accepted format names. */
export const LOG_FORMATS: readonly LogFormat[] = Object.freeze(['text', 'json']);

/** Structured data of a line; `undefined` values are left out. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where the server reports what it does. */
export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /** Whether lines of `level` are written (skip building costly fields otherwise). */
  enabled(level: LogLevel): boolean;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevel;
  /** @default 'text' */
  readonly format?: LogFormat;
  /** The clock the lines are stamped with. @default Date.now */
  readonly now?: () => number;
  /** Receives each finished line (with its newline). @default stdout for info/debug, stderr for warn/error */
  readonly write?: (level: LogLevel, line: string) => void;
}

const RANK: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A logger writing one line per call. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const format = options.format ?? 'text';
  const now = options.now ?? Date.now;
  const write = options.write ?? writeToProcess;
  const line = (level: LogLevel, msg: string, fields: LogFields | undefined): void => {
    if (RANK[level] > threshold) return;
    const time = new Date(now()).toISOString();
    write(level, format === 'json' ? jsonLine(time, level, msg, fields) : textLine(time, level, msg, fields));
  };
  return {
    error: (msg, fields) => line('error', msg, fields),
    warn: (msg, fields) => line('warn', msg, fields),
    info: (msg, fields) => line('info', msg, fields),
    debug: (msg, fields) => line('debug', msg, fields),
    enabled: (level) => RANK[level] <= threshold,
  };
}

function writeToProcess(level: LogLevel, line: string): void {
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line);
}

function jsonLine(time: string, level: LogLevel, msg: string, fields: LogFields | undefined): string {
  // time, level and msg first and never overwritten by a field of the same name.
  const record: Record<string, unknown> = { time, level, msg };
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value !== undefined && !(key in record)) record[key] = value instanceof Error ? value.message : value;
  }
  return `${JSON.stringify(record)}\n`;
}

function textLine(time: string, level: LogLevel, msg: string, fields: LogFields | undefined): string {
  let out = `${time} ${level.toUpperCase().padEnd(5)} ${oneLine(msg)}`;
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value !== undefined) out += ` ${key}=${textValue(value)}`;
  }
  return `${out}\n`;
}

/** One event is one line: a newline inside a message would split it for `grep`. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' | ');
}

function textValue(value: unknown): string {
  const text = value instanceof Error ? value.message
    : typeof value === 'string' ? value
      : Array.isArray(value) ? value.join(',')
        : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  // Quoted only when needed, so `grep addr=10.0.0.1:10911` works on ordinary values.
  return /^[^\s"=]*$/.test(text) && text !== '' ? text : JSON.stringify(text);
}

/** Options of {@link RateLimitedLog}. */
export interface RateLimitOptions {
  /** At most one line per key in this window. @default 10_000 */
  readonly windowMillis?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Lines that hostile or broken peers can cause (TLS and access refusals,
 * protocol errors): at most one line per key per window, the next line
 * saying how many were left out (`suppressed`), so a flood costs a few lines.
 */
export class RateLimitedLog {
  readonly #log: Logger;
  readonly #windowMillis: number;
  readonly #now: () => number;
  /** Per key: when its last line was written and how many events were left out since. */
  readonly #keys = new Map<string, { last: number; suppressed: number; level: LogLevel; msg: string }>();

  constructor(log: Logger, options: RateLimitOptions = {}) {
    this.#log = log;
    this.#windowMillis = options.windowMillis ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Logs `msg` unless a line of the same `key` was written within the window; counts it then. */
  log(level: LogLevel, key: string, msg: string, fields?: LogFields): void {
    const now = this.#now();
    const entry = this.#keys.get(key);
    if (entry !== undefined && now - entry.last < this.#windowMillis) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.#keys.set(key, { last: now, suppressed: 0, level, msg });
    this.#log[level](msg, suppressed > 0 ? { ...fields, suppressed } : fields);
  }

  /** Writes a line for each key with events left out (at shutdown), then forgets every key. */
  flush(): void {
    for (const entry of this.#keys.values()) {
      if (entry.suppressed > 0) this.#log[entry.level](entry.msg, { suppressed: entry.suppressed });
    }
    this.#keys.clear();
  }
}
