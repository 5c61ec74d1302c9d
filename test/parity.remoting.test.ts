/**
 * Java 5.3 parity over the wire: GET/UPDATE_NAMESRV_CONFIG (319/318), the
 * topic-list switches, needWaitForService, zone mode, static topic
 * mappings in routes, and NOTIFY_MIN_BROKER_ID_CHANGE (905) sent to brokers.
 * Expected codes, remarks and bodies are RocketMQ 5.3.3's.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NamesrvConfiguration } from '../src/index.js';
import { REGISTERED_CONFIG_KEYS } from '../src/config/keys.js';
import { parseProperties } from '../src/config/properties.js';
import type { TopicConfig, TopicQueueMappingInfo, TopicRouteData } from '../src/core/types.js';
import { FLAG_ONEWAY, RemotingClient, RequestCode, ResponseCode, type RemotingCommand } from '../src/remoting/index.js';
import { FrameDecoder, bodyCrc32, decodeFrame, encodeRegisterBrokerBody, parseFastjson } from '../src/remoting/codec/index.js';
import { loopbackFixtures, registerBroker, type BrokerSpec, type Harness } from './helpers/loopback.js';
import { topicConfig } from './helpers/registry.js';

const { harness, defer } = loopbackFixtures();

function text(res: RemotingCommand): string {
  return res.body === null ? '' : res.body.toString('utf8');
}

async function route(client: RemotingClient, topic: string, extra: Record<string, string> = {}, version = 479) {
  const res = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic, ...extra }, null, { version });
  return { res, route: res.code === ResponseCode.SUCCESS ? parseFastjson(text(res)) as TopicRouteData : null };
}

async function updateConfig(client: RemotingClient, body: string): Promise<RemotingCommand> {
  return client.invoke(RequestCode.UPDATE_NAMESRV_CONFIG, {}, Buffer.from(body, 'utf8'));
}

async function getConfig(client: RemotingClient): Promise<Map<string, string>> {
  const res = await client.invoke(RequestCode.GET_NAMESRV_CONFIG);
  expect(res.code).toBe(ResponseCode.SUCCESS);
  return parseProperties(text(res));
}

describe('GET_NAMESRV_CONFIG (319)', () => {
  it("answers Java's key set, sorted key=value lines, listenPort the bound port, registry options as they are", async () => {
    const h = await harness({ registry: { supportActingMaster: true, scanIntervalMillis: 7_000 } });
    const res = await h.client.invoke(RequestCode.GET_NAMESRV_CONFIG);
    expect(res.code).toBe(ResponseCode.SUCCESS);
    const body = text(res);
    const lines = body.split('\n').filter((l) => l !== '');
    const keys = lines.map((l) => l.slice(0, l.indexOf('=')));
    expect(keys).toEqual([...keys].sort());
    const javaKeys = [...REGISTERED_CONFIG_KEYS.keys()].filter((k) => k !== 'rocketmqHome');
    expect(keys).toEqual(expect.arrayContaining(javaKeys));
    const config = parseProperties(body);
    expect(config.get('listenPort')).toBe(String(h.port));
    expect(config.get('bindAddress')).toBe('127.0.0.1');
    expect(config.get('supportActingMaster')).toBe('true');
    expect(config.get('scanNotActiveBrokerInterval')).toBe('7000');
    expect(config.get('enableAllTopicList')).toBe('true');
    expect(config.get('waitSecondsForService')).toBe('45');
    expect(config.get('serverChannelMaxIdleTimeSeconds')).toBe('120');
    // A change made through the library shows too.
    h.registry.updateOptions({ enableTopicList: false });
    expect((await getConfig(h.client)).get('enableTopicList')).toBe('false');
  });
});

describe('UPDATE_NAMESRV_CONFIG (318)', () => {
  it('merges known keys live, ignores unknown ones, and 319 shows the result', async () => {
    const h = await harness();
    const res = await updateConfig(h.client, 'enableAllTopicList=false\nnoSuchKey=1\nsupportActingMaster=true\n');
    expect(res.code).toBe(ResponseCode.SUCCESS);
    expect(res.remark).toBeNull();
    expect(h.registry.options.enableAllTopicList).toBe(false);
    expect(h.registry.options.supportActingMaster).toBe(true);
    const all = await h.client.invoke(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    expect([all.code, all.remark]).toEqual([ResponseCode.SYSTEM_ERROR, 'disable']);
    const config = await getConfig(h.client);
    expect(config.get('enableAllTopicList')).toBe('false');
    expect(config.has('noSuchKey')).toBe(false);
    // No body: SUCCESS, nothing done (Java).
    expect((await h.client.invoke(RequestCode.UPDATE_NAMESRV_CONFIG)).code).toBe(ResponseCode.SUCCESS);
  });

  it('refuses black-listed keys with NO_PERMISSION and changes nothing', async () => {
    const h = await harness();
    // Java's black list, and (318 fails closed) every key but a live NamesrvConfig switch.
    for (const key of ['configBlackList', 'configStorePath', 'kvConfigPath', 'rocketmqHome', 'bindAddress', 'listenPort', 'accessConfigFile', 'httpHost', 'tls.server.mode']) {
      const res = await updateConfig(h.client, `enableTopicList=false\n${key}=/tmp/x\n`);
      expect([res.code, res.remark]).toEqual([ResponseCode.NO_PERMISSION, 'Can not update config in black list.']);
    }
    expect(h.registry.options.enableTopicList).toBe(true);
    expect((await getConfig(h.client)).get('enableTopicList')).toBe('true');
  });

  it('refuses a value of the wrong type naming the key, and changes nothing', async () => {
    const h = await harness();
    const res = await updateConfig(h.client, 'enableTopicList=false\nwaitSecondsForService=soon\n');
    expect(res.code).toBe(ResponseCode.INVALID_PARAMETER);
    expect(res.remark).toContain('waitSecondsForService');
    expect(h.registry.options.enableTopicList).toBe(true);
    expect(h.registry.options.waitSecondsForService).toBe(45);
    expect((await getConfig(h.client)).get('enableTopicList')).toBe('true');
  });

  it('supportActingMaster switched on makes the lowest slave of a master-less group act as master', async () => {
    const h = await harness();
    const actingMaster = { enableActingMaster: 'true' };
    await registerBroker(h.client, { topics: ['TopicA', 'TopicB'], extra: actingMaster });
    await registerBroker(h.client, { brokerId: 1, brokerAddr: '127.0.0.1:10921', topics: ['TopicA', 'TopicB'], extra: actingMaster });
    await h.client.invoke(RequestCode.UNREGISTER_BROKER,
      { clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911', brokerId: 0 });
    expect((await route(h.client, 'TopicA')).route?.brokerDatas[0]?.brokerAddrs).toEqual({ 1: '127.0.0.1:10921' });
    expect((await updateConfig(h.client, 'supportActingMaster=true')).code).toBe(ResponseCode.SUCCESS);
    expect((await route(h.client, 'TopicA')).route?.brokerDatas[0]?.brokerAddrs).toEqual({ 0: '127.0.0.1:10921' });
  });

  it('persists to the configuration file, keeping the old one as .bak', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'namesrv-318-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'namesrv.properties');
    await writeFile(file, 'enableTopicList=true\nlistenPort=0\n');
    const namesrvConfig = new NamesrvConfiguration({ configFile: file, fileProperties: parseProperties(await readFile(file, 'utf8')) });
    const h = await harness({ server: { namesrvConfig } });
    expect((await getConfig(h.client)).get('configStorePath')).toBe(file);
    expect((await updateConfig(h.client, 'enableTopicList=false\n')).code).toBe(ResponseCode.SUCCESS);
    const written = parseProperties(await readFile(file, 'utf8'));
    expect(written.get('enableTopicList')).toBe('false');
    expect(written.get('listenPort')).toBe(String(h.port));
    expect(parseProperties(await readFile(`${file}.bak`, 'utf8')).get('enableTopicList')).toBe('true');
    const res = await h.client.invoke(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'DefaultCluster' });
    expect([res.code, res.remark]).toEqual([ResponseCode.SYSTEM_ERROR, 'disable']);
  });
});

describe('topic-list switches', () => {
  it('enableAllTopicList gates 206; enableTopicList gates 224, 311, 312, 313 (before reading the header); 304 is always served', async () => {
    const h = await harness({ registry: { enableAllTopicList: false, enableTopicList: false } });
    await registerBroker(h.client);
    const disabled = [
      [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, {}],
      [RequestCode.GET_TOPICS_BY_CLUSTER, {}],
      [RequestCode.GET_UNIT_TOPIC_LIST, {}],
      [RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST, {}],
      [RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST, {}],
    ] as const;
    for (const [code, ext] of disabled) {
      const res = await h.client.invoke(code, ext);
      expect([code, res.code, res.remark, res.body]).toEqual([code, ResponseCode.SYSTEM_ERROR, 'disable', null]);
    }
    const system = await h.client.invoke(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS);
    expect(system.code).toBe(ResponseCode.SUCCESS);
    h.registry.updateOptions({ enableAllTopicList: true, enableTopicList: true });
    const all = await h.client.invoke(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    expect(all.code).toBe(ResponseCode.SUCCESS);
    expect(JSON.parse(text(all)).topicList).toEqual(['TopicA', 'TopicB']);
    expect((await h.client.invoke(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'DefaultCluster' })).code).toBe(ResponseCode.SUCCESS);
  });
});

describe('returnOrderTopicConfigToBroker', () => {
  it('REGISTER_BROKER answers carry the ORDER_TOPIC_CONFIG table while on; 318 switches it live', async () => {
    const h = await harness();
    await h.client.invoke(RequestCode.PUT_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'TopicA', value: 'broker-a:4' });
    expect(JSON.parse(text(await registerBroker(h.client)))).toEqual({ table: { TopicA: 'broker-a:4' } });
    expect((await updateConfig(h.client, 'returnOrderTopicConfigToBroker=false')).code).toBe(ResponseCode.SUCCESS);
    expect((await registerBroker(h.client)).body).toBeNull();
  });
});

describe('needWaitForService', () => {
  it('answers route requests "name server not ready" until waitSecondsForService passed since start-up; the rest is served', async () => {
    const clock = { now: 1_000_000 };
    const h = await harness({ registry: { now: () => clock.now, needWaitForService: true, waitSecondsForService: 10 } });
    expect((await registerBroker(h.client)).code).toBe(ResponseCode.SUCCESS);
    const early = await route(h.client, 'TopicA');
    expect([early.res.code, early.res.remark]).toEqual([ResponseCode.SYSTEM_ERROR, 'name server not ready']);
    expect((await h.client.invoke(RequestCode.GET_BROKER_CLUSTER_INFO)).code).toBe(ResponseCode.SUCCESS);
    clock.now += 9_999;
    expect((await route(h.client, 'TopicA')).res.remark).toBe('name server not ready');
    clock.now += 1;
    expect((await route(h.client, 'TopicA')).route?.queueDatas).toHaveLength(1);
    // Switched on again later, the window still counts from start-up.
    h.registry.updateOptions({ needWaitForService: false });
    h.registry.updateOptions({ needWaitForService: true, waitSecondsForService: 20 });
    expect((await route(h.client, 'TopicA')).res.remark).toBe('name server not ready');
  });
});

describe('zone mode', () => {
  async function zones(h: Harness): Promise<void> {
    const zone = (name: string) => ({ __ZONE_NAME: name });
    await registerBroker(h.client, { brokerName: 'broker-a', brokerAddr: '10.0.0.1:10911', topics: ['TopicZ', 'x1'], extra: zone('zone-a') });
    await registerBroker(h.client, { brokerName: 'broker-a', brokerId: 1, brokerAddr: '10.0.0.2:10911', topics: ['TopicZ', 'x1'], extra: zone('zone-a') });
    await registerBroker(h.client, { brokerName: 'broker-b', brokerAddr: '10.0.1.1:10911', topics: ['TopicZ', 'x1'], extra: zone('zone-b') });
    // broker-c has only a slave: kept for every zone ("master down, consume from slave").
    await registerBroker(h.client, { brokerName: 'broker-c', brokerId: 1, brokerAddr: '10.0.2.2:10911', topics: ['TopicZ', 'x1'], extra: zone('zone-b') });
  }

  it("keeps the client's zone (any case) and master-less groups, in the JSON flavour the client asked for", async () => {
    const h = await harness();
    await zones(h);
    const zoneA = { __ZONE_MODE: 'true', __ZONE_NAME: 'ZONE-A' };
    const standard = await route(h.client, 'TopicZ', zoneA);
    expect(standard.route?.brokerDatas.map((bd) => bd.brokerName)).toEqual(['broker-a', 'broker-c']);
    expect(standard.route?.queueDatas.map((qd) => qd.brokerName)).toEqual(['broker-a', 'broker-c']);
    expect(text(standard.res)).toContain('"brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.2:10911"}');
    const old = await route(h.client, 'TopicZ', zoneA, 100);
    expect(text(old.res)).toContain('"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"}');
    expect(old.route?.brokerDatas.map((bd) => bd.brokerName)).toEqual(['broker-a', 'broker-c']);
    // Zone mode off, or no zone name: the whole route.
    expect((await route(h.client, 'TopicZ', { __ZONE_MODE: 'false', __ZONE_NAME: 'zone-a' })).route?.brokerDatas).toHaveLength(3);
    expect((await route(h.client, 'TopicZ', { __ZONE_MODE: 'true', __ZONE_NAME: '  ' })).route?.brokerDatas).toHaveLength(3);
    expect((await route(h.client, 'TopicZ')).route?.brokerDatas).toHaveLength(3);
    // Unknown topics answer as without zone mode.
    expect((await route(h.client, 'Nope', zoneA)).res.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
  });
});

describe('static topics', () => {
  const mapping = (bname: string, ids: Record<string, number>): TopicQueueMappingInfo =>
    ({ topic: 'StaticT', scope: '__global__', totalQueues: 4, bname, epoch: 1_700_000_000_000, dirty: false, currIdMap: ids });

  async function registerWithMappings(client: RemotingClient, spec: BrokerSpec & { mappings: Map<string, TopicQueueMappingInfo> }) {
    const table = new Map<string, TopicConfig>();
    for (const t of spec.topics ?? ['StaticT', 'Other']) table.set(t, topicConfig(t));
    const compressed = spec.compressed ?? false;
    const body = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: {
        topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: 1000, counter: spec.counter ?? 1 },
        topicQueueMappingInfoMap: spec.mappings,
      },
      filterServerList: [],
    }, compressed);
    const brokerAddr = spec.brokerAddr ?? '127.0.0.1:10911';
    return client.invoke(RequestCode.REGISTER_BROKER, {
      clusterName: 'DefaultCluster', brokerName: spec.brokerName ?? 'broker-a', brokerAddr, brokerId: String(spec.brokerId ?? 0),
      haServerAddr: brokerAddr, enableActingMaster: 'false', compressed: String(compressed), bodyCrc32: String(bodyCrc32(body)),
    }, body, { version: 479 });
  }

  it('routes carry topicQueueMappingByBroker from JSON and compressed 5.x bodies, and lose it with the broker', async () => {
    const h = await harness();
    const a = mapping('broker-a', { 0: 0, 1: 1 });
    const b = mapping('broker-b', { 2: 0, 3: 1 });
    expect((await registerWithMappings(h.client, { mappings: new Map([['StaticT', a]]) })).code).toBe(ResponseCode.SUCCESS);
    expect((await registerWithMappings(h.client, {
      brokerName: 'broker-b', brokerAddr: '127.0.0.1:10931', compressed: true, mappings: new Map([['StaticT', b]]),
    })).code).toBe(ResponseCode.SUCCESS);

    const standard = await route(h.client, 'StaticT');
    expect(standard.route?.topicQueueMappingByBroker).toEqual({ 'broker-a': a, 'broker-b': b });
    expect(text(standard.res)).toContain(
      '"topicQueueMappingByBroker":{"broker-a":{"bname":"broker-a","currIdMap":{"0":0,"1":1},"dirty":false,'
      + '"epoch":1700000000000,"scope":"__global__","topic":"StaticT","totalQueues":4},');
    const old = await route(h.client, 'StaticT', {}, 100);
    expect(text(old.res)).toContain('"currIdMap":{2:0,3:1}');
    expect(old.route?.topicQueueMappingByBroker?.['broker-b']).toEqual(b);
    // Topics without mappings have no such field (fastjson omits null).
    expect(text((await route(h.client, 'Other')).res)).not.toContain('topicQueueMappingByBroker');

    await h.client.invoke(RequestCode.UNREGISTER_BROKER,
      { clusterName: 'DefaultCluster', brokerName: 'broker-b', brokerAddr: '127.0.0.1:10931', brokerId: 0 });
    expect((await route(h.client, 'StaticT')).route?.topicQueueMappingByBroker).toEqual({ 'broker-a': a });
    await h.client.invoke(RequestCode.UNREGISTER_BROKER,
      { clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911', brokerId: 0 });
    expect((await route(h.client, 'StaticT')).res.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    // Registered again without mappings: the old ones are gone for good.
    await registerBroker(h.client, { topics: ['StaticT', 'Other'] });
    expect((await route(h.client, 'StaticT')).route?.topicQueueMappingByBroker).toBeUndefined();
  });
});

/** A broker's listening port that records what the name server sends it. */
class BrokerListener {
  readonly frames: RemotingCommand[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #waiters: Array<() => void> = [];

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
      const decoder = new FrameDecoder(1 << 20, (buf, start, end) => {
        this.frames.push(decodeFrame(Buffer.from(buf.subarray(start, end))));
        for (const wake of this.#waiters.splice(0)) wake();
      });
      socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    });
  }

  static async start(): Promise<BrokerListener> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new BrokerListener(server);
  }

  get addr(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` frames arrived (rejects after a bounded wait). */
  async received(count: number): Promise<RemotingCommand[]> {
    for (let i = 0; this.frames.length < count; i++) {
      if (i > 50) throw new Error(`expected ${count} frames, got ${this.frames.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames.slice(0, count);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

describe('NOTIFY_MIN_BROKER_ID_CHANGE (905)', () => {
  async function group(actingMaster: boolean) {
    const master = await BrokerListener.start();
    const slave = await BrokerListener.start();
    defer(() => master.close());
    defer(() => slave.close());
    const extra = { enableActingMaster: String(actingMaster) };
    const spec = (brokerId: number, addr: string): BrokerSpec => ({ brokerId, brokerAddr: addr, haServerAddr: addr.replace('127.0.0.1', '127.0.0.2'), extra });
    return { master, slave, spec };
  }

  it('a master registering after its slave notifies the slave, one-way, with the header Java sends', async () => {
    const h = await harness({ registry: { notifyMinBrokerIdChanged: true } });
    const { master, slave, spec } = await group(false);
    await registerBroker(h.client, spec(1, slave.addr));
    await registerBroker(h.client, spec(0, master.addr));
    const [frame] = await slave.received(1);
    expect(frame?.code).toBe(RequestCode.NOTIFY_MIN_BROKER_ID_CHANGE);
    expect((frame!.flag & FLAG_ONEWAY) !== 0).toBe(true);
    expect(frame?.extFields).toEqual({
      minBrokerId: '0', minBrokerAddr: master.addr, haBrokerAddr: master.addr.replace('127.0.0.1', '127.0.0.2'),
    });
    expect(master.frames).toEqual([]);
  });

  it('a master unregistering notifies the remaining brokers of an acting-master group', async () => {
    const h = await harness({ registry: { notifyMinBrokerIdChanged: true } });
    const { master, slave, spec } = await group(true);
    await registerBroker(h.client, spec(0, master.addr));
    await registerBroker(h.client, spec(1, slave.addr));
    await h.client.invoke(RequestCode.UNREGISTER_BROKER,
      { clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: master.addr, brokerId: 0 });
    const [frame] = await slave.received(1);
    expect(frame?.code).toBe(RequestCode.NOTIFY_MIN_BROKER_ID_CHANGE);
    expect(frame?.extFields).toEqual({ minBrokerId: '1', minBrokerAddr: slave.addr, offlineBrokerAddr: master.addr });
  });

  it('is off by default, and 318 switches it on', async () => {
    const h = await harness();
    const events: unknown[] = [];
    h.registry.on('minBrokerIdChanged', (e) => events.push(e));
    const { master, slave, spec } = await group(true);
    await registerBroker(h.client, spec(1, slave.addr));
    await registerBroker(h.client, spec(0, master.addr));
    expect(events).toEqual([]);
    expect((await updateConfig(h.client, 'notifyMinBrokerIdChanged=true')).code).toBe(ResponseCode.SUCCESS);
    await h.client.invoke(RequestCode.UNREGISTER_BROKER,
      { clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: master.addr, brokerId: 0 });
    expect(events).toHaveLength(1);
    const [frame] = await slave.received(1);
    expect(frame?.extFields.offlineBrokerAddr).toBe(master.addr);
  });

  it('an unreachable broker is reported as notifyError, and nothing else breaks', async () => {
    const h = await harness({ registry: { notifyMinBrokerIdChanged: true } });
    const gone = await BrokerListener.start();
    const deadAddr = gone.addr;
    await gone.close();
    const errors: string[] = [];
    const reported = new Promise<void>((resolve) => h.server.on('notifyError', (e) => {
      errors.push(e.brokerAddr);
      resolve();
    }));
    await registerBroker(h.client, { brokerId: 1, brokerAddr: deadAddr });
    await registerBroker(h.client, { brokerId: 0, brokerAddr: '127.0.0.1:10911' });
    await reported;
    expect(errors).toEqual([deadAddr]);
    expect((await route(h.client, 'TopicA')).res.code).toBe(ResponseCode.SUCCESS);
  });
});
