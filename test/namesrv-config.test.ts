/**
 * The runtime configuration behind GET_NAMESRV_CONFIG (319) and
 * UPDATE_NAMESRV_CONFIG (318), checked against what RocketMQ 5.3.3's
 * `Configuration`, `DefaultRequestProcessor.updateConfig` and
 * `NamesrvStartup -p` produce. `rename` is wrapped so a test can hold a
 * config write in flight without sleeping.
 */
import type { PathLike } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigValueError, NamesrvError } from '../src/core/errors.js';
import {
  BLACKLIST_REMARK, MALFORMED_REMARK, NamesrvConfiguration, javaSplit, type NamesrvConfigurationInit,
} from '../src/config/namesrv-config.js';
import { KNOWN_CONFIG_KEYS, type RegistryOptionsPatch } from '../src/config/keys.js';
import { parseProperties } from '../src/config/properties.js';

const fsHooks = vi.hoisted(() => ({
  renames: [] as Array<{ from: string; to: string }>,
  beforeRename: null as ((from: string, to: string) => Promise<void>) | null,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: PathLike, to: PathLike): Promise<void> => {
      fsHooks.renames.push({ from: String(from), to: String(to) });
      const hook = fsHooks.beforeRename;
      if (hook !== null) await hook(String(from), String(to));
      await actual.rename(from, to);
    },
  };
});

const ENV = { homeDir: '/home/rocketmq', rocketmqHome: '/opt/rocketmq', cpus: 4, tlsEnforcing: false } as const;

/** Java 5.3.3's 319 body with every default, `mqnamesrv -c CFG` (listenPort 9876) and ROCKETMQ_HOME=/opt/rocketmq. */
function javaDefaultBody(configStorePath: string): string {
  return [
    'bindAddress=0.0.0.0',
    'clientRequestThreadPoolNums=8',
    'clientRequestThreadPoolQueueCapacity=50000',
    'clusterTest=false',
    'configBlackList=configBlackList;configStorePath;kvConfigPath',
    `configStorePath=${configStorePath}`,
    'defaultThreadPoolNums=16',
    'defaultThreadPoolQueueCapacity=10000',
    'deleteTopicWithBrokerRegistration=false',
    'enableAllTopicList=true',
    'enableControllerInNamesrv=false',
    'enableShutdownGracefully=false',
    'enableTopicList=true',
    'kvConfigPath=/home/rocketmq/namesrv/kvConfig.json',
    'listenPort=9876',
    'needWaitForService=false',
    'notifyMinBrokerIdChanged=false',
    'orderMessageEnable=false',
    'productEnvName=center',
    'returnOrderTopicConfigToBroker=true',
    'rocketmqHome=/opt/rocketmq',
    'scanNotActiveBrokerInterval=5000',
    'serverAsyncSemaphoreValue=64',
    'serverCallbackExecutorThreads=0',
    'serverChannelMaxIdleTimeSeconds=120',
    'serverNettyWorkerGroupEnable=true',
    'serverOnewaySemaphoreValue=256',
    'serverPooledByteBufAllocatorEnable=true',
    'serverSelectorThreads=3',
    'serverSocketBacklog=1024',
    'serverSocketRcvBufSize=0',
    'serverSocketSndBufSize=0',
    'serverWorkerThreads=8',
    'shutdownWaitTimeSeconds=30',
    'supportActingMaster=false',
    'unRegisterBrokerQueueCapacity=3000',
    'useEpollNativeSelector=false',
    'waitSecondsForService=45',
    'writeBufferHighWaterMark=0',
    'writeBufferLowWaterMark=0',
  ].map((line) => `${line}\n`).join('');
}

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'namesrv-config-'));
  file = join(dir, 'namesrv.properties');
  fsHooks.renames.length = 0;
  fsHooks.beforeRename = null;
});

afterEach(async () => {
  fsHooks.beforeRename = null;
  await rm(dir, { recursive: true, force: true });
});

function config(init: NamesrvConfigurationInit = {}): NamesrvConfiguration {
  return new NamesrvConfiguration({ environment: ENV, ...init });
}

/** Starts as `mqnamesrv -c <file>` does: the file's properties, then the file as configStorePath. */
async function fromFile(text: string, init: NamesrvConfigurationInit = {}): Promise<NamesrvConfiguration> {
  await writeFile(file, text);
  return config({ fileProperties: parseProperties(await readFile(file, 'utf8')), configFile: file, ...init });
}

describe('GET_NAMESRV_CONFIG body (319)', () => {
  it("prints Java's key set, defaults and format: sorted key=value lines", () => {
    expect(config({ configFile: '/etc/rocketmq/namesrv.properties' }).formatAll())
      .toBe(javaDefaultBody('/etc/rocketmq/namesrv.properties'));
  });

  it('leaves rocketmqHome out when it is unset, as Java leaves out null fields', () => {
    const text = config({ environment: { ...ENV, rocketmqHome: null } }).formatAll();
    expect(text).not.toMatch(/^rocketmqHome=/m);
    expect(text.split('\n').filter(Boolean)).toHaveLength(39);
  });

  it("without a -c file shows Java's default configStorePath", () => {
    expect(config().get('configStorePath')).toBe('/home/rocketmq/namesrv/namesrv.properties');
  });

  it('shows every key of the -c file, unknown ones as written, and the bound port', async () => {
    const c = await fromFile('listenPort=0\nmyCustomKey = some value \nclientWorkerThreads=+6\nhttpPort=8080\n');
    c.set('listenPort', 40123);
    const text = c.formatAll();
    expect(text).toMatch(/^listenPort=40123$/m);
    expect(text).toMatch(/^myCustomKey=some value $/m);
    expect(text).toMatch(/^clientWorkerThreads=6$/m);
    expect(text).toMatch(/^httpPort=8080$/m);
    expect(text).toMatch(new RegExp(`^configStorePath=${file.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`, 'm'));
    // NettyClientConfig keys the file does not set are not part of Java's Configuration.
    expect(text).not.toMatch(/^connectTimeoutMillis=/m);
  });

  it('masks the TLS key password but keeps it for the file', async () => {
    const c = await fromFile('tls.server.keyPassword=hunter2\n');
    expect(c.formatAll()).toMatch(/^tls\.server\.keyPassword=\*{6}$/m);
    expect(c.get('tls.server.keyPassword')).toBe('hunter2');
  });

  it('refuses a -c file with a bad value of a known key, naming it', async () => {
    await expect(fromFile('listenPort=98x76\n')).rejects.toThrow(ConfigValueError);
    await expect(fromFile('supportActingMaster=yes\n')).rejects.toMatchObject({
      code: 'ERR_CONFIG_VALUE', key: 'supportActingMaster', value: 'yes',
    });
    expect(() => config({ overrides: { listenPort: 70000 } })).toThrow(/listenPort/);
  });
});

describe('UPDATE_NAMESRV_CONFIG (318)', () => {
  it('merges the keys it holds, ignores the others, persists and reports the registry patch', async () => {
    const c = await fromFile('listenPort=9876\n');
    const applied: RegistryOptionsPatch[] = [];
    const outcome = await c.update(
      Buffer.from('enableTopicList=false\nscanNotActiveBrokerInterval=10000\nproductEnvName=prod\nnoSuchKey=1\norderMessageEnable=false\n'),
      { applyLive: (patch) => void applied.push(patch) },
    );
    expect(outcome).toEqual({
      status: 'updated',
      changed: ['enableTopicList', 'scanNotActiveBrokerInterval', 'productEnvName'],
      ignored: ['noSuchKey'],
      registryPatch: { enableTopicList: false, scanIntervalMillis: 10_000 },
      persistedTo: file,
    });
    expect(applied).toEqual([{ enableTopicList: false, scanIntervalMillis: 10_000 }]);
    expect(c.get('noSuchKey')).toBeUndefined();
    expect(c.formatAll()).toMatch(/^productEnvName=prod$/m);
    expect(c.registryOptions()).toMatchObject({ enableTopicList: false, scanIntervalMillis: 10_000, enableAllTopicList: true });
    expect(await readFile(file, 'utf8')).toBe(c.formatAll());
  });

  it('refuses keys that only the -c file introduced (Java would merge them): 318 fails closed', async () => {
    const c = await fromFile('myCustomKey=a\n');
    const outcome = await c.update('myCustomKey=b');
    expect(outcome).toEqual({ status: 'blacklisted', remark: BLACKLIST_REMARK, keys: ['myCustomKey'] });
    expect(c.get('myCustomKey')).toBe('a');
  });

  it.each([
    'accessConfigFile', 'bindAddress', 'listenPort', 'httpHost', 'httpPort', 'maxFrameBytes', 'tls.server.mode', 'tls.server.certPath',
    'tls.server.keyPassword', 'tls.test.mode.enable', 'tls.config.file', 'tls.client.anything', 'serverWorkerThreads',
    'serverChannelMaxIdleTimeSeconds', 'clientRequestThreadPoolNums', 'enableControllerInNamesrv', 'useTLS', 'memoryBudgetBytes',
  ])('refuses %s (network, security, files or limits) with 16, held or not, changing nothing', async (key) => {
    const original = 'listenPort=9876\nbindAddress=0.0.0.0\nhttpHost=127.0.0.1\n';
    const c = await fromFile(original, { ownKeys: ['memoryBudgetBytes'] });
    const before = c.formatAll();
    const applyLive = vi.fn();
    const outcome = await c.update(`orderMessageEnable=true\n${key}=1\n`, { applyLive });
    expect(outcome).toEqual({ status: 'blacklisted', remark: BLACKLIST_REMARK, keys: [key] });
    expect(c.formatAll()).toBe(before);
    expect(applyLive).not.toHaveBeenCalled();
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  it('tells each settled update through configUpdated or configUpdateRefused, and nothing for a request without body', async () => {
    const c = await fromFile('');
    const seen: Array<[string, string]> = [];
    c.on('configUpdated', (o) => seen.push(['configUpdated', o.changed.join()]));
    c.on('configUpdateRefused', (o) => seen.push(['configUpdateRefused', o.status]));
    await c.update('orderMessageEnable=true\n');
    await c.update('kvConfigPath=/elsewhere\n');
    await c.update('orderMessageEnable=maybe\n');
    await c.update('bad=\\u12');
    await c.update(null);
    await c.update('orderMessageEnable=true\n');
    expect(seen).toEqual([
      ['configUpdated', 'orderMessageEnable'], ['configUpdateRefused', 'blacklisted'], ['configUpdateRefused', 'invalid'],
      ['configUpdateRefused', 'malformed'], ['configUpdated', ''],
    ]);
  });

  it('answers a request without body with success and changes nothing', async () => {
    const c = await fromFile('');
    expect(await c.update(null)).toEqual({ status: 'noBody' });
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it("refuses a malformed body with Java's remark", async () => {
    const c = await fromFile('');
    const outcome = await c.update('orderMessageEnable=true\nbad=\\u12');
    expect(outcome).toMatchObject({ status: 'malformed', remark: MALFORMED_REMARK });
    expect(c.get('orderMessageEnable')).toBe('false');
  });

  it.each(['configBlackList', 'configStorePath', 'kvConfigPath', 'rocketmqHome'])(
    'refuses the built-in black-listed key %s with 16 and changes nothing', async (key) => {
      const c = await fromFile('');
      const outcome = await c.update(`enableTopicList=false\n${key}=/elsewhere\n`);
      expect(outcome).toEqual({ status: 'blacklisted', remark: BLACKLIST_REMARK, keys: [key] });
      expect(c.get('enableTopicList')).toBe('true');
      expect(fsHooks.renames).toEqual([]);
    },
  );

  it("refuses the keys the file's configBlackList adds, checked before anything else", async () => {
    const c = await fromFile('configBlackList=listenPort;enableTopicList\n');
    expect(c.blacklist).toEqual(new Set([
      'configBlackList', 'configStorePath', 'kvConfigPath', 'rocketmqHome', 'listenPort', 'enableTopicList',
    ]));
    // Even together with an invalid value and an unknown key, the black list answers first.
    const outcome = await c.update('waitSecondsForService=x\nnoSuchKey=1\nenableTopicList=false\n');
    expect(outcome).toMatchObject({ status: 'blacklisted', keys: ['enableTopicList'] });
    expect(c.get('enableTopicList')).toBe('true');
    // The default list no longer applies once the file replaces it, except the built-in keys.
    expect(await c.update('orderMessageEnable=true')).toMatchObject({ status: 'updated' });
  });

  it.each([
    ['supportActingMaster', 'yes'],
    ['waitSecondsForService', '4.5'],
    ['waitSecondsForService', '2147483648'],
    ['scanNotActiveBrokerInterval', '0'],
  ])('refuses %s=%j naming the key, with nothing changed', async (key, value) => {
    const c = await fromFile('');
    const before = c.formatAll();
    const applyLive = vi.fn();
    const outcome = await c.update(`orderMessageEnable=true\n${key}=${value}\n`, { applyLive });
    expect(outcome).toMatchObject({ status: 'invalid', key });
    expect(outcome.status === 'invalid' && outcome.remark).toContain(key);
    expect(c.formatAll()).toBe(before);
    expect(applyLive).not.toHaveBeenCalled();
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('converts values as Java prints them back: trimmed strings, decimal numbers, any-case booleans', async () => {
    const c = await fromFile('');
    await c.update('productEnvName =  prod  \nwaitSecondsForService=+007\nneedWaitForService=TRUE\n');
    expect(c.get('productEnvName')).toBe('prod');
    expect(c.get('waitSecondsForService')).toBe('7');
    expect(c.registryOptions()).toMatchObject({ needWaitForService: true, waitSecondsForService: 7 });
  });

  it('keeps escapes and non-ASCII values through the body, the file and a restart', async () => {
    const c = await fromFile('myPath=C:\\\\rocketmq\\\\data\nproductEnvName=center\n');
    await c.update(Buffer.from('productEnvName=\u00e9t\u00e9 \u6771\u4eac\n', 'utf8'));
    expect(c.get('myPath')).toBe('C:\\rocketmq\\data');
    expect(c.get('productEnvName')).toBe('\u00e9t\u00e9 \u6771\u4eac');
    const persisted = await readFile(file, 'utf8');
    expect(persisted).toMatch(/^productEnvName=\\u00E9t\\u00E9 \\u6771\\u4EAC$/m);
    const restarted = config({ fileProperties: parseProperties(persisted), configFile: file });
    expect(restarted.formatAll()).toBe(c.formatAll());
  });

  it('re-loads a persisted file to the same configuration', async () => {
    const c = await fromFile('listenPort=10911\nmyCustomKey=v\nserverSocketBacklog=2048\n');
    await c.update('enableAllTopicList=false\n');
    const restarted = config({ fileProperties: parseProperties(await readFile(file, 'utf8')), configFile: file });
    expect(restarted.formatAll()).toBe(c.formatAll());
    expect(restarted.registryOptions().enableAllTopicList).toBe(false);
  });

  it('writes a temp file and renames it over the config, keeping the previous one as .bak', async () => {
    const c = await fromFile('listenPort=9876\n');
    let seenMidWrite: string | null = null;
    fsHooks.beforeRename = async (from, to) => {
      if (to !== file) return;
      // The new content is complete in the temp file while the config still holds the old one.
      seenMidWrite = await readFile(file, 'utf8');
      expect(await readFile(from, 'utf8')).toMatch(/^enableTopicList=false$/m);
    };
    await c.update('enableTopicList=false');
    expect(seenMidWrite).toBe('listenPort=9876\n');
    expect(fsHooks.renames.map((r) => r.to)).toEqual([`${file}.bak`, file]);
    expect(fsHooks.renames.every((r) => r.from !== r.to && r.from.startsWith(dir))).toBe(true);
    expect(await readFile(`${file}.bak`, 'utf8')).toBe('listenPort=9876\n');
    expect((await readdir(dir)).sort()).toEqual(['namesrv.properties', 'namesrv.properties.bak']);
  });

  it('changes nothing when the file cannot be written', async () => {
    const c = await fromFile('');
    fsHooks.beforeRename = async (_from, to) => {
      if (to === file) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    };
    const applyLive = vi.fn();
    const outcome = await c.update('enableTopicList=false', { applyLive });
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(outcome.status === 'failed' && outcome.remark).toContain('disk full');
    expect(c.get('enableTopicList')).toBe('true');
    expect(applyLive).not.toHaveBeenCalled();
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it.each([
    ['throws', (): void => {
      throw new Error('refused');
    }],
    ['rejects', (): Promise<void> => Promise.reject(new Error('refused'))],
  ])('restores the file and changes nothing when the registry update %s', async (_how, applyLive) => {
    const c = await fromFile('enableTopicList=true\n');
    const outcome = await c.update('enableTopicList=false', { applyLive });
    expect(outcome).toMatchObject({ status: 'failed', remark: 'cannot apply config: refused' });
    expect(c.get('enableTopicList')).toBe('true');
    expect(await readFile(file, 'utf8')).toBe('enableTopicList=true\n');
  });

  it('changes the running values only when no -c file is configured', async () => {
    const c = config();
    const outcome = await c.update('enableAllTopicList=false');
    expect(outcome).toMatchObject({ status: 'updated', persistedTo: null });
    expect(c.get('enableAllTopicList')).toBe('false');
    expect(fsHooks.renames).toEqual([]);
  });

  it('serializes concurrent updates: the file ends with both', async () => {
    const c = await fromFile('');
    await Promise.all([c.update('enableTopicList=false'), c.update('enableAllTopicList=false')]);
    const persisted = parseProperties(await readFile(file, 'utf8'));
    expect(persisted.get('enableTopicList')).toBe('false');
    expect(persisted.get('enableAllTopicList')).toBe('false');
  });

  it('reports only changed registry options', async () => {
    const c = await fromFile('');
    const outcome = await c.update('supportActingMaster=false\nnotifyMinBrokerIdChanged=true\nreturnOrderTopicConfigToBroker=true\n');
    expect(outcome).toMatchObject({ status: 'updated', registryPatch: { notifyMinBrokerIdChanged: true } });
  });
});

describe('mqnamesrv -p', () => {
  it('prints NamesrvConfig, NettyServerConfig and NettyClientConfig fields in declaration order', async () => {
    const c = await fromFile('listenPort=9877\nconnectTimeoutMillis=5000\n', { environment: { ...ENV, rocketmqHome: null } });
    const lines = c.formatPrintConfigItems().split('\n').filter(Boolean);
    expect(lines.slice(0, 4)).toEqual([
      'rocketmqHome=',
      'kvConfigPath=/home/rocketmq/namesrv/kvConfig.json',
      `configStorePath=${file}`,
      'productEnvName=center',
    ]);
    expect(lines[22]).toBe('bindAddress=0.0.0.0');
    expect(lines[23]).toBe('listenPort=9877');
    expect(lines).toContain('connectTimeoutMillis=5000');
    expect(lines).toContain('isScanAvailableNameSrv=true');
    expect(lines).toContain('clientCallbackExecutorThreads=4');
    expect(lines.at(-1)).toBe('enableReconnectForGoAway=true');
    expect(lines).toHaveLength(22 + 18 + 20);
  });
});

describe('key table', () => {
  it('maps exactly the registry options 318 applies live', () => {
    const live = [...KNOWN_CONFIG_KEYS.values()].filter((s) => s.effect === 'live').map((s) => [s.key, s.live]);
    expect(Object.fromEntries(live)).toEqual({
      orderMessageEnable: 'orderMessageEnable',
      returnOrderTopicConfigToBroker: 'returnOrderTopicConfigToBroker',
      scanNotActiveBrokerInterval: 'scanIntervalMillis',
      supportActingMaster: 'supportActingMaster',
      enableAllTopicList: 'enableAllTopicList',
      enableTopicList: 'enableTopicList',
      notifyMinBrokerIdChanged: 'notifyMinBrokerIdChanged',
      needWaitForService: 'needWaitForService',
      waitSecondsForService: 'waitSecondsForService',
      deleteTopicWithBrokerRegistration: 'deleteTopicWithBrokerRegistration',
    });
  });

  it("splits configBlackList as Java's String.split does", () => {
    expect(javaSplit('', ';')).toEqual(['']);
    expect(javaSplit('a;;b;;', ';')).toEqual(['a', '', 'b']);
    expect(javaSplit(';', ';')).toEqual([]);
    expect(javaSplit(';a', ';')).toEqual(['', 'a']);
  });

  it('errors are NamesrvErrors with a stable code', () => {
    expect(new ConfigValueError('k', 'v', 'x')).toBeInstanceOf(NamesrvError);
  });
});
