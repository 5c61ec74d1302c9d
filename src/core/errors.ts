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

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`invalid request: ${field} ${message}`, 'ERR_INVALID_REQUEST', options);
    this.name = 'InvalidRequestError';
    this.field = field;
  }
}

/** An option given to a constructor was out of range or of the wrong type. */
export class InvalidOptionError extends TypeError {
  /** Stable, machine-readable identifier. */
  readonly code = 'ERR_INVALID_OPTION' as const;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidOptionError';
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
