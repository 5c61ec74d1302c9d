import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliUsageError, parseCommandLine, type CliEnvironment, type NamesrvConfig } from '../src/cli/config.js';
import { startNamesrv, type CliLogger } from '../src/cli/namesrv.js';
import { parseProperties } from '../src/cli/properties.js';
import { RemotingClient, RequestCode } from '../src/remoting/index.js';
import { registerBroker } from './helpers/loopback.js';

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

function run(argv: string[], files?: Record<string, string>): NamesrvConfig {
  const command = parseCommandLine(argv, env(files));
  if (command.kind !== 'run') throw new Error('expected a run command');
  return command.config;
}

describe('parseProperties', () => {
  it('reads Java .properties syntax', () => {
    const props = parseProperties([
      '# comment',
      '! another comment',
      '',
      'listenPort=9877',
      '  kvConfigPath : /data/kv.json',
      'orderMessageEnable true',
      'long = first \\',
      '       second',
      'escaped\\ key=tab\\there \\u0041',
      'empty=',
      'listenPort=9878',
    ].join('\r\n'));
    expect(Object.fromEntries(props)).toEqual({
      listenPort: '9878',
      kvConfigPath: '/data/kv.json',
      orderMessageEnable: 'true',
      long: 'first second',
      'escaped key': 'tab\there A',
      empty: '',
    });
  });

  it('refuses a malformed unicode escape', () => {
    expect(() => parseProperties('a=\\u12')).toThrow(SyntaxError);
  });
});

describe('parseCommandLine', () => {
  it('has RocketMQ defaults', () => {
    expect(run([])).toEqual({
      port: 9876, host: '0.0.0.0', kvConfigPath: '/home/mq/namesrv/kvConfig.json', httpPort: null, httpHost: '0.0.0.0',
      maxFrameBytes: 16 * 1024 * 1024, idleTimeoutMillis: 120_000, scanIntervalMillis: 5_000, orderMessageEnable: false,
      supportActingMaster: false, deleteTopicWithBrokerRegistration: false, returnOrderTopicConfigToBroker: true,
      ignoredProperties: [],
    });
  });

  it('reads a properties file, and flags override it', () => {
    const files = {
      '/srv/namesrv/conf/namesrv.properties': [
        'listenPort=9900', 'bindAddress=127.0.0.1', 'kvConfigPath=~/kv.json', 'orderMessageEnable=TRUE',
        'supportActingMaster=true', 'deleteTopicWithBrokerRegistration=true', 'scanNotActiveBrokerInterval=1000',
        'serverChannelMaxIdleTimeSeconds=60', 'returnOrderTopicConfigToBroker=false', 'rocketmqHome=/opt/rocketmq',
        'httpPort=8080',
      ].join('\n'),
    };
    const config = run(['-c', 'conf/namesrv.properties', '--port', '9911'], files);
    expect(config).toEqual({
      port: 9911, host: '127.0.0.1', kvConfigPath: '/home/mq/kv.json', httpPort: 8080, httpHost: '127.0.0.1',
      maxFrameBytes: 16 * 1024 * 1024, idleTimeoutMillis: 60_000, scanIntervalMillis: 1000, orderMessageEnable: true,
      supportActingMaster: true, deleteTopicWithBrokerRegistration: true, returnOrderTopicConfigToBroker: false,
      ignoredProperties: ['rocketmqHome'],
    });
    expect(run(['--config-file=/srv/namesrv/conf/namesrv.properties', '--host', '10.0.0.1', '--http-host', '::1', '--kv-config', 'kv.json',
      '--http-port', '0', '--max-frame-bytes', '67108864'], files))
      .toMatchObject({ host: '10.0.0.1', httpHost: '::1', kvConfigPath: '/srv/namesrv/kv.json', httpPort: 0, maxFrameBytes: 64 << 20 });
  });

  it('asks for help', () => {
    expect(parseCommandLine(['--help'], env())).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'], env())).toEqual({ kind: 'help' });
  });

  it('refuses bad flags and values with a usage error', () => {
    const bad = [
      ['--nope'], ['--port'], ['--port', '70000'], ['--port', '-1'], ['--port', '9x'], ['--host', ''], ['extra'],
      ['--max-frame-bytes', '10'], ['-c', 'missing.properties'],
    ];
    for (const argv of bad) expect(() => parseCommandLine(argv, env()), argv.join(' ')).toThrow(CliUsageError);
    const files = { '/srv/namesrv/a.properties': 'orderMessageEnable=yes', '/srv/namesrv/b.properties': 'listenPort=abc' };
    expect(() => run(['-c', 'a.properties'], files)).toThrow(/orderMessageEnable in a.properties must be true or false/);
    expect(() => run(['-c', 'b.properties'], files)).toThrow(/listenPort/);
  });
});

describe('startNamesrv', () => {
  let dir: string;
  const lines: string[] = [];
  const log: CliLogger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'namesrv-cli-'));
    lines.length = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the KV file, serves remoting and HTTP, and flushes the KV file on close', async () => {
    const kvPath = join(dir, 'kvConfig.json');
    await writeFile(kvPath, JSON.stringify({ configTable: { ORDER_TOPIC_CONFIG: { TopicA: 'broker-a:4' } } }));
    const config = { ...run(['--port', '0', '--host', '127.0.0.1', '--http-port', '0', '--kv-config', kvPath]), orderMessageEnable: true };
    const namesrv = await startNamesrv(config, log);
    const client = await RemotingClient.connect(namesrv.address.port);
    try {
      expect(lines.some((l) => l.includes('boot success'))).toBe(true);
      const got = await client.invoke(RequestCode.GET_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'TopicA' });
      expect(got.extFields.value).toBe('broker-a:4');
      await registerBroker(client);
      const route = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' });
      expect(JSON.parse(route.body!.toString()).orderTopicConf).toBe('broker-a:4');
      expect(lines.some((l) => l.includes('new broker registered'))).toBe(true);

      const health = await new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: namesrv.httpAddress!.port, path: '/health' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject).end();
      });
      expect(health).toBe(200);

      await client.invoke(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' });
    } finally {
      await client.close();
      await namesrv.close();
    }
    const saved = JSON.parse(await readFile(kvPath, 'utf8')) as { configTable: Record<string, Record<string, string>> };
    expect(saved.configTable.ns).toEqual({ k: 'v' });
    expect(lines.at(-1)).toMatch(/shut down/);
  });

  it('fails cleanly when the port is taken', async () => {
    const first = await startNamesrv(run(['--port', '0', '--host', '127.0.0.1', '--kv-config', join(dir, 'kv.json')]), log);
    try {
      await expect(startNamesrv(run(['--port', String(first.address.port), '--host', '127.0.0.1', '--kv-config', join(dir, 'kv2.json')]), log))
        .rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});

// The bin's entry run from source through tsx (a dev dependency): no build needed, nothing skipped.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function bin(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the bin', () => {
  it('starts, logs its address and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'namesrv-bin-'));
    const child = bin(['--port', '0', '--host', '127.0.0.1', '--kv-config', join(dir, 'kv.json')]);
    try {
      let out = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no boot line: ${out}`)), 10_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /boot success.*address [^\s]*:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      const client = await RemotingClient.connect(port);
      expect((await client.invoke(999)).code).toBe(3);
      await client.close();
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints usage and exits 2 on a bad flag', async () => {
    const child = bin(['--bogus']);
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('Usage: rocketmq-namesrv');
  });
});
