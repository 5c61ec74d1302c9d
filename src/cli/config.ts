/**
 * The standalone name server's configuration: command-line flags over a
 * RocketMQ-style `namesrv.properties` file over defaults. No I/O here
 * except through the injected `readFile`, so it is testable.
 * @module
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NamesrvError, InvalidOptionError } from '../core/errors.js';
import { checkNumber } from '../core/option-checks.js';
import { ROUTE_REGISTRY_DEFAULTS } from '../core/options.js';
import { REMOTING_SERVER_DEFAULTS } from '../remoting/options.js';
import { parseProperties } from './properties.js';

const R = REMOTING_SERVER_DEFAULTS;
const D = ROUTE_REGISTRY_DEFAULTS;

/** Everything the standalone name server needs to start. */
export interface NamesrvConfig {
  /** Remoting (TCP) port; RocketMQ's `listenPort`. */
  readonly port: number;
  /** Remoting bind address; RocketMQ's `bindAddress`. */
  readonly host: string;
  /** RocketMQ's `kvConfigPath`. */
  readonly kvConfigPath: string;
  /** HTTP port, or null for no HTTP adapter. */
  readonly httpPort: number | null;
  /** HTTP bind address. */
  readonly httpHost: string;
  /** Largest remoting frame accepted (RocketMQ's `com.rocketmq.remoting.frameMaxLength`). */
  readonly maxFrameBytes: number;
  /** RocketMQ's `serverChannelMaxIdleTimeSeconds`, in milliseconds. */
  readonly idleTimeoutMillis: number;
  /** RocketMQ's `scanNotActiveBrokerInterval`. */
  readonly scanIntervalMillis: number;
  readonly orderMessageEnable: boolean;
  readonly supportActingMaster: boolean;
  readonly deleteTopicWithBrokerRegistration: boolean;
  readonly returnOrderTopicConfigToBroker: boolean;
  /** Properties of the file this server does not use (RocketMQ has many; they are ignored, as RocketMQ ignores unknown ones). */
  readonly ignoredProperties: readonly string[];
}

/** Bad flags or properties: print the message and the usage, exit 2. */
export class CliUsageError extends NamesrvError {
  declare readonly code: 'ERR_CLI_USAGE';
  /** Where the bad value came from (`--port`, `listenPort in FILE`), or null when it is not one value. */
  readonly source: string | null;

  constructor(message: string, options?: { source?: string; cause?: unknown }) {
    super(message, 'ERR_CLI_USAGE', options);
    this.name = 'CliUsageError';
    this.source = options?.source ?? null;
  }
}

/** What the command line asks for. */
export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'run'; readonly config: NamesrvConfig };

/** Where the CLI reads files and the home directory from (injectable for tests). */
export interface CliEnvironment {
  readonly readFile: (path: string) => string;
  readonly homedir: () => string;
  readonly cwd: () => string;
}

/** The `--help` text. */
export const USAGE = `Usage: rocketmq-namesrv [options]

A RocketMQ name server: brokers register with it, clients ask it for routes.

Options:
  -c, --config-file <file>   RocketMQ-style namesrv.properties (listenPort, bindAddress, kvConfigPath,
                             orderMessageEnable, supportActingMaster, deleteTopicWithBrokerRegistration,
                             scanNotActiveBrokerInterval, serverChannelMaxIdleTimeSeconds,
                             returnOrderTopicConfigToBroker, httpPort, maxFrameBytes)
      --port <port>          remoting (TCP) port                     [default: ${R.port}]
      --host <address>       remoting bind address                   [default: ${R.host}]
      --kv-config <path>     KV config file, loaded at start         [default: ~/namesrv/kvConfig.json]
      --http-port <port>     also serve the HTTP API on this port    [default: off]
      --http-host <address>  HTTP bind address                       [default: --host]
      --max-frame-bytes <n>  largest remoting frame accepted         [default: ${R.maxFrameBytes}]
  -h, --help                 show this help

Flags override the properties file. SIGINT or SIGTERM stops the server cleanly.
`;

/** Properties the server reads (RocketMQ's names, plus `httpPort`, `httpHost` and `maxFrameBytes` of ours). */
const PROPERTY_KEYS = new Set([
  'listenPort', 'bindAddress', 'kvConfigPath', 'orderMessageEnable', 'supportActingMaster',
  'deleteTopicWithBrokerRegistration', 'scanNotActiveBrokerInterval', 'serverChannelMaxIdleTimeSeconds',
  'returnOrderTopicConfigToBroker', 'httpPort', 'httpHost', 'maxFrameBytes',
]);

/**
 * Parses the command line (without `node` and the script) into a command.
 * @throws {@link CliUsageError} on unknown flags, bad values or an unreadable properties file.
 */
export function parseCommandLine(argv: readonly string[], env: CliEnvironment = defaultEnvironment()): CliCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'config-file': { type: 'string', short: 'c' },
        port: { type: 'string' },
        host: { type: 'string' },
        'kv-config': { type: 'string' },
        'http-port': { type: 'string' },
        'http-host': { type: 'string' },
        'max-frame-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
  if (values.help === true) return { kind: 'help' };

  let props = new Map<string, string>();
  const file = values['config-file'];
  if (typeof file === 'string') {
    let text: string;
    try {
      text = env.readFile(resolve(env.cwd(), file));
    } catch (err) {
      throw new CliUsageError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    try {
      props = parseProperties(text);
    } catch (err) {
      throw new CliUsageError(`config file ${file}: ${(err as Error).message}`);
    }
  }
  const flag = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const pick = (flagName: string | null, property: string): { value: string; source: string } | undefined => {
    const fromFlag = flagName === null ? undefined : flag(flagName);
    if (fromFlag !== undefined) return { value: fromFlag, source: `--${flagName}` };
    const fromFile = props.get(property);
    return fromFile === undefined ? undefined : { value: fromFile.trim(), source: `${property} in ${String(file)}` };
  };

  const host = pick('host', 'bindAddress')?.value ?? R.host;
  if (host === '') throw new CliUsageError('the host must not be empty');
  const kvPath = pick('kv-config', 'kvConfigPath')?.value ?? join(env.homedir(), 'namesrv', 'kvConfig.json');
  const httpPort = pick('http-port', 'httpPort');
  const idleSeconds = integer(pick(null, 'serverChannelMaxIdleTimeSeconds'), R.idleTimeoutMillis / 1000, 0, 2_147_483);
  const config: NamesrvConfig = {
    port: integer(pick('port', 'listenPort'), R.port, 0, 65535),
    host,
    kvConfigPath: resolve(env.cwd(), expandHome(kvPath, env)),
    httpPort: httpPort === undefined ? null : integer(httpPort, 0, 0, 65535),
    httpHost: pick('http-host', 'httpHost')?.value ?? host,
    maxFrameBytes: integer(pick('max-frame-bytes', 'maxFrameBytes'), R.maxFrameBytes, 1024, 0x7fffffff),
    idleTimeoutMillis: idleSeconds * 1000,
    scanIntervalMillis: integer(pick(null, 'scanNotActiveBrokerInterval'), D.scanIntervalMillis, 1, 0x7fffffff),
    orderMessageEnable: boolean(pick(null, 'orderMessageEnable'), D.orderMessageEnable),
    supportActingMaster: boolean(pick(null, 'supportActingMaster'), D.supportActingMaster),
    deleteTopicWithBrokerRegistration: boolean(pick(null, 'deleteTopicWithBrokerRegistration'), D.deleteTopicWithBrokerRegistration),
    returnOrderTopicConfigToBroker: boolean(pick(null, 'returnOrderTopicConfigToBroker'), R.returnOrderTopicConfigToBroker),
    ignoredProperties: [...props.keys()].filter((key) => !PROPERTY_KEYS.has(key)),
  };
  return { kind: 'run', config };
}

function integer(entry: { value: string; source: string } | undefined, fallback: number, min: number, max: number): number {
  if (entry === undefined) return fallback;
  const n = /^\d+$/.test(entry.value) ? Number(entry.value) : NaN;
  try {
    return checkNumber(n, fallback, entry.source, { integer: true, min, max });
  } catch (err) {
    if (!(err instanceof InvalidOptionError)) throw err;
    // The same rule as the library option, reported against the flag or property that broke it.
    throw new CliUsageError(`${entry.source} must be an integer from ${min} to ${max}, got ${JSON.stringify(entry.value)}`,
      { source: entry.source, cause: err });
  }
}

/** Java's `Boolean.parseBoolean` would read any typo as false; we refuse it instead. */
function boolean(entry: { value: string; source: string } | undefined, fallback: boolean): boolean {
  if (entry === undefined) return fallback;
  const v = entry.value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new CliUsageError(`${entry.source} must be true or false, got ${JSON.stringify(entry.value)}`, { source: entry.source });
}

function expandHome(path: string, env: CliEnvironment): string {
  if (path === '~') return env.homedir();
  return path.startsWith('~/') ? join(env.homedir(), path.slice(2)) : path;
}

/** The real file system, home directory and working directory. */
export function defaultEnvironment(): CliEnvironment {
  return {
    readFile: (path) => readFileSync(path, 'utf8'),
    homedir,
    cwd: () => process.cwd(),
  };
}
