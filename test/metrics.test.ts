/** NamesrvMetrics: registry event counts, request histograms, bounds, and the Prometheus text format. */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NamesrvMetrics, REQUEST_DURATION_BUCKETS_SECONDS } from '../src/metrics/index.js';
import { InvalidOptionError, RouteRegistry } from '../src/index.js';
import { createHttpServer, type HttpHandlerOptions } from '../src/http/index.js';
import { FakeClock, defaultBroker, registration, slaveBroker, unregistration } from './helpers/registry.js';

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:\\[\\"n]|[^"\\\n])*",?)*\})? (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|\+Inf|-Inf|NaN|Nan)$/;

/**
 * Checks text exposition format 0.0.4 and returns samples as `name{labels}` → value. prom-client writes an
 * event-loop mean without samples as `Nan`, which Prometheus reads as NaN (Go's ParseFloat ignores case).
 */
function parse(text: string): Map<string, number> {
  expect(text.endsWith('\n')).toBe(true);
  const samples = new Map<string, number>();
  const typed = new Map<string, string>();
  const finished = new Set<string>();
  let current: string | null = null;
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue; // the format ignores empty lines; prom-client separates families with one
    const meta = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
    if (meta !== null) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === 'TYPE') {
        expect(['counter', 'gauge', 'histogram']).toContain(rest);
        expect(typed.has(name), `TYPE ${name} once`).toBe(false);
        typed.set(name, rest);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    expect(m, line).not.toBeNull();
    const [, name, labels = '', value] = m as unknown as [string, string, string | undefined, string];
    const family = [...typed.keys()].find((f) => name === f || (typed.get(f) === 'histogram'
      && [`${f}_bucket`, `${f}_sum`, `${f}_count`].includes(name)));
    expect(family, `${name} has a TYPE before it`).toBeDefined();
    if (family !== current) {
      expect(finished.has(family as string), `${family} samples are contiguous`).toBe(false);
      if (current !== null) finished.add(current);
      current = family as string;
    }
    const key = `${name}${labels}`;
    expect(samples.has(key), `${key} once`).toBe(false);
    samples.set(key, value === '+Inf' ? Infinity : value === 'Nan' ? Number.NaN : Number(value));
  }
  return samples;
}

describe('NamesrvMetrics', () => {
  it('counts route lookups per adapter, found or not, for the console route graph', () => {
    const metrics = new NamesrvMetrics();
    expect(metrics.routeLookups('remoting')).toBe(0);
    metrics.observeRouteLookup('remoting', true);
    metrics.observeRouteLookup('remoting', false);
    metrics.observeRouteLookup('http', true);
    expect(metrics.routeLookups('remoting')).toBe(2);
    expect(metrics.routeLookups('http')).toBe(1);
  });

  it('counts registrations and unregistrations by reason, and reads live brokers and topics', async () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    const metrics = new NamesrvMetrics();
    metrics.attach(registry);
    metrics.attach(registry);
    expect(registry.listenerCount('brokerRegistered')).toBe(1);
    expect(registry.listenerCount('topicRouteChanged')).toBe(0);

    registry.registerBroker(registration(defaultBroker(), ['A', 'B']));
    registry.registerBroker(registration(defaultBroker(), ['A', 'B'])); // a heartbeat: not a new registration
    registry.registerBroker(registration(slaveBroker(), ['A', 'B']));
    const other = defaultBroker({ brokerName: 'b2', brokerAddr: '10.0.0.2:1', clusterName: 'c2' });
    registry.registerBroker({ ...registration(other, ['C']), channel: 'ch' });
    let s = parse(await metrics.toPrometheus());
    expect(s.get('rocketmq_namesrv_broker_registrations_total')).toBe(3);
    expect(s.get('rocketmq_namesrv_brokers_live')).toBe(3);
    expect(s.get('rocketmq_namesrv_topics')).toBe(4);

    registry.unregisterBroker(unregistration(slaveBroker()));
    registry.onChannelDestroy('ch');
    clock.advance(200_000);
    registry.scanNotActiveBroker();
    s = parse(await metrics.toPrometheus());
    expect(s.get('rocketmq_namesrv_broker_unregistrations_total{reason="unregister"}')).toBe(1);
    expect(s.get('rocketmq_namesrv_broker_unregistrations_total{reason="channelDestroyed"}')).toBe(1);
    expect(s.get('rocketmq_namesrv_broker_unregistrations_total{reason="expired"}')).toBe(1);
    expect(s.get('rocketmq_namesrv_brokers_live')).toBe(0);

    const detach = metrics.attach(registry);
    detach();
    expect(registry.eventNames()).toEqual([]);
    registry.registerBroker(registration(defaultBroker(), ['A', 'B']));
    s = parse(await metrics.toPrometheus());
    expect(s.get('rocketmq_namesrv_broker_registrations_total')).toBe(3);
    expect(s.get('rocketmq_namesrv_brokers_live')).toBe(0);
  });

  it('records request counts and a cumulative latency histogram in seconds', async () => {
    const metrics = new NamesrvMetrics();
    metrics.observeRequest('remoting', 105, 0.05, true); // ≤ 0.0001 s
    metrics.observeRequest('remoting', '105', 3, true); // ≤ 0.005 s
    metrics.observeRequest('remoting', 105, 1, false); // exactly 0.001 s: `le` is inclusive
    metrics.observeRequest('remoting', 105, 60_000, false); // beyond every bound
    metrics.observeRequest('remoting', 105, Number.NaN, true); // counts as 0
    const s = parse(await metrics.toPrometheus());
    const labels = 'adapter="remoting",operation="105"';
    expect(s.get(`rocketmq_namesrv_requests_total{${labels},outcome="ok"}`)).toBe(3);
    expect(s.get(`rocketmq_namesrv_requests_total{${labels},outcome="error"}`)).toBe(2);
    const bucket = (le: string): number | undefined => s.get(`rocketmq_namesrv_request_duration_seconds_bucket{le="${le}",${labels}}`); // prom-client writes `le` first
    expect(bucket('0.0001')).toBe(2);
    expect(bucket('0.0005')).toBe(2);
    expect(bucket('0.001')).toBe(3);
    expect(bucket('0.005')).toBe(4);
    expect(bucket('10')).toBe(4);
    expect(bucket('+Inf')).toBe(5);
    expect(s.get(`rocketmq_namesrv_request_duration_seconds_count{${labels}}`)).toBe(5);
    expect(s.get(`rocketmq_namesrv_request_duration_seconds_sum{${labels}}`)).toBeCloseTo(60.00405, 9);
    const bounds = [...s.keys()].filter((k) => k.startsWith('rocketmq_namesrv_request_duration_seconds_bucket'));
    expect(bounds).toHaveLength(REQUEST_DURATION_BUCKETS_SECONDS.length + 1);
  });

  it('counts route lookups per adapter', async () => {
    const metrics = new NamesrvMetrics();
    metrics.observeRouteLookup('remoting', true);
    metrics.observeRouteLookup('remoting', false);
    metrics.observeRouteLookup('remoting', false);
    const s = parse(await metrics.toPrometheus());
    expect(s.get('rocketmq_namesrv_route_lookups_total{adapter="remoting",result="found"}')).toBe(1);
    expect(s.get('rocketmq_namesrv_route_lookups_total{adapter="remoting",result="not_found"}')).toBe(2);
  });

  it('bounds distinct operations per adapter; the rest count as "other"', async () => {
    const metrics = new NamesrvMetrics({ maxOperationsPerAdapter: 2 });
    for (let code = 0; code < 1000; code++) metrics.observeRequest('remoting', code, 1, true);
    metrics.observeRequest('remoting', '1', 1, true);
    const s = parse(await metrics.toPrometheus());
    const ops = [...s.keys()].filter((k) => k.startsWith('rocketmq_namesrv_requests_total') && k.includes('outcome="ok"'));
    expect(ops).toHaveLength(3);
    expect(s.get('rocketmq_namesrv_requests_total{adapter="remoting",operation="0",outcome="ok"}')).toBe(1);
    expect(s.get('rocketmq_namesrv_requests_total{adapter="remoting",operation="1",outcome="ok"}')).toBe(2);
    expect(s.get('rocketmq_namesrv_requests_total{adapter="remoting",operation="other",outcome="ok"}')).toBe(998);
  });

  it('escapes label values and honours the prefix', async () => {
    const metrics = new NamesrvMetrics({ prefix: 'my_ns' });
    metrics.observeRequest('http', 'a"b\\c\nd', 1, true);
    const text = await metrics.toPrometheus();
    const s = parse(text);
    expect(s.get('my_ns_requests_total{adapter="http",operation="a\\"b\\\\c\\nd",outcome="ok"}')).toBe(1);
    expect(text).not.toContain('rocketmq_namesrv');
  });

  it('renders a complete, valid exposition with nothing recorded', async () => {
    const s = parse(await new NamesrvMetrics().toPrometheus());
    expect(s.get('rocketmq_namesrv_brokers_live')).toBe(0);
    expect(s.get('rocketmq_namesrv_broker_unregistrations_total{reason="expired"}')).toBe(0);
  });

  it("reports Node's default metrics under their standard names, on its own prom-client registry, not the global one", async () => {
    const { register } = await import('prom-client');
    const before = await register.metrics();
    const metrics = new NamesrvMetrics();
    const s = parse(await metrics.toPrometheus());
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds']) {
      expect(s.has(name), name).toBe(true);
    }
    expect(await metrics.toPrometheus()).toMatch(/^# TYPE nodejs_gc_duration_seconds histogram$/m);
    expect(await register.metrics()).toBe(before);
    expect(metrics.promRegistry).not.toBe(register);
    const off = parse(await new NamesrvMetrics({ processMetrics: false }).toPrometheus());
    expect([...off.keys()].every((k) => k.startsWith('rocketmq_namesrv_'))).toBe(true);
  });

  it.each([
    [{ prefix: '9bad' }],
    [{ prefix: 'has space' }],
    [{ maxOperationsPerAdapter: 0 }],
    [{ maxOperationsPerAdapter: 1.5 }],
  ])('rejects %o', (options) => {
    expect(() => new NamesrvMetrics(options)).toThrow(InvalidOptionError);
  });
});

describe('GET /metrics', () => {
  async function scrape(registry: RouteRegistry, options: HttpHandlerOptions, paths: string[]): Promise<{ status: number; type: string; text: string }> {
    const server = createHttpServer(registry, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const get = (path: string): Promise<{ status: number; type: string; text: string }> => new Promise((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', text }));
      }).on('error', reject).end();
    });
    try {
      for (const path of paths) await get(path);
      return await get('/metrics');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it('serves HTTP request, lookup and registry metrics in text format 0.0.4', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['T']));
    const r = await scrape(registry, {}, ['/topics/T/route', '/topics/T/route', '/topics/nope/route', '/nope', '/health']);
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const s = parse(r.text);
    const route = 'adapter="http",operation="GET /topics/:topic/route"';
    expect(s.get(`rocketmq_namesrv_requests_total{${route},outcome="ok"}`)).toBe(2);
    expect(s.get(`rocketmq_namesrv_requests_total{${route},outcome="error"}`)).toBe(1);
    expect(s.get(`rocketmq_namesrv_request_duration_seconds_count{${route}}`)).toBe(3);
    expect(s.get('rocketmq_namesrv_requests_total{adapter="http",operation="unmatched",outcome="error"}')).toBe(1);
    expect(s.get('rocketmq_namesrv_requests_total{adapter="http",operation="GET /health",outcome="ok"}')).toBe(1);
    expect(s.get('rocketmq_namesrv_route_lookups_total{adapter="http",result="found"}')).toBe(2);
    expect(s.get('rocketmq_namesrv_route_lookups_total{adapter="http",result="not_found"}')).toBe(1);
    expect(s.get('rocketmq_namesrv_brokers_live')).toBe(1);
    expect(s.get('rocketmq_namesrv_topics')).toBe(2);
  });

  it('uses a shared instance, and answers 404 when metrics are off', async () => {
    const registry = new RouteRegistry();
    const metrics = new NamesrvMetrics();
    metrics.observeRequest('remoting', 105, 1, true);
    const shared = parse((await scrape(registry, { metrics }, [])).text);
    expect(shared.get('rocketmq_namesrv_requests_total{adapter="remoting",operation="105",outcome="ok"}')).toBe(1);
    // A metrics instance the caller passed stays attached after the server closes.
    expect(registry.listenerCount('brokerRegistered')).toBe(1);
    const off = await scrape(new RouteRegistry(), { metrics: false }, []);
    expect(off.status).toBe(404);
  });
});
