/**
 * The standalone server's configuration: ONE {@link NamesrvConfiguration}
 * built from the `-c` properties file and the flags (flags win), which is
 * also what GET/UPDATE_NAMESRV_CONFIG (319/318) serve; and the typed
 * settings the server starts with, read from it. No I/O except through the
 * injected environment, so it is testable.
 * @module
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { NamesrvError } from '../core/errors.js';
import { NamesrvConfiguration, type NamesrvConfigurationInit } from '../config/namesrv-config.js';
import { EXTENSION_CONFIG_KEYS, KNOWN_CONFIG_KEYS, normalizeConfigValue, typedConfigValue } from '../config/keys.js';
import { parseProperties } from '../config/properties.js';
import { REMOTING_SERVER_DEFAULTS } from '../remoting/options.js';
import { TLS_PROPERTY_KEYS, tlsOptionsFromProperties, type TlsServerOptions } from '../remoting/tls/config.js';
import type { CliFlags } from './flags.js';
import { CLI_CONFIG_KEYS } from './keys.js';
import { defaultMaxConnections, openFilesLimit } from '../remoting/fd-limit.js';

export { CliUsageError } from './flags.js';

/** The `-c` file cannot be read or is not properties text: one line, exit 1. */
export class CliConfigError extends NamesrvError {
  declare readonly code: 'ERR_CLI_CONFIG';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_CLI_CONFIG', options);
    this.name = 'CliConfigError';
  }
}

/** Where the CLI reads files and the home directory from (injectable for tests). */
export interface CliEnvironment {
  readonly readFile: (path: string) => string;
  readonly homedir: () => string;
  readonly cwd: () => string;
}

/** The real file system, home directory and working directory. */
export function defaultEnvironment(): CliEnvironment {
  return { readFile: (path) => readFileSync(path, 'utf8'), homedir, cwd: () => process.cwd() };
}

/** HTTP adapter settings (only used with an HTTP port). */
export interface HttpSettings {
  readonly port: number | null;
  readonly host: string;
  readonly readOnly: boolean;
  readonly console: boolean;
  /** Resolved path of `httpTokenFile`, or null. */
  readonly tokenFile: string | null;
  readonly nsAddrs: string | null;
  readonly maxConnections: number;
  readonly headersTimeoutMillis: number;
  readonly requestTimeoutMillis: number;
  readonly keepAliveTimeoutMillis: number;
  /** The handler's `maxBodyMemoryBytes`. */
  readonly maxBodyMemoryBytes: number;
}

/** Everything the server starts with, read from {@link ServerSettings.namesrvConfig}. */
export interface ServerSettings {
  /** The live configuration (319/318 serve it). */
  readonly namesrvConfig: NamesrvConfiguration;
  /** The `-c` file as given, or null. */
  readonly configFile: string | null;
  readonly port: number;
  readonly host: string;
  /** `kvConfigPath`, `~` expanded and resolved against the working directory. */
  readonly kvConfigPath: string;
  /** `accessConfigFile` resolved, or null (everything open, as in RocketMQ). */
  readonly accessFile: string | null;
  readonly maxFrameBytes: number;
  /** From `serverChannelMaxIdleTimeSeconds`. */
  readonly idleTimeoutMillis: number;
  /** `maxConnections`, or when unset {@link defaultMaxConnections} of {@link ServerSettings.openFilesLimit}. */
  readonly maxConnections: number;
  /** The process's open-files limit (null where it cannot be read): the start line says it. */
  readonly openFilesLimit: number | null;
  readonly memoryBudgetBytes: number;
  /** The registry's `maxRouteEntries`. */
  readonly maxRouteEntries: number;
  readonly maxRequestsInFlightPerConnection: number;
  /** `trustedProxies`, split at commas (and blanks); checked by the server. */
  readonly trustedProxies: readonly string[];
  readonly maxTopicsPerRegistration: number;
  readonly minFrameBytesPerSecond: number;
  readonly frameDeadlineMillis: number;
  readonly maxSmallBodyBytes: number;
  /** From the `tls.*` keys (file, then `-D` flags). */
  readonly tls: TlsServerOptions;
  readonly http: HttpSettings;
}

/** Builds the configuration object (a test may pass its own). */
export type ConfigurationFactory = (init: NamesrvConfigurationInit) => NamesrvConfiguration;

/**
 * Reads the `-c` file and applies the flags.
 * @throws {@link CliConfigError} when the file cannot be read or parsed;
 *   `ConfigValueError` naming the key when a value is of the wrong type or range;
 *   `TlsConfigError` when a `tls.*` value is invalid.
 */
export function loadSettings(
  flags: Pick<CliFlags, 'configFile' | 'overrides'>,
  env: CliEnvironment = defaultEnvironment(),
  create: ConfigurationFactory = (init) => new NamesrvConfiguration(init),
): ServerSettings {
  const fileProperties = flags.configFile === null ? new Map<string, string>() : readProperties(flags.configFile, env);
  const raw = (key: string): string | undefined => flags.overrides.get(key) ?? fileProperties.get(key);
  // The CLI's own keys: checked here (the core keeps unknown keys as written), stored canonical.
  const overrides: Record<string, string> = Object.fromEntries(flags.overrides);
  for (const spec of CLI_CONFIG_KEYS.values()) {
    const value = raw(spec.key);
    if (value !== undefined) overrides[spec.key] = normalizeConfigValue(spec, value);
  }
  const tlsMode = raw(TLS_PROPERTY_KEYS.mode)?.trim().toLowerCase();
  const namesrvConfig = create({
    fileProperties,
    configFile: flags.configFile,
    overrides,
    environment: { homeDir: env.homedir(), tlsEnforcing: tlsMode === 'enforcing' },
    // Limits and HTTP settings: UPDATE_NAMESRV_CONFIG (318) refuses them, set or not.
    ownKeys: CLI_CONFIG_KEYS.keys(),
  });
  const get = (key: string): string | undefined => namesrvConfig.get(key);
  const num = (key: string, fallback: number): number => {
    const text = get(key);
    return text === undefined ? fallback : Number(text);
  };
  const cli = (key: string): string | number | boolean => {
    const spec = CLI_CONFIG_KEYS.get(key);
    if (spec === undefined) throw new Error(`unknown CLI key ${key}`);
    return typedConfigValue(spec, get(key) ?? String(spec.default));
  };
  const path = (text: string | undefined): string | null => (text === undefined || text === '' ? null : resolve(env.cwd(), expandHome(text, env)));
  const host = get('bindAddress') ?? REMOTING_SERVER_DEFAULTS.host;
  const openFiles = openFilesLimit(() => env.readFile('/proc/self/limits'));
  const tlsProperties = new Map([...namesrvConfig.entries()].filter(([key]) => key.startsWith('tls.')));
  return {
    namesrvConfig,
    configFile: flags.configFile,
    port: num('listenPort', REMOTING_SERVER_DEFAULTS.port),
    host,
    kvConfigPath: path(get('kvConfigPath')) ?? join(env.homedir(), 'namesrv', 'kvConfig.json'),
    accessFile: path(get('accessConfigFile')),
    maxFrameBytes: num('maxFrameBytes', REMOTING_SERVER_DEFAULTS.maxFrameBytes),
    idleTimeoutMillis: num('serverChannelMaxIdleTimeSeconds', REMOTING_SERVER_DEFAULTS.idleTimeoutMillis / 1000) * 1000,
    // Unset: what the process may open, less headroom and less the HTTP API's own cap when HTTP is on.
    maxConnections: get('maxConnections') !== undefined ? cli('maxConnections') as number
      : defaultMaxConnections(openFiles, get('httpPort') === undefined ? 0 : cli('httpMaxConnections') as number),
    openFilesLimit: openFiles,
    memoryBudgetBytes: cli('memoryBudgetBytes') as number,
    maxRouteEntries: cli('maxRouteEntries') as number,
    maxRequestsInFlightPerConnection: cli('maxRequestsInFlightPerConnection') as number,
    trustedProxies: (get('trustedProxies') ?? '').split(/[,\s]+/).filter((entry) => entry !== ''),
    maxTopicsPerRegistration: cli('maxTopicsPerRegistration') as number,
    minFrameBytesPerSecond: cli('minFrameBytesPerSecond') as number,
    frameDeadlineMillis: cli('frameDeadlineMillis') as number,
    maxSmallBodyBytes: cli('maxSmallBodyBytes') as number,
    tls: tlsOptionsFromProperties(tlsProperties),
    http: {
      port: get('httpPort') === undefined ? null : num('httpPort', 0),
      host: get('httpHost') ?? host,
      readOnly: cli('httpReadOnly') as boolean,
      console: cli('httpConsole') as boolean,
      tokenFile: path(get('httpTokenFile')),
      nsAddrs: get('nsAddrs') ?? null,
      maxConnections: cli('httpMaxConnections') as number,
      headersTimeoutMillis: cli('httpHeadersTimeoutMillis') as number,
      requestTimeoutMillis: cli('httpRequestTimeoutMillis') as number,
      keepAliveTimeoutMillis: cli('httpKeepAliveTimeoutMillis') as number,
      maxBodyMemoryBytes: cli('httpMaxBodyMemoryBytes') as number,
    },
  };
}

function readProperties(file: string, env: CliEnvironment): Map<string, string> {
  let text: string;
  try {
    text = env.readFile(resolve(env.cwd(), file));
  } catch (err) {
    throw new CliConfigError(`cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseProperties(text);
  } catch (err) {
    throw new CliConfigError(`config file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function expandHome(path: string, env: CliEnvironment): string {
  if (path === '~') return env.homedir();
  return path.startsWith('~/') ? join(env.homedir(), path.slice(2)) : path;
}

/**
 * This server's own settings as `key=value` pairs with their effective
 * values (defaults filled in, secrets masked): the core's extension keys,
 * then the CLI's.
 */
export function extensionSettings(settings: ServerSettings): Array<[string, string]> {
  const effective = new Map<string, string>([
    ['httpPort', settings.http.port === null ? '' : String(settings.http.port)],
    ['httpHost', settings.http.host],
    ['maxFrameBytes', String(settings.maxFrameBytes)],
    ['maxConnections', String(settings.maxConnections)],
    ['accessConfigFile', settings.accessFile ?? ''],
    ['tls.server.mode', settings.tls.mode ?? 'permissive'],
    ['tls.test.mode.enable', String(settings.tls.testMode ?? true)],
  ]);
  const out: Array<[string, string]> = [];
  for (const spec of [...EXTENSION_CONFIG_KEYS, ...CLI_CONFIG_KEYS.values()]) {
    const value = effective.get(spec.key) ?? settings.namesrvConfig.get(spec.key) ?? (typeof spec.default === 'string' ? spec.default : '');
    out.push([spec.key, KNOWN_CONFIG_KEYS.get(spec.key)?.secret === true && value !== '' ? '******' : value]);
  }
  return out;
}

/**
 * What `-p` prints: Java's `mqnamesrv -p` lines (NamesrvConfig,
 * NettyServerConfig, NettyClientConfig fields in declaration order), then
 * this server's own keys with their effective values.
 */
export function formatPrintConfig(settings: ServerSettings): string {
  let out = settings.namesrvConfig.formatPrintConfigItems();
  for (const [key, value] of extensionSettings(settings)) out += `${key}=${value}\n`;
  return out;
}

/** The effective configuration as one log line's fields: every key held (secrets masked) and this server's own. */
export function effectiveConfigFields(settings: ServerSettings): Record<string, string> {
  // Keys come from the file: `__proto__` must stay a plain key.
  const fields = Object.create(null) as Record<string, string>;
  for (const [key, value] of settings.namesrvConfig.entries()) {
    fields[key] = KNOWN_CONFIG_KEYS.get(key)?.secret === true ? '******' : value;
  }
  for (const [key, value] of extensionSettings(settings)) fields[key] = value;
  return fields;
}
