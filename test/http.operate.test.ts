/**
 * What an operator relies on over HTTP: live broker details (`/brokers`), KV
 * namespaces, health probes, the address server, bearer tokens, server
 * limits, metrics names, and event streams that resume after a reconnect.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { KvConfigStore, RouteRegistry, VERSION } from '../src/index.js';
import { NamesrvMetrics } from '../src/metrics/index.js';
import { HTTP_SERVER_DEFAULTS, createHttpServer } from '../src/http/index.js';
import { httpFixtures } from './helpers/http.js';
import { FakeClock, defaultBroker, registration, slaveBroker, unregistration } from './helpers/registry.js';

const { start, call, port } = httpFixtures();
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** A raw event stream: the text received so far, parsed into `{ id, event, data }` blocks on demand. */
class RawStream {
  text = '';
  status = 0;
  private constructor(readonly req: ClientRequest) {}

  static open(p: number, path: string, headers: Record<string, string> = {}): Promise<RawStream> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: p, path, headers, agent: false }, (res) => {
        const s = new RawStream(req);
        s.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          s.text += c;
        });
        res.on('error', () => undefined);
        resolve(s);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Complete blocks: comments dropped, fields kept. */
  get blocks(): Array<{ id?: string; event?: string; data?: string }> {
    return this.text.split('\n\n').slice(0, -1).map((block) => {
      const out: { id?: string; event?: string; data?: string } = {};
      for (const line of block.split('\n')) {
        const m = /^(id|event|data): (.*)$/.exec(line);
        if (m !== null) out[m[1] as 'id' | 'event' | 'data'] = m[2] as string;
      }
      return out;
    });
  }

  get events() {
    return this.blocks.filter((b) => b.event !== undefined);
  }

  /** The last id received, events or bare ids alike (what an EventSource would send back). */
  get lastId(): string {
    return this.blocks.filter((b) => b.id !== undefined).at(-1)?.id ?? '';
  }

  async until(test: () => boolean): Promise<void> {
    for (let i = 0; i < 100 && !test(); i++) await new Promise((r) => setTimeout(r, 20));
    if (!test()) throw new Error(`timed out; received ${JSON.stringify(this.text)}`);
  }

  close(): void {
    this.req.destroy();
  }
}

const master = defaultBroker({ brokerName: 'broker-a', brokerAddr: '10.0.0.1:10911' });
const slave = slaveBroker({ brokerName: 'broker-a', brokerAddr: '10.0.0.2:10911' });

describe('GET /brokers and GET /kv', () => {
  it('lists every live address with every field, on the registry clock, updated by heartbeats', async () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    registry.registerBroker(registration(master, ['T1', 'T2'], { zoneName: 'zone-1', heartbeatTimeoutMillis: 30_000 }));
    clock.advance(1_000);
    registry.registerBroker(registration(slave, ['T1', 'T2'], { haServerAddr: undefined, zoneName: 'zone-1' }));
    await start(registry);
    const r = await call('GET', '/brokers');
    expect(r.status).toBe(200);
    expect(r.headers['x-namesrv-now']).toBe(String(clock.time));
    const list = r.json as Array<Record<string, unknown>>;
    expect(list).toHaveLength(2);
    const keys = ['clusterName', 'brokerName', 'brokerId', 'brokerAddr', 'haServerAddr', 'zoneName',
      'lastUpdateTimestamp', 'heartbeatTimeoutMillis', 'dataVersion'];
    for (const b of list) expect(Object.keys(b).sort()).toEqual([...keys].sort());
    const m = list.find((b) => b.brokerId === 0);
    expect(m).toMatchObject({
      clusterName: master.clusterName, brokerName: 'broker-a', brokerAddr: '10.0.0.1:10911', zoneName: 'zone-1',
      lastUpdateTimestamp: clock.time - 1_000, heartbeatTimeoutMillis: 30_000, dataVersion: master.dataVersion,
    });
    const s = list.find((b) => b.brokerId === 1);
    expect(s).toMatchObject({ haServerAddr: null, heartbeatTimeoutMillis: 120_000, lastUpdateTimestamp: clock.time });
    clock.advance(5_000);
    registry.updateBrokerInfoUpdateTimestamp(master.clusterName, master.brokerAddr);
    const after = (await call('GET', '/brokers')).json as Array<{ brokerId: number; lastUpdateTimestamp: number }>;
    expect(after.find((b) => b.brokerId === 0)?.lastUpdateTimestamp).toBe(clock.time);
    registry.unregisterBroker(unregistration(slave));
    expect(((await call('GET', '/brokers')).json as unknown[]).length).toBe(1);
  });

  it('GET /kv lists namespaces, including odd names, from the handler\'s store or else the registry\'s; none without a store', async () => {
    const kvConfig = new KvConfigStore();
    kvConfig.put('ORDER_TOPIC_CONFIG', 'T', 'broker-a:4');
    kvConfig.put('__proto__', 'k', 'v');
    await start(new RouteRegistry(), { kvConfig });
    expect((await call('GET', '/kv')).json).toEqual({ namespaces: ['ORDER_TOPIC_CONFIG', '__proto__'] });
    await start(new RouteRegistry({ kvConfig }));
    expect((await call('GET', '/kv')).json).toEqual({ namespaces: ['ORDER_TOPIC_CONFIG', '__proto__'] });
    await start(new RouteRegistry());
    const none = await call('GET', '/kv');
    expect([none.status, none.json]).toEqual([200, { namespaces: [] }]);
  });
});

describe('health, readiness and the address server', () => {
  it('/health reports version and uptime; live stays 200; ready follows the ready option and closing', async () => {
    let ready = false;
    const server = await start(new RouteRegistry(), { ready: () => ready });
    const h = (await call('GET', '/health')).json as { version: string; uptimeSeconds: number };
    expect(h.version).toBe(pkg.version);
    expect(VERSION).toBe(pkg.version);
    expect(Number.isInteger(h.uptimeSeconds) && h.uptimeSeconds >= 0).toBe(true);
    expect((await call('GET', '/health/live')).status).toBe(200);
    const notReady = await call('GET', '/health/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.json).toEqual({ status: 'not-ready' });
    ready = true;
    expect((await call('GET', '/health/ready')).json).toEqual({ status: 'ready' });
    server.handler.close();
    expect((await call('GET', '/health/ready')).json).toEqual({ status: 'closing' });
    expect((await call('GET', '/health/live')).status).toBe(200);
  });

  it('GET /rocketmq/nsaddr answers the configured list as text, under basePath; 404 without one', async () => {
    await start(new RouteRegistry(), { nsAddrs: ['10.0.0.1:9876', '10.0.0.2:9876'] });
    const r = await call('GET', '/rocketmq/nsaddr');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.text).toBe('10.0.0.1:9876;10.0.0.2:9876');
    await start(new RouteRegistry(), { nsAddrs: ' 10.0.0.3:9876 ; [::1]:9876 ', basePath: '/ns' });
    expect((await call('GET', '/ns/rocketmq/nsaddr')).text).toBe('10.0.0.3:9876;[::1]:9876');
    await start(new RouteRegistry());
    expect((await call('GET', '/rocketmq/nsaddr')).status).toBe(404);
    expect(() => createHttpServer(new RouteRegistry(), { nsAddrs: ['no-port'] })).toThrow(/host:port/);
  });
});

describe('bearer tokens', () => {
  const tokens = [
    { token: 'reader', roles: ['client'] as const },
    { token: 'broker', roles: ['broker'] as const },
    { token: 'admin', roles: ['admin'] as const },
  ];
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it('reads need client, registration needs broker, other writes admin; missing 401, short 403', async () => {
    const registry = new RouteRegistry();
    await start(registry, { tokens });
    const anonymous = await call('GET', '/cluster');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer /);
    expect((await call('GET', '/cluster', undefined, bearer('nope'))).status).toBe(401);
    expect((await call('GET', '/cluster', undefined, bearer('reader'))).status).toBe(200);
    expect((await call('GET', '/events', undefined, { ...bearer('broker') })).status).toBe(403);

    const reg = registration(master, ['T1', 'T2']);
    expect((await call('POST', '/brokers', reg)).status).toBe(401);
    expect((await call('POST', '/brokers', reg, bearer('reader'))).status).toBe(403);
    expect(registry.liveBrokerCount).toBe(0);
    expect((await call('POST', '/brokers', reg, bearer('broker'))).status).toBe(200);
    const beat = { clusterName: master.clusterName, brokerAddr: master.brokerAddr };
    expect((await call('POST', '/brokers/heartbeat', beat, bearer('broker'))).status).toBe(204);
    const wipe = await call('POST', '/brokers/broker-a/wipe-write-perm', undefined, bearer('broker'));
    expect(wipe.status).toBe(403);
    expect(wipe.json).toMatchObject({ code: 'ERR_FORBIDDEN' });
    expect(registry.getRouteInfoByTopic('T1')?.queueDatas[0]?.perm).toBe(6);
    // admin grants every role.
    expect((await call('POST', '/brokers/broker-a/wipe-write-perm', undefined, bearer('admin'))).status).toBe(200);
    expect((await call('GET', '/topics', undefined, bearer('admin'))).status).toBe(200);
    // Unregistering is not registration or heartbeat: an admin write over HTTP.
    expect((await call('DELETE', '/brokers', unregistration(master), bearer('broker'))).status).toBe(403);
    expect(registry.liveBrokerCount).toBe(1);
    expect((await call('DELETE', '/brokers', unregistration(master), bearer('admin'))).status).toBe(204);
    expect(registry.liveBrokerCount).toBe(0);
  });

  it('probes, the address server and the console page need no token', async () => {
    await start(new RouteRegistry(), { tokens, nsAddrs: '10.0.0.1:9876' });
    for (const path of ['/health', '/health/live', '/health/ready', '/rocketmq/nsaddr', '/']) {
      expect((await call('GET', path)).status, path).toBe(200);
    }
    expect((await call('GET', '/metrics')).status).toBe(401);
  });

  it('rejects malformed token options', () => {
    expect(() => createHttpServer(new RouteRegistry(), { tokens: [{ token: '', roles: ['client'] }] })).toThrow(/token/);
    expect(() => createHttpServer(new RouteRegistry(), {
      tokens: [{ token: 't', roles: ['root' as 'admin'] }],
    })).toThrow(/roles/);
  });
});

describe('server limits and the console route', () => {
  it('createHttpServer applies timeouts and a connection cap, with defaults', () => {
    const d = createHttpServer(new RouteRegistry());
    expect([d.headersTimeout, d.requestTimeout, d.keepAliveTimeout, d.maxConnections]).toEqual([
      HTTP_SERVER_DEFAULTS.headersTimeoutMillis, HTTP_SERVER_DEFAULTS.requestTimeoutMillis,
      HTTP_SERVER_DEFAULTS.keepAliveTimeoutMillis, HTTP_SERVER_DEFAULTS.maxConnections,
    ]);
    const s = createHttpServer(new RouteRegistry(), {
      headersTimeoutMillis: 2_000, requestTimeoutMillis: 3_000, keepAliveTimeoutMillis: 1_000, maxConnections: 7,
    });
    expect([s.headersTimeout, s.requestTimeout, s.keepAliveTimeout, s.maxConnections]).toEqual([2_000, 3_000, 1_000, 7]);
    expect(() => createHttpServer(new RouteRegistry(), { maxConnections: 0 })).toThrow(/maxConnections/);
  });

  it('GET / serves one self-contained page with a strict policy, the base path escaped; console: false turns it off', async () => {
    await start(new RouteRegistry(), { basePath: '/a"b<c' });
    const r = await call('GET', '/a"b<c/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toMatch(/default-src 'none'.*connect-src 'self'/);
    expect(r.text).toContain('content="/a&#34;b&#60;c"');
    // Nothing from another origin: no absolute URLs in src/href attributes.
    expect(r.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    await start(new RouteRegistry(), { console: false });
    expect((await call('GET', '/')).status).toBe(404);
  });
});

describe('metrics', () => {
  it('labels request codes by name, folds unknown codes into UNKNOWN, and reports process and build info', async () => {
    const metrics = new NamesrvMetrics({ requestCodeNames: new Map([[103, 'REGISTER_BROKER'], [105, 'GET_ROUTEINFO_BY_TOPIC']]) });
    metrics.observeRequest('remoting', 103, 1, true);
    metrics.observeRequest('remoting', 105, 1, true);
    for (let code = 5000; code < 5100; code++) metrics.observeRequest('remoting', code, 1, false);
    await start(new RouteRegistry(), { metrics });
    const text = (await call('GET', '/metrics')).text;
    expect(text).toContain('rocketmq_namesrv_requests_total{adapter="remoting",operation="REGISTER_BROKER",outcome="ok"} 1');
    expect(text).toContain('rocketmq_namesrv_requests_total{adapter="remoting",operation="GET_ROUTEINFO_BY_TOPIC",outcome="ok"} 1');
    expect(text).toContain('rocketmq_namesrv_requests_total{adapter="remoting",operation="UNKNOWN",outcome="error"} 100');
    expect(text).not.toMatch(/operation="5\d{3}"/);
    expect(text).toContain(`rocketmq_namesrv_build_info{version="${pkg.version}"} 1`);
    // Node's default metrics, under the standard names dashboards query.
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes',
      'nodejs_heap_size_total_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(text).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
    // The server's own connection (this scrape) is counted.
    expect(text).toMatch(/^rocketmq_namesrv_open_connections\{adapter="http"\} [1-9]/m);
  });

  it('names given later relabel codes seen before; the page does not grow with topics', async () => {
    const metrics = new NamesrvMetrics();
    metrics.observeRequest('remoting', 105, 1, true);
    metrics.nameRequestCodes(new Map([[105, 'GET_ROUTEINFO_BY_TOPIC']]));
    metrics.observeRequest('remoting', 105, 1, true);
    const registry = new RouteRegistry();
    await start(registry, { metrics });
    const before = (await call('GET', '/metrics')).text.split('\n').length;
    registry.registerBroker(registration(master, Array.from({ length: 500 }, (_, i) => `T${i}`)));
    for (const t of ['T1', 'T2', 'T3', 'nope']) await call('GET', `/topics/${t}/route`);
    const text = (await call('GET', '/metrics')).text;
    expect(text).toContain('operation="GET_ROUTEINFO_BY_TOPIC",outcome="ok"} 1');
    expect(text).not.toContain('T1');
    // New series only for the one route pattern and the /metrics scrape itself, not per topic.
    expect(text.split('\n').length - before).toBeLessThan(60);
  });
});

describe('event streams that survive reconnects', () => {
  it('numbers every event; Last-Event-ID replays what was missed, in order', async () => {
    const registry = new RouteRegistry();
    await start(registry);
    const keeper = await RawStream.open(port(), '/events');
    await keeper.until(() => keeper.text.includes(': ready'));
    const first = await RawStream.open(port(), '/events');
    await first.until(() => first.text.includes(': ready'));
    registry.registerBroker(registration(master, ['T1', 'T2']));
    await first.until(() => first.events.length === 1);
    expect(first.events[0]?.id).toMatch(/^[\w-]+-\d+$/);
    const seen = first.lastId;
    first.close();
    registry.registerBroker(registration(slave, ['T1', 'T2']));
    registry.unregisterBroker(unregistration(master));
    await keeper.until(() => keeper.events.length === 3);
    const again = await RawStream.open(port(), '/events', { 'last-event-id': seen });
    await again.until(() => again.events.length === 2);
    expect(again.events.map((e) => e.event)).toEqual(['brokerRegistered', 'brokerUnregistered']);
    expect(again.events.map((e) => e.id)).toEqual(keeper.events.slice(1).map((e) => e.id));
    keeper.close();
    again.close();
  });

  it('a gap older than the buffer, an unknown id, or a pause with nobody listening gets an explicit reset', async () => {
    const registry = new RouteRegistry();
    const server = await start(registry, { eventReplayLength: 2 });
    const keeper = await RawStream.open(port(), '/events');
    await keeper.until(() => keeper.text.includes(': ready'));
    const old = keeper.lastId;
    for (let i = 0; i < 3; i++) registry.registerBroker(registration(defaultBroker({ brokerAddr: `10.0.9.${i}:10911` }), ['T1', 'T2']));
    await keeper.until(() => keeper.events.length === 3);
    const late = await RawStream.open(port(), '/events', { 'last-event-id': old });
    await late.until(() => late.events.length === 1);
    expect(late.events[0]).toMatchObject({ event: 'reset', data: '{"reason":"too-old"}' });
    const stranger = await RawStream.open(port(), '/events', { 'last-event-id': 'another-server-5' });
    await stranger.until(() => stranger.events.length === 1);
    expect(stranger.events[0]).toMatchObject({ event: 'reset', data: '{"reason":"unknown-id"}' });
    // Everyone leaves: nothing listens, so a client back from then cannot be caught up.
    const last = keeper.lastId;
    for (const s of [keeper, late, stranger]) s.close();
    for (let i = 0; i < 100 && server.handler.streamCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.handler.streamCount).toBe(0);
    const back = await RawStream.open(port(), '/events', { 'last-event-id': last });
    await back.until(() => back.events.length === 1);
    expect(back.events[0]?.event).toBe('reset');
    back.close();
  });

  it('route-change events resume too, and the route-watch stream opens with a comment', async () => {
    const registry = new RouteRegistry();
    await start(registry);
    const a = await RawStream.open(port(), '/events?routes=1');
    await a.until(() => a.text.includes(': ready'));
    const b = await RawStream.open(port(), '/events?routes=1');
    await b.until(() => b.text.includes(': ready'));
    const seen = b.lastId;
    b.close();
    registry.registerBroker(registration(master, ['T1', 'T2']));
    await a.until(() => a.events.some((e) => e.event === 'topicRouteChanged'));
    const resumed = await RawStream.open(port(), '/events?routes=1', { 'last-event-id': seen });
    await resumed.until(() => resumed.events.length === a.events.length);
    expect(resumed.events).toEqual(a.events);
    const watch = await RawStream.open(port(), '/topics/T1/route?watch=1');
    await watch.until(() => watch.events.length === 1);
    expect(watch.text.startsWith(': ready\n\n')).toBe(true);
    expect(watch.events[0]?.id).toBeDefined();
    for (const s of [a, resumed, watch]) s.close();
  });
});
