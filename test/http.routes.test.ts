/** The HTTP adapter's endpoints over loopback: registry reads and writes, KV, odd names, basePath. */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { KvConfigStore, RouteRegistry } from '../src/index.js';
import { createHttpHandler } from '../src/http/index.js';
import { httpFixtures } from './helpers/http.js';
import { FakeClock, defaultBroker, registration, slaveBroker, unregistration } from './helpers/registry.js';

const { start, call, listen } = httpFixtures();

const enc = encodeURIComponent;
const packageVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('HTTP adapter: registry endpoints', () => {
  it('GET /health reports readiness and counts', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['TopicA']));
    await start(registry);
    const r = await call('GET', '/health');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.json).toEqual({
      status: 'ok', version: packageVersion, uptimeSeconds: expect.any(Number), brokers: 1, topics: 2, streams: 0,
    });
  });

  it('POST /brokers registers and answers RegisterBrokerResult; a slave learns its master', async () => {
    const registry = new RouteRegistry();
    await start(registry);
    const master = defaultBroker();
    const r1 = await call('POST', '/brokers', registration(master, ['TopicA']));
    expect(r1.status).toBe(200);
    expect(r1.json).toEqual({ haServerAddr: null, masterAddr: null });
    const r2 = await call('POST', '/brokers', registration(slaveBroker(), ['TopicA']));
    expect(r2.json).toEqual({ haServerAddr: master.haServerAddr, masterAddr: master.brokerAddr });
    expect(registry.liveBrokerCount).toBe(2);
  });

  it('a first registration carrying exactly one topic is refused with 409', async () => {
    const registry = new RouteRegistry();
    await start(registry);
    const req = registration(defaultBroker(), []);
    req.topicConfigWrapper = { topicConfigTable: { only: { topicName: 'only', readQueueNums: 1, writeQueueNums: 1, perm: 6 } },
      dataVersion: { timestamp: 1, counter: 1 } };
    const r = await call('POST', '/brokers', req);
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ code: 'ERR_REGISTRATION_REFUSED' });
  });

  it('GET /topics/:topic/route answers the route as standard JSON (string brokerId keys)', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['TopicA']));
    registry.registerBroker(registration(slaveBroker(), ['TopicA']));
    await start(registry);
    const r = await call('GET', '/topics/TopicA/route');
    expect(r.status).toBe(200);
    expect(r.json).toEqual(JSON.parse(JSON.stringify(registry.getRouteInfoByTopic('TopicA'))));
    expect(r.text).toContain('"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:30911"}');
  });

  it('an unknown topic answers 404 with RocketMQ remark', async () => {
    await start(new RouteRegistry());
    const r = await call('GET', '/topics/nope/route');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ code: 'ERR_TOPIC_NOT_EXIST', message: 'No topic route info in name server for the topic: nope' });
  });

  it('topic names are URL-decoded per segment: slashes, dots, __proto__, spaces, unicode, empty', async () => {
    const odd = ['a/b', '__proto__', 'constructor', 'toString', '..', '.', '%', 'with space', 'ünï?#&', ''];
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), odd));
    await start(registry);
    for (const topic of odd) {
      const r = await call('GET', `/topics/${enc(topic)}/route`);
      expect(r.status, topic).toBe(200);
      expect(r.json, topic).toEqual(JSON.parse(JSON.stringify(registry.getRouteInfoByTopic(topic))));
    }
    const list = await call('GET', '/topics');
    expect(new Set((list.json as { topicList: string[] }).topicList)).toEqual(new Set([...odd, 'baseTopic']));
    expect(Object.getPrototypeOf(list.json)).toBe(Object.prototype);
  });

  it('a JSON body naming a topic __proto__ registers it without touching any prototype', async () => {
    const registry = new RouteRegistry();
    await start(registry);
    const body = registration(defaultBroker(), ['__proto__']);
    expect(JSON.stringify(body)).toContain('"__proto__":{"topicName":"__proto__"');
    expect((await call('POST', '/brokers', body)).status).toBe(200);
    expect((await call('GET', '/topics/__proto__/route')).status).toBe(200);
    expect(registry.getRouteInfoByTopic('__proto__')?.queueDatas).toHaveLength(1);
    expect(({} as Record<string, unknown>).topicName).toBeUndefined();
  });

  it('broker and cluster names like __proto__ come back as own keys', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker({ clusterName: '__proto__', brokerName: '__proto__' }), ['T']));
    await start(registry);
    const r = await call('GET', '/cluster');
    expect(r.status).toBe(200);
    const info = r.json as { brokerAddrTable: Record<string, unknown>; clusterAddrTable: Record<string, string[]> };
    expect(Object.hasOwn(info.brokerAddrTable, '__proto__')).toBe(true);
    expect(Object.hasOwn(info.clusterAddrTable, '__proto__')).toBe(true);
    expect(info).toEqual(JSON.parse(JSON.stringify(registry.getAllClusterInfo())));
    const topics = await call('GET', `/clusters/${enc('__proto__')}/topics`);
    expect(new Set((topics.json as { topicList: string[] }).topicList)).toEqual(new Set(['T', 'baseTopic']));
  });

  it('GET /topics and GET /clusters/:cluster/topics list topics; an unknown cluster has none', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['A', 'B']));
    registry.registerBroker(registration(defaultBroker({ clusterName: 'c2', brokerName: 'b2', brokerAddr: '10.0.0.2:10911' }), ['C', 'D']));
    await start(registry);
    const all = await call('GET', '/topics');
    expect(new Set((all.json as { topicList: string[] }).topicList)).toEqual(new Set(['A', 'B', 'C', 'D', 'baseTopic']));
    const c2 = await call('GET', '/clusters/c2/topics');
    expect(new Set((c2.json as { topicList: string[] }).topicList)).toEqual(new Set(['C', 'D', 'baseTopic']));
    expect((await call('GET', '/clusters/none/topics')).json).toEqual({ topicList: [] });
  });

  it('DELETE /brokers unregisters one broker or a batch', async () => {
    const registry = new RouteRegistry();
    const a = defaultBroker();
    const b = slaveBroker();
    const c = defaultBroker({ brokerName: 'other', brokerAddr: '10.0.0.3:10911' });
    for (const info of [a, b, c]) registry.registerBroker(registration(info, ['T']));
    await start(registry);
    const r1 = await call('DELETE', '/brokers', unregistration(c));
    expect(r1.status).toBe(204);
    expect(r1.text).toBe('');
    expect(registry.liveBrokerCount).toBe(2);
    const r2 = await call('DELETE', '/brokers', [unregistration(a), unregistration(b)]);
    expect(r2.status).toBe(204);
    expect(registry.liveBrokerCount).toBe(0);
    expect((await call('GET', '/topics/T/route')).status).toBe(404);
  });

  it('POST /brokers/heartbeat refreshes a live broker and answers 404 for an unknown one', async () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    const info = defaultBroker();
    registry.registerBroker(registration(info, ['T']));
    await start(registry);
    clock.advance(100_000);
    const hb = await call('POST', '/brokers/heartbeat', { clusterName: info.clusterName, brokerAddr: info.brokerAddr });
    expect(hb.status).toBe(204);
    clock.advance(100_000);
    expect(registry.scanNotActiveBroker()).toBe(0);
    const unknown = await call('POST', '/brokers/heartbeat', { clusterName: info.clusterName, brokerAddr: '1.2.3.4:1' });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'ERR_BROKER_NOT_LIVE' });
    const invalid = await call('POST', '/brokers/heartbeat', { clusterName: info.clusterName });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ code: 'ERR_INVALID_REQUEST', field: 'brokerAddr' });
  });

  it('wipe-write-perm and add-write-perm change perms and count topics', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['T']));
    await start(registry);
    const wipe = await call('POST', `/brokers/${enc(defaultBroker().brokerName)}/wipe-write-perm`);
    expect(wipe.json).toEqual({ wipeTopicCount: 2 });
    expect(registry.getRouteInfoByTopic('T')?.queueDatas[0]?.perm).toBe(4);
    const add = await call('POST', `/brokers/${enc(defaultBroker().brokerName)}/add-write-perm`);
    expect(add.json).toEqual({ addTopicCount: 2 });
    expect(registry.getRouteInfoByTopic('T')?.queueDatas[0]?.perm).toBe(6);
    expect((await call('POST', '/brokers/unknown/wipe-write-perm')).json).toEqual({ wipeTopicCount: 0 });
  });

  it('DELETE /topics/:topic removes a topic, optionally within one cluster', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['a/b', 'X']));
    await start(registry);
    expect((await call('DELETE', `/topics/${enc('a/b')}`)).status).toBe(204);
    expect(registry.getRouteInfoByTopic('a/b')).toBeNull();
    expect((await call('DELETE', '/topics/X?cluster=elsewhere')).status).toBe(204);
    expect(registry.getRouteInfoByTopic('X')).not.toBeNull();
    expect((await call('DELETE', `/topics/X?cluster=${enc(defaultBroker().clusterName)}`)).status).toBe(204);
    expect(registry.getRouteInfoByTopic('X')).toBeNull();
  });

  it('HEAD is served as GET without a body', async () => {
    await start(new RouteRegistry());
    const r = await call('HEAD', '/health');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(Number(r.headers['content-length'])).toBeGreaterThan(0);
  });

  it('works behind a framework that already parsed the body into req.body', async () => {
    const registry = new RouteRegistry();
    const handler = createHttpHandler(registry, { metrics: false });
    const s = createServer((req: IncomingMessage & { body?: unknown }, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (chunks.length > 0) req.body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        handler(req, res);
      });
    });
    await listen(s);
    expect((await call('POST', '/brokers', registration(defaultBroker(), ['T']))).status).toBe(200);
    expect(registry.getRouteInfoByTopic('T')).not.toBeNull();
    expect((await call('POST', '/brokers')).status).toBe(400);
  });

  it('basePath mounts every route under a prefix', async () => {
    await start(new RouteRegistry(), { basePath: '/namesrv' });
    expect((await call('GET', '/namesrv/health')).status).toBe(200);
    expect((await call('GET', '/namesrv/topics')).json).toEqual({ topicList: [] });
    expect((await call('GET', '/health')).status).toBe(404);
    expect((await call('GET', '/namesrvx/health')).status).toBe(404);
  });
});

describe('HTTP adapter: KV endpoints', () => {
  it('answer 501 without a KV store', async () => {
    await start(new RouteRegistry());
    const r = await call('GET', '/kv/ns/k');
    expect(r.status).toBe(501);
    expect(r.json).toMatchObject({ code: 'ERR_KV_DISABLED' });
  });

  it('PUT, GET, list and DELETE entries, odd names included', async () => {
    const kvConfig = new KvConfigStore();
    await start(new RouteRegistry(), { kvConfig });
    const ns = 'ORDER/TOPIC';
    expect((await call('PUT', `/kv/${enc(ns)}/__proto__`, { value: 'broker-a:8' })).status).toBe(204);
    expect((await call('PUT', `/kv/${enc(ns)}/${enc('a b')}`, { value: 'v2' })).status).toBe(204);
    expect(kvConfig.get(ns, '__proto__')).toBe('broker-a:8');
    expect((await call('GET', `/kv/${enc(ns)}/__proto__`)).json).toEqual({ value: 'broker-a:8' });
    const list = await call('GET', `/kv/${enc(ns)}`);
    expect(list.text).toBe('{"__proto__":"broker-a:8","a b":"v2"}');
    expect((await call('DELETE', `/kv/${enc(ns)}/__proto__`)).status).toBe(204);
    const gone = await call('GET', `/kv/${enc(ns)}/__proto__`);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ code: 'ERR_KV_NOT_FOUND' });
    expect((await call('DELETE', `/kv/${enc(ns)}/${enc('a b')}`)).status).toBe(204);
    // An emptied namespace answers whatever the store says: `{}` (as RocketMQ) or unknown.
    const emptied = await call('GET', `/kv/${enc(ns)}`);
    const expected = kvConfig.getKVListByNamespace(ns);
    if (expected === null) expect(emptied.status).toBe(404);
    else expect(emptied.json).toEqual(expected);
  });

  it('PUT needs a string value', async () => {
    await start(new RouteRegistry(), { kvConfig: new KvConfigStore() });
    const r = await call('PUT', '/kv/ns/k', { value: 3 });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'ERR_INVALID_REQUEST', field: 'value' });
  });
});
