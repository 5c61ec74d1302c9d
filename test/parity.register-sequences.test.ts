/**
 * Issue 22's sequences over the wire, with RocketMQ 5.3.3's observed
 * answers: an equal data version applies what Java applies (every topic the
 * group lacks) whatever container the decoder hands the registry, and a
 * topic with PERM_PRIORITY (perm 14) registers and keeps its bits. Each runs
 * through the embedded server's default path (`new RemotingServer(registry,
 * { port })`) and through the CLI's (`startNamesrv`, its decode pool), with
 * plain and compressed bodies.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RouteRegistry } from '../src/index.js';
import type { TopicConfig, TopicRouteData } from '../src/core/types.js';
import { loadSettings } from '../src/cli/config.js';
import { parseFlags } from '../src/cli/flags.js';
import { createLogger } from '../src/cli/log.js';
import { startNamesrv } from '../src/cli/namesrv.js';
import { RemotingClient, RemotingServer, RequestCode, ResponseCode } from '../src/remoting/index.js';
import { bodyCrc32, encodeRegisterBrokerBody, parseFastjson } from '../src/remoting/codec/index.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A name server on loopback, by one of the two paths users start it by; resolves a connected client. */
async function start(path: 'embedded' | 'cli'): Promise<RemotingClient> {
  let port: number;
  if (path === 'embedded') {
    const registry = new RouteRegistry();
    const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1' });
    port = (await server.listen()).port;
    cleanups.push(() => registry.close(), () => server.close());
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'namesrv-seq-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const settings = loadSettings(parseFlags(['--port', '0', '--host', '127.0.0.1', '--kv-config', join(dir, 'kv.json')]));
    const namesrv = await startNamesrv(settings, createLogger({ level: 'error', write: () => undefined }));
    cleanups.push(() => namesrv.close());
    port = namesrv.address.port;
  }
  const client = await RemotingClient.connect(port, '127.0.0.1');
  cleanups.push(() => client.close());
  return client;
}

interface Reg {
  cluster?: string;
  broker?: string;
  addr?: string;
  topics: Record<string, number>;
  counter: number;
  timestamp?: number;
}

/** REGISTER_BROKER as a 5.3.3 broker sends it; `topics` maps names to perms. */
async function register(client: RemotingClient, r: Reg, compressed: boolean): Promise<number> {
  const table = new Map<string, TopicConfig>();
  for (const [name, perm] of Object.entries(r.topics)) table.set(name, { topicName: name, readQueueNums: 4, writeQueueNums: 4, perm, topicSysFlag: 0 });
  const body = encodeRegisterBrokerBody({
    topicConfigSerializeWrapper: { topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: r.timestamp ?? 1000, counter: r.counter } },
    filterServerList: [],
  }, compressed);
  const addr = r.addr ?? '10.0.0.1:10911';
  const res = await client.invoke(RequestCode.REGISTER_BROKER, {
    clusterName: r.cluster ?? 'C', brokerName: r.broker ?? 'B', brokerAddr: addr, brokerId: '0',
    haServerAddr: addr.replace(/:\d+$/, ':10912'), enableActingMaster: 'false', compressed: 'false', bodyCrc32: String(bodyCrc32(body)),
  }, body);
  return res.code;
}

async function topicList(client: RemotingClient): Promise<string[]> {
  const res = await client.invoke(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
  expect(res.code).toBe(ResponseCode.SUCCESS);
  return ((parseFastjson(res.body?.toString('utf8') ?? '{}') as { topicList: string[] }).topicList).sort();
}

async function route(client: RemotingClient, topic: string): Promise<{ code: number; route: TopicRouteData | null }> {
  const res = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
  return { code: res.code, route: res.code === ResponseCode.SUCCESS ? parseFastjson(res.body?.toString('utf8') ?? '') as TopicRouteData : null };
}

async function wipeWritePerm(client: RemotingClient, brokerName: string): Promise<string | undefined> {
  const res = await client.invoke(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName });
  expect(res.code).toBe(ResponseCode.SUCCESS);
  return res.extFields['wipeTopicCount'];
}

const PATHS = [
  ['embedded', false], ['embedded', true], ['cli', false], ['cli', true],
] as const;

describe.each(PATHS)('issue 22 sequences through the %s server (compressed bodies: %s)', (path, compressed) => {
  it('an equal data version adds a topic the group lacks, whatever the last table held', async () => {
    const client = await start(path);
    const v = { counter: 4, timestamp: 5000 };
    expect(await register(client, { cluster: 'C2', broker: 'B3', addr: 'A1:1', topics: { T5: 6, T0: 6 }, ...v }, compressed)).toBe(0);
    expect(await register(client, { cluster: 'C2', broker: 'B3', addr: 'A1:1', topics: { T2: 6 }, ...v }, compressed)).toBe(0);
    // Java 5.3.3: [T0, T2, T5], T2 routed, and WIPE_WRITE_PERM counts 3.
    expect(await topicList(client)).toEqual(['T0', 'T2', 'T5']);
    const t2 = await route(client, 'T2');
    expect(t2.code).toBe(ResponseCode.SUCCESS);
    expect(t2.route?.queueDatas.map((q) => q.brokerName)).toEqual(['B3']);
    expect(await wipeWritePerm(client, 'B3')).toBe('3');
  });

  it('an equal data version restores a deleted topic after a registration of another table at that version', async () => {
    const client = await start(path);
    expect(await register(client, { topics: { T0: 6, T1: 6 }, counter: 1 }, compressed)).toBe(0);
    const del = await client.invoke(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'T0' });
    expect(del.code).toBe(ResponseCode.SUCCESS);
    expect(await register(client, { topics: { T1: 6, T2: 6 }, counter: 2 }, compressed)).toBe(0);
    expect((await route(client, 'T0')).code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(await register(client, { topics: { T0: 6, T1: 6 }, counter: 2 }, compressed)).toBe(0);
    // Java 5.3.3 restores T0.
    expect((await route(client, 'T0')).route?.queueDatas.map((q) => q.brokerName)).toEqual(['B']);
    expect(await topicList(client)).toEqual(['T0', 'T1', 'T2']);
  });

  it('a topic with PERM_PRIORITY registers the broker, routes perm 14, and WIPE_WRITE_PERM keeps priority and read (12)', async () => {
    const client = await start(path);
    expect(await register(client, { topics: { TP: 14, TQ: 6 }, counter: 1 }, compressed)).toBe(0);
    expect((await route(client, 'TP')).route?.queueDatas[0]?.perm).toBe(14);
    expect((await route(client, 'TQ')).route?.queueDatas[0]?.perm).toBe(6);
    expect(await wipeWritePerm(client, 'B')).toBe('2');
    expect((await route(client, 'TP')).route?.queueDatas[0]?.perm).toBe(12);
    expect((await route(client, 'TQ')).route?.queueDatas[0]?.perm).toBe(4);
    // Every perm PermName defines (0..15) is accepted; 16 is not a perm.
    expect(await register(client, { topics: { TA: 15, TB: 8, TC: 9 }, counter: 2 }, compressed)).toBe(0);
    expect((await route(client, 'TA')).route?.queueDatas[0]?.perm).toBe(15);
    expect((await route(client, 'TC')).route?.queueDatas[0]?.perm).toBe(9);
  });
});
