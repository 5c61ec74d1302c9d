/**
 * Typed errors: a base class with a stable `code`, one subclass per failure.
 * @module
 */

/** Base class of every error this package throws on purpose. */
export class NamesrvError extends Error {
  /** Stable, machine-readable identifier. */
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NamesrvError';
    this.code = code;
  }
}

/** A request was malformed; nothing was changed. */
export class InvalidRequestError extends NamesrvError {
  declare readonly code: 'ERR_INVALID_REQUEST';
  /** Path of the offending field, e.g. `topicConfigWrapper.topicConfigTable.t1.perm`. */
  readonly field: string;
  /** What is wrong with it, e.g. `must be an integer from 0 to 15, got 16`. */
  readonly reason: string;

  constructor(field: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid request: ${field} ${reason}`, 'ERR_INVALID_REQUEST', options);
    this.name = 'InvalidRequestError';
    this.field = field;
    this.reason = reason;
  }
}

/**
 * An option given to a constructor was unknown, out of range or of the
 * wrong type; nothing was built.
 */
export class InvalidOptionError extends NamesrvError {
  declare readonly code: 'ERR_INVALID_OPTION';
  /** The option, e.g. `options.port` (or the argument, e.g. `registry`). */
  readonly field: string;
  /** What is wrong with it, e.g. `must be an integer from 0 to 65535, got -1`. */
  readonly reason: string;

  constructor(field: string, reason: string, options?: { cause?: unknown }) {
    super(`${field} ${reason}`, 'ERR_INVALID_OPTION', options);
    this.name = 'InvalidOptionError';
    this.field = field;
    this.reason = reason;
  }
}

/** The KV config file could not be read or is not RocketMQ's `kvConfig.json` format; nothing was loaded. */
export class KvConfigLoadError extends NamesrvError {
  declare readonly code: 'ERR_KV_CONFIG_LOAD';
  /** The file that failed to load. */
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`cannot load KV config ${path}: ${message}`, 'ERR_KV_CONFIG_LOAD', options);
    this.name = 'KvConfigLoadError';
    this.path = path;
  }
}

/** Writing the KV config file failed; the in-memory table is intact and the next change retries. */
export class KvConfigPersistError extends NamesrvError {
  declare readonly code: 'ERR_KV_CONFIG_PERSIST';
  /** The file that could not be written. */
  readonly path: string;

  constructor(path: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`cannot persist KV config ${path}${reason}`, 'ERR_KV_CONFIG_PERSIST', options);
    this.name = 'KvConfigPersistError';
    this.path = path;
  }
}

/** A configuration value (a `-c` file, a flag, an UPDATE_NAMESRV_CONFIG body) is not of its key's type or range; nothing was applied. */
export class ConfigValueError extends NamesrvError {
  declare readonly code: 'ERR_CONFIG_VALUE';
  /** The offending key, e.g. `listenPort`. */
  readonly key: string;
  /** The value as given. */
  readonly value: string;

  constructor(key: string, value: string, expected: string) {
    super(`invalid value for ${key}: ${JSON.stringify(value)} (expected ${expected})`, 'ERR_CONFIG_VALUE');
    this.name = 'ConfigValueError';
    this.key = key;
    this.value = value;
  }
}

/**
 * A change would take the registry past `maxRouteEntries`; nothing changed.
 * Remoting answers it as SYSTEM_ERROR with this message as remark.
 */
export class RouteRegistryFullError extends NamesrvError {
  declare readonly code: 'ERR_REGISTRY_FULL';
  /** Route entries held now. */
  readonly held: number;
  /** Route entries the refused change would have added. */
  readonly adding: number;
  /** The `maxRouteEntries` option in force. */
  readonly limit: number;

  constructor(what: string, held: number, adding: number, limit: number) {
    super(`${what} refused: the registry holds ${held} route entries (topic × broker queue entries plus live brokers), `
      + `and ${adding} more would pass maxRouteEntries (${limit})`, 'ERR_REGISTRY_FULL');
    this.name = 'RouteRegistryFullError';
    this.held = held;
    this.adding = adding;
    this.limit = limit;
  }
}
