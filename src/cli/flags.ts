/**
 * The command line of `rocketmq-namesrv`: `mqnamesrv`'s flags (`-c`, `-p`,
 * `-h`), JVM-style `-Dtls.…=…` system properties, and flags of our own, most
 * of which set a properties key (so a flag and the `-c` file are one
 * configuration, flags winning). Parsing only: values are checked with the
 * configuration.
 * @module
 */
import { parseArgs } from 'node:util';
import { NamesrvError } from '../core/errors.js';
import { REMOTING_SERVER_DEFAULTS } from '../remoting/options.js';
import { CLI_CONFIG_KEYS } from './keys.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';

/** A bad command line (unknown flag, missing value): the usage is printed, exit 2. */
export class CliUsageError extends NamesrvError {
  declare readonly code: 'ERR_CLI_USAGE';

  /** The flag or key at fault, or null when it is not one value. */
  readonly source: string | null;

  constructor(message: string, options?: { source?: string; cause?: unknown }) {
    super(message, 'ERR_CLI_USAGE', options);
    this.name = 'CliUsageError';
    this.source = options?.source ?? null;
  }
}

/** What the command line asks for. */
export interface CliFlags {
  readonly command: 'run' | 'help' | 'version' | 'print';
  /** `-c` / `--configFile`. */
  readonly configFile: string | null;
  /** Properties keys set by flags (`--port` → `listenPort`, `-Dtls.server.mode=…`), as written. */
  readonly overrides: ReadonlyMap<string, string>;
  /** `-D` keys that are not read (only `tls.*` ones are, as RocketMQ's `TlsSystemConfig`). */
  readonly ignoredSystemProperties: readonly string[];
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

/** A flag that sets a properties key. */
interface KeyFlag {
  readonly flag: string;
  readonly key: string;
  /** The value a boolean flag sets; undefined for flags that take a value. */
  readonly sets?: string;
  readonly arg?: string;
  readonly help: string;
}

const R = REMOTING_SERVER_DEFAULTS;
const cliDefault = (key: string): string => String(CLI_CONFIG_KEYS.get(key)?.default ?? '');

/** Every flag that sets a properties key, in `--help` order. */
export const KEY_FLAGS: readonly KeyFlag[] = Object.freeze([
  { flag: 'port', key: 'listenPort', arg: '<port>', help: `remoting (TCP) port [${R.port}]` },
  { flag: 'host', key: 'bindAddress', arg: '<addr>', help: `remoting bind address [${R.host}]` },
  { flag: 'kv-config', key: 'kvConfigPath', arg: '<file>', help: 'KV config file [~/namesrv/kvConfig.json]' },
  { flag: 'access-file', key: 'accessConfigFile', arg: '<file>', help: 'access control file (YAML/JSON); reloaded on SIGHUP and on change [off]' },
  { flag: 'http-port', key: 'httpPort', arg: '<port>', help: 'also serve the HTTP API and console on this port [off]' },
  { flag: 'http-host', key: 'httpHost', arg: '<addr>', help: 'HTTP bind address [--host]' },
  { flag: 'http-token-file', key: 'httpTokenFile', arg: '<file>', help: 'HTTP bearer tokens, tokens: [{token, roles}] [the access file\'s]' },
  { flag: 'http-read-only', key: 'httpReadOnly', sets: 'true', help: 'refuse every HTTP write' },
  { flag: 'no-console', key: 'httpConsole', sets: 'false', help: 'do not serve the operator console at GET /' },
  { flag: 'ns-addrs', key: 'nsAddrs', arg: '<list>', help: 'host:port;host:port answered at GET /rocketmq/nsaddr [off]' },
  { flag: 'trusted-proxies', key: 'trustedProxies', arg: '<list>', help: 'IPs/CIDRs (a,b) allowed to send a PROXY protocol header [none; any without an access file]' },
  { flag: 'max-connections', key: 'maxConnections', arg: '<n>', help: 'remoting connections at most [open-files limit less 10 % + 256, and less the HTTP cap when HTTP is on]' },
  { flag: 'idle-timeout-seconds', key: 'serverChannelMaxIdleTimeSeconds', arg: '<s>', help: `close idle remoting connections, 0 never [${R.idleTimeoutMillis / 1000}]` },
  { flag: 'max-frame-bytes', key: 'maxFrameBytes', arg: '<n>', help: `largest remoting frame [${R.maxFrameBytes}]` },
  { flag: 'memory-budget-bytes', key: 'memoryBudgetBytes', arg: '<n>', help: `bytes held at once by remoting frames and bodies [${cliDefault('memoryBudgetBytes')}]` },
  { flag: 'max-route-entries', key: 'maxRouteEntries', arg: '<n>', help: `topic × broker queue entries plus live brokers the registry holds at most [${cliDefault('maxRouteEntries')}]` },
  { flag: 'max-requests-in-flight', key: 'maxRequestsInFlightPerConnection', arg: '<n>', help: `unanswered requests per connection [${cliDefault('maxRequestsInFlightPerConnection')}]` },
  { flag: 'max-topics-per-registration', key: 'maxTopicsPerRegistration', arg: '<n>', help: `topics one broker registration may carry [${cliDefault('maxTopicsPerRegistration')}]` },
  { flag: 'min-frame-bytes-per-second', key: 'minFrameBytesPerSecond', arg: '<n>', help: `slower frames close their connection, 0 never [${cliDefault('minFrameBytesPerSecond')}]` },
  { flag: 'frame-deadline-ms', key: 'frameDeadlineMillis', arg: '<ms>', help: `a frame must complete within this, 0 never [${cliDefault('frameDeadlineMillis')}]` },
  { flag: 'max-small-body-bytes', key: 'maxSmallBodyBytes', arg: '<n>', help: `body cap of every request but REGISTER_BROKER [${cliDefault('maxSmallBodyBytes')}]` },
  { flag: 'http-max-connections', key: 'httpMaxConnections', arg: '<n>', help: `HTTP connections at most [${cliDefault('httpMaxConnections')}]` },
  { flag: 'http-headers-timeout-ms', key: 'httpHeadersTimeoutMillis', arg: '<ms>', help: `time to receive HTTP headers [${cliDefault('httpHeadersTimeoutMillis')}]` },
  { flag: 'http-request-timeout-ms', key: 'httpRequestTimeoutMillis', arg: '<ms>', help: `time to receive an HTTP request [${cliDefault('httpRequestTimeoutMillis')}]` },
  { flag: 'http-max-body-memory-bytes', key: 'httpMaxBodyMemoryBytes', arg: '<n>', help: `HTTP request bodies held at once [${cliDefault('httpMaxBodyMemoryBytes')}]` },
  { flag: 'enable-controller', key: 'enableControllerInNamesrv', sets: 'true', help: 'also serve the RocketMQ 5 controller on the remoting port' },
  { flag: 'controller-only', key: 'controllerOnly', sets: 'true', help: 'serve only the RocketMQ 5 controller (Java\'s mqcontroller)' },
  { flag: 'http-keep-alive-timeout-ms', key: 'httpKeepAliveTimeoutMillis', arg: '<ms>', help: `idle keep-alive HTTP connections [${cliDefault('httpKeepAliveTimeoutMillis')}]` },
]);

/** The `--help` text. */
export const USAGE = `Usage: rocketmq-namesrv [options]

A RocketMQ name server: brokers register with it, clients ask it for routes.

Options (as mqnamesrv):
  -c, --configFile <file>              namesrv.properties: RocketMQ's NamesrvConfig and NettyServerConfig
                                       keys, tls.* keys, and every key a flag below names
  -p, --printConfigItem                print the effective configuration and exit
  -h, --help                           show this help
      --version                        print the version and exit
  -D<key>=<value>                      a RocketMQ TLS system property: tls.server.mode (disabled|permissive|
                                       enforcing), tls.server.certPath, tls.server.keyPath,
                                       tls.server.keyPassword, tls.test.mode.enable, tls.config.file,
                                       tls.server.need.client.auth (none|optional|require),
                                       tls.server.authClient, tls.server.trustCertPath
Server (each sets the properties key in parentheses; flags override the file):
${KEY_FLAGS.map((f) => `      ${`--${f.flag}${f.arg === undefined ? '' : ` ${f.arg}`}`.padEnd(32)} ${f.help} (${f.key})`).join('\n')}
Logs:
      --log-level <level>              ${LOG_LEVELS.join(' | ')} [info]
      --log-format <format>            ${LOG_FORMATS.join(' | ')} (JSON lines: time, level, msg, fields) [text]

SIGINT or SIGTERM stops the server; SIGHUP reloads the access file.
Exit codes: 0 stopped, 1 start-up failed, 2 bad command line or access file.
`;

/**
 * Parses the command line (without `node` and the script).
 * @throws {@link CliUsageError} on an unknown flag, a missing value or a bad log setting.
 */
export function parseFlags(argv: readonly string[]): CliFlags {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    configFile: { type: 'string', short: 'c' },
    'config-file': { type: 'string' },
    printConfigItem: { type: 'boolean', short: 'p' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
    D: { type: 'string', short: 'D', multiple: true },
    'log-level': { type: 'string' },
    'log-format': { type: 'string' },
  };
  for (const f of KEY_FLAGS) options[f.flag] = { type: f.sets === undefined ? 'string' : 'boolean' };
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }));
  } catch (err) {
    throw new CliUsageError((err as Error).message, { cause: err });
  }
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const overrides = new Map<string, string>();
  const ignoredSystemProperties: string[] = [];
  for (const item of Array.isArray(values.D) ? values.D : []) {
    if (typeof item !== 'string' || item.indexOf('=') <= 0) throw new CliUsageError(`-D needs key=value, got ${JSON.stringify(item)}`, { source: '-D' });
    const eq = item.indexOf('=');
    const key = item.slice(0, eq);
    if (key.startsWith('tls.')) overrides.set(key, item.slice(eq + 1));
    else ignoredSystemProperties.push(key);
  }
  for (const f of KEY_FLAGS) {
    const v = values[f.flag];
    if (f.sets !== undefined ? v === true : typeof v === 'string') overrides.set(f.key, f.sets ?? (v as string));
  }
  const logLevel = str('log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new CliUsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = str('log-format') ?? 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) throw new CliUsageError(`--log-format must be one of ${LOG_FORMATS.join(', ')}`);
  const command = values.help === true ? 'help' : values.version === true ? 'version' : values.printConfigItem === true ? 'print' : 'run';
  return {
    command,
    configFile: str('configFile') ?? str('config-file') ?? null,
    overrides,
    ignoredSystemProperties,
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
  };
}
