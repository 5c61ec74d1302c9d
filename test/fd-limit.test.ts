/**
 * The default cap on remoting connections follows what the process may open
 * (R5: a fleet of 12,000 sockets must not be refused at accept by a fixed cap).
 */
import { describe, expect, it } from 'vitest';
import { loadSettings, type CliEnvironment } from '../src/cli/config.js';
import { parseFlags } from '../src/cli/flags.js';
import { FALLBACK_MAX_CONNECTIONS, defaultMaxConnections, openFilesLimit } from '../src/remoting/fd-limit.js';
import { resolveRemotingServerOptions } from '../src/remoting/options.js';

const limits = (soft: string, hard = soft): string => [
  'Limit                     Soft Limit           Hard Limit           Units     ',
  'Max cpu time              unlimited            unlimited            seconds   ',
  `Max open files            ${soft.padEnd(20)} ${hard.padEnd(20)} files     `,
  'Max locked memory         8388608              8388608              bytes     ',
].join('\n');

function env(files: Record<string, string>): CliEnvironment {
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

describe('openFilesLimit', () => {
  it('reads the soft limit of Max open files', () => {
    expect(openFilesLimit(() => limits('20000', '65536'))).toBe(20_000);
    expect(openFilesLimit(() => limits('unlimited'))).toBe(Infinity);
  });

  it('is null where the limits cannot be read or make no sense', () => {
    expect(openFilesLimit(() => {
      throw new Error('ENOENT');
    })).toBeNull();
    expect(openFilesLimit(() => 'Max cpu time unlimited')).toBeNull();
    expect(openFilesLimit(() => limits('lots'))).toBeNull();
  });

  it('reads this process on Linux', () => {
    const limit = openFilesLimit();
    if (process.platform === 'linux') expect(limit).toBeGreaterThan(0);
  });
});

describe('defaultMaxConnections', () => {
  it('leaves 256 descriptors and a tenth of the limit to everything else', () => {
    expect(defaultMaxConnections(20_000)).toBe(20_000 - 256 - 2_000);
    expect(defaultMaxConnections(1_024)).toBe(1_024 - 256 - 103);
    expect(defaultMaxConnections(1_048_576)).toBe(1_048_576 - 256 - 104_858);
  });

  it('serves R5 (12,000 sockets) with ulimit -n 20000, the HTTP API on too', () => {
    expect(defaultMaxConnections(20_000, 2_048)).toBeGreaterThan(12_000);
  });

  it('keeps a floor, no cap when unlimited, and the old value where the limit is unknown', () => {
    expect(defaultMaxConnections(100)).toBe(64);
    expect(defaultMaxConnections(Infinity)).toBe(Infinity);
    expect(defaultMaxConnections(null)).toBe(FALLBACK_MAX_CONNECTIONS);
  });

  it('is the RemotingServer default; an explicit option still wins', () => {
    expect(resolveRemotingServerOptions({}).maxConnections).toBe(defaultMaxConnections());
    expect(resolveRemotingServerOptions({ maxConnections: 50 }).maxConnections).toBe(50);
    expect(() => resolveRemotingServerOptions({ maxConnections: 0 })).toThrow(/maxConnections/);
  });
});

describe('the CLI', () => {
  const settings = (argv: string[], soft: string | null): ReturnType<typeof loadSettings> =>
    loadSettings(parseFlags(argv), env(soft === null ? {} : { '/proc/self/limits': limits(soft) }));

  it('derives maxConnections from the open-files limit when it is not set, and says the limit', () => {
    expect(settings([], '20000')).toMatchObject({ maxConnections: 17_744, openFilesLimit: 20_000 });
    expect(settings([], null)).toMatchObject({ maxConnections: 10_000, openFilesLimit: null });
  });

  it('leaves room for the HTTP API\'s connections when HTTP is on', () => {
    expect(settings(['--http-port', '8080'], '20000').maxConnections).toBe(17_744 - 2_048);
    expect(settings(['--http-port', '8080', '--http-max-connections', '100'], '20000').maxConnections).toBe(17_744 - 100);
  });

  it('keeps --max-connections for operators who want less', () => {
    expect(settings(['--max-connections', '500'], '20000').maxConnections).toBe(500);
  });
});
