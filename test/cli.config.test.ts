/**
 * The CLI's configuration without a process: flags, the properties file
 * through ONE NamesrvConfiguration, what -p prints, the logger and its rate limit.
 */
import { describe, expect, it } from 'vitest';
import { CliConfigError, formatPrintConfig, loadSettings, type CliEnvironment, type ServerSettings } from '../src/cli/config.js';
import { CliUsageError, USAGE, parseFlags } from '../src/cli/flags.js';
import { RateLimitedLog, createLogger, type LogLevel } from '../src/cli/log.js';
import { ConfigValueError } from '../src/core/errors.js';

function env(files: Record<string, string> = {}): CliEnvironment {
  return {
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
    homedir: () => '/home/mq',
    cwd: () => '/srv/namesrv',
  };
}

function settings(argv: string[], files?: Record<string, string>): ServerSettings {
  return loadSettings(parseFlags(argv), env(files));
}

describe('parseFlags', () => {
  it('reads mqnamesrv flags, -D system properties and our own flags as properties keys', () => {
    const flags = parseFlags(['-c', 'a.properties', '-p', '-Dtls.server.mode=enforcing', '-Dfoo=bar', '--port', '9877',
      '--http-read-only', '--no-console', '--access-file', 'acl.yml', '--log-format', 'json', '--log-level', 'debug']);
    expect(flags).toMatchObject({ command: 'print', configFile: 'a.properties', logFormat: 'json', logLevel: 'debug', ignoredSystemProperties: ['foo'] });
    expect(Object.fromEntries(flags.overrides)).toEqual({
      'tls.server.mode': 'enforcing', listenPort: '9877', httpReadOnly: 'true', httpConsole: 'false', accessConfigFile: 'acl.yml',
    });
    expect(parseFlags(['--configFile', 'b.properties']).configFile).toBe('b.properties');
    expect(parseFlags(['--config-file=c.properties']).configFile).toBe('c.properties');
    expect(parseFlags(['--version']).command).toBe('version');
    expect(parseFlags(['-h']).command).toBe('help');
  });

  it('refuses unknown flags, missing values and bad log settings', () => {
    for (const argv of [['--nope'], ['--port'], ['extra'], ['-Dnokey'], ['--log-level', 'loud'], ['--log-format', 'xml']]) {
      expect(() => parseFlags(argv), argv.join(' ')).toThrow(CliUsageError);
    }
  });

  it('--help lists every flag, the limits and --http-host', () => {
    for (const flag of ['--configFile', '--printConfigItem', '--version', '--http-host', '--access-file', '--http-token-file',
      '--http-read-only', '--no-console', '--ns-addrs', '--max-connections', '--idle-timeout-seconds', '--max-frame-bytes',
      '--memory-budget-bytes', '--max-requests-in-flight', '--http-max-connections', '--log-format', '-Dtls.server.mode'.slice(0, 2)]) {
      expect(USAGE).toContain(flag);
    }
    expect(USAGE).toMatch(/--memory-budget-bytes.*\[268435456\]/);
    expect(USAGE).toMatch(/--max-connections.*\[open-files limit/);
  });
});

describe('loadSettings', () => {
  it('passes the slow-frame and small-body limits on: defaults, flags and properties keys', () => {
    expect(settings([])).toMatchObject({ minFrameBytesPerSecond: 16_384, frameDeadlineMillis: 60_000, maxSmallBodyBytes: 65_536 });
    const files = { '/srv/namesrv/l.properties': 'frameDeadlineMillis=5000\nmaxSmallBodyBytes=1024' };
    expect(settings(['-c', 'l.properties', '--min-frame-bytes-per-second', '0'], files))
      .toMatchObject({ minFrameBytesPerSecond: 0, frameDeadlineMillis: 5_000, maxSmallBodyBytes: 1024 });
    expect(() => settings(['--frame-deadline-ms', 'soon'])).toThrow(/frameDeadlineMillis/);
  });

  it('passes the HTTP body memory cap on: default, flag and properties key', () => {
    expect(settings([]).http.maxBodyMemoryBytes).toBe(64 * 1024 * 1024);
    expect(settings(['--http-max-body-memory-bytes', '1048576']).http.maxBodyMemoryBytes).toBe(1_048_576);
    const files = { '/srv/namesrv/h.properties': 'httpMaxBodyMemoryBytes=2097152' };
    expect(settings(['-c', 'h.properties'], files).http.maxBodyMemoryBytes).toBe(2_097_152);
    expect(() => settings(['--http-max-body-memory-bytes', '0'])).toThrow(/httpMaxBodyMemoryBytes/);
  });

  it('has RocketMQ defaults and our limits', () => {
    const s = settings([]);
    expect(s).toMatchObject({
      configFile: null, port: 9876, host: '0.0.0.0', kvConfigPath: '/home/mq/namesrv/kvConfig.json', accessFile: null,
      maxFrameBytes: 16 * 1024 * 1024, idleTimeoutMillis: 120_000, maxConnections: 10_000, memoryBudgetBytes: 256 * 1024 * 1024,
      maxRequestsInFlightPerConnection: 16, maxTopicsPerRegistration: 500_000, tls: {},
      http: { port: null, host: '0.0.0.0', readOnly: false, console: true, tokenFile: null, nsAddrs: null, maxConnections: 2048 },
    });
    expect(s.namesrvConfig.registryOptions()).toMatchObject({ orderMessageEnable: false, scanIntervalMillis: 5000, needWaitForService: false });
  });

  it('reads namesrv.properties into the one configuration; flags and -D win over the file', () => {
    const files = {
      '/srv/namesrv/conf/namesrv.properties': [
        'listenPort=9900', 'bindAddress=127.0.0.1', 'kvConfigPath=~/kv.json', 'orderMessageEnable=TRUE', 'rocketmqHome=/opt/rocketmq',
        'serverChannelMaxIdleTimeSeconds=60', 'needWaitForService=true', 'waitSecondsForService=10', 'enableAllTopicList=false',
        'httpPort=8080', 'maxConnections=500', 'memoryBudgetBytes=134217728', 'maxRequestsInFlightPerConnection=4',
        'maxTopicsPerRegistration=200000',
        'accessConfigFile=acl.yml', 'nsAddrs=10.0.0.1:9876;10.0.0.2:9876', 'httpReadOnly=true',
        'tls.server.mode=permissive', 'tls.test.mode.enable=false', 'tls.server.certPath=/etc/tls/cert.pem', 'tls.server.keyPath=/etc/tls/key.pem',
      ].join('\n'),
    };
    const s = settings(['-c', 'conf/namesrv.properties', '--port', '9911', '--http-host', '::1', '-Dtls.server.mode=enforcing', '--max-connections', '600'], files);
    expect(s).toMatchObject({
      configFile: 'conf/namesrv.properties', port: 9911, host: '127.0.0.1', kvConfigPath: '/home/mq/kv.json',
      accessFile: '/srv/namesrv/acl.yml', idleTimeoutMillis: 60_000, maxConnections: 600, memoryBudgetBytes: 128 * 1024 * 1024,
      maxRequestsInFlightPerConnection: 4, maxTopicsPerRegistration: 200_000,
      tls: { mode: 'enforcing', testMode: false, certPath: '/etc/tls/cert.pem', keyPath: '/etc/tls/key.pem' },
      http: { port: 8080, host: '::1', readOnly: true, nsAddrs: '10.0.0.1:9876;10.0.0.2:9876' },
    });
    const config = s.namesrvConfig;
    // What 319 serves and 318 persists: the same object, the file's keys (unknown ones too) and the flags.
    expect(config.storePath).toBe('conf/namesrv.properties');
    expect(config.get('listenPort')).toBe('9911');
    expect(config.get('rocketmqHome')).toBe('/opt/rocketmq');
    expect(config.get('maxConnections')).toBe('600');
    expect(config.registryOptions()).toMatchObject({ orderMessageEnable: true, needWaitForService: true, waitSecondsForService: 10, enableAllTopicList: false });
  });

  it('reads --max-topics-per-registration and refuses a value out of range', () => {
    expect(settings(['--max-topics-per-registration', '1000']).maxTopicsPerRegistration).toBe(1000);
    expect(() => settings(['--max-topics-per-registration', '0'])).toThrow(/maxTopicsPerRegistration/);
  });

  it('names the key of a bad value, whether from the file or a flag', () => {
    const files = {
      '/srv/namesrv/a.properties': 'orderMessageEnable=yes',
      '/srv/namesrv/b.properties': 'listenPort=abc',
      '/srv/namesrv/c.properties': 'memoryBudgetBytes=lots',
      '/srv/namesrv/d.properties': 'tls.server.mode=sometimes',
    };
    expect(() => settings(['-c', 'a.properties'], files)).toThrow(/orderMessageEnable/);
    expect(() => settings(['-c', 'b.properties'], files)).toThrow(ConfigValueError);
    expect(() => settings(['-c', 'c.properties'], files)).toThrow(/memoryBudgetBytes/);
    expect(() => settings(['-c', 'd.properties'], files)).toThrow(/tls\.server\.mode/);
    expect(() => settings(['--port', '70000'])).toThrow(/listenPort/);
    expect(() => settings(['--max-requests-in-flight', '0'])).toThrow(/maxRequestsInFlightPerConnection/);
    expect(() => settings(['-Dtls.test.mode.enable=maybe'])).toThrow(/tls\.test\.mode\.enable/);
    expect(() => settings(['-c', 'missing.properties'])).toThrow(CliConfigError);
    expect(() => settings(['-c', 'bad.properties'], { '/srv/namesrv/bad.properties': 'a=\\u12' })).toThrow(CliConfigError);
  });

  it('-p prints the Java fields in order, listenPort from -c, and our keys with effective values (secrets masked)', () => {
    const files = { '/srv/namesrv/n.properties': 'listenPort=9911\nmaxConnections=77\ntls.server.keyPassword=hunter2\n' };
    const out = formatPrintConfig(settings(['-c', 'n.properties'], files));
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^rocketmqHome=/);
    for (const line of ['listenPort=9911', 'orderMessageEnable=false', 'serverChannelMaxIdleTimeSeconds=120', 'clientWorkerThreads=4',
      'maxConnections=77', 'memoryBudgetBytes=268435456', 'maxRequestsInFlightPerConnection=16', 'maxFrameBytes=16777216',
      'httpHeadersTimeoutMillis=15000', 'tls.server.mode=permissive', 'tls.server.keyPassword=******', 'configStorePath=n.properties']) {
      expect(lines).toContain(line);
    }
    expect(out).not.toContain('hunter2');
  });
});

describe('the log', () => {
  function capture(level: LogLevel, format: 'text' | 'json') {
    const lines: Array<[LogLevel, string]> = [];
    const log = createLogger({ level, format, now: () => Date.UTC(2024, 0, 2, 3, 4, 5), write: (l, line) => lines.push([l, line]) });
    return { log, lines };
  }

  it('writes one text line per event, filtered by level, values quoted only when needed', () => {
    const { log, lines } = capture('info', 'text');
    log.debug('not shown');
    log.info('broker registered', { addr: '10.0.0.1:10911', cluster: 'Default Cluster', id: 0 });
    log.error('multi\nline');
    expect(lines).toEqual([
      ['info', '2024-01-02T03:04:05.000Z INFO  broker registered addr=10.0.0.1:10911 cluster="Default Cluster" id=0\n'],
      ['error', '2024-01-02T03:04:05.000Z ERROR multi | line\n'],
    ]);
  });

  it('writes JSON lines with time, level, msg and the fields', () => {
    const { log, lines } = capture('debug', 'json');
    log.debug('x', { keys: ['a', 'b'], msg: 'ignored', err: new Error('boom') });
    expect(JSON.parse(lines[0]![1])).toEqual({ time: '2024-01-02T03:04:05.000Z', level: 'debug', msg: 'x', keys: ['a', 'b'], err: 'boom' });
    expect(log.enabled('debug')).toBe(true);
  });

  it('rate-limits a key to one line per window and counts what it left out', () => {
    const { log, lines } = capture('info', 'text');
    let now = 0;
    const limited = new RateLimitedLog(log, { windowMillis: 10_000, now: () => now });
    for (let i = 0; i < 50; i++) limited.log('warn', 'tls:plaintext-refused', 'TLS: plaintext connection refused');
    limited.log('warn', 'access:admin:unsigned', 'access refused');
    expect(lines).toHaveLength(2);
    now = 10_000;
    limited.log('warn', 'tls:plaintext-refused', 'TLS: plaintext connection refused');
    expect(lines[2]![1]).toContain('suppressed=49');
    limited.log('warn', 'tls:plaintext-refused', 'TLS: plaintext connection refused');
    limited.flush();
    expect(lines).toHaveLength(4);
    expect(lines[3]![1]).toContain('suppressed=1');
  });
});
