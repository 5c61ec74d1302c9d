/**
 * What the console reads besides the JSON API, over loopback HTTP: its script
 * (typed source bundled on first use here, a constant in dist/), graph samples
 * from a bounded history, broker timelines, recent route requesters, a
 * group's topics, and many routes in one request. The sampler runs on an
 * injected clock and is driven by hand, so nothing waits for real time.
 */
import { describe, expect, it } from 'vitest';
import { Controller } from '../src/controller/controller.js';
import { RouteRegistry } from '../src/index.js';
import { CONSOLE_HISTORY_DEFAULTS } from '../src/http/index.js';
import { resolveConsoleHistoryOptions } from '../src/http/console/history-options.js';
import { ConsoleHistory } from '../src/http/console/history.js';
import { RecentNotApplied } from '../src/http/console/not-applied.js';
import { RecentRequesters } from '../src/http/console/requesters.js';
import { BrokerTimelines } from '../src/http/console/timeline.js';
import { httpFixtures } from './helpers/http.js';
import { FakeClock, defaultBroker, nextVersion, registration, slaveBroker, topicConfig, unregistration } from './helpers/registry.js';

const { start, call } = httpFixtures();

const brokerA = defaultBroker({ clusterName: 'C1', brokerName: 'broker-a', brokerAddr: '10.0.0.1:10911' });
const brokerA1 = slaveBroker({ clusterName: 'C1', brokerName: 'broker-a', brokerAddr: '10.0.0.2:10911' });
const brokerB = defaultBroker({ clusterName: 'C1', brokerName: 'broker-b', brokerAddr: '10.0.0.3:10911' });
/** Names a page must treat as data. */
const ODD = ['__proto__', 'constructor', 'a/b%2Fc', '<script>alert(1)</script>', 'x,y'];

/** A history on `registry` whose timer never fires during a test: samples are taken by hand. */
function manualHistory(registry: RouteRegistry, extra: Parameters<typeof resolveConsoleHistoryOptions>[0] = {}): ConsoleHistory {
  const options = resolveConsoleHistoryOptions({ intervalMillis: 3_600_000, ...extra });
  if (options === null) throw new Error('history is on');
  return new ConsoleHistory(registry, options);
}

describe('console script and page', () => {
  it('serves the bundled script at /console.js, and a page that loads only it (script-src self)', async () => {
    await start(new RouteRegistry(), { basePath: '/ns' });
    const page = await call('GET', '/ns/');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.text).toContain('<script src="/ns/console.js" defer></script>');
    expect(page.text).not.toMatch(/<script>/);
    const script = await call('GET', '/ns/console.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // One IIFE holding the console and uPlot, with uPlot's licence notice.
    expect(script.text).toMatch(/^\/\*! uPlot/);
    expect(script.text).toContain('stats/history');
    expect(script.text.length).toBeGreaterThan(20_000);
  });

  it('tells the page whether a controller is attached (its link and page show only then)', async () => {
    await start(new RouteRegistry());
    expect((await call('GET', '/')).text).toContain('<meta name="namesrv-controller" content="0">');
    const controller = new Controller();
    await start(new RouteRegistry(), { controller });
    expect((await call('GET', '/')).text).toContain('<meta name="namesrv-controller" content="1">');
    expect((await call('GET', '/console.js')).text).toContain('Controller not enabled');
    await controller.close();
  });

  it('with console: false serves neither the page, its script nor (unless asked) the history', async () => {
    await start(new RouteRegistry(), { console: false });
    expect((await call('GET', '/')).status).toBe(404);
    expect((await call('GET', '/console.js')).status).toBe(404);
    // Nobody draws the graphs, so no sampler runs, unless asked for.
    expect((await call('GET', '/stats/history')).status).toBe(404);
    await start(new RouteRegistry(), { console: false, consoleHistory: {} });
    expect((await call('GET', '/stats/history')).status).toBe(200);
  });
});

describe('GET /routes (many topics in one request)', () => {
  it('answers each topic asked, in order, null for none; odd names are plain data', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(brokerA, ['T1', ...ODD]));
    await start(registry);
    const names = ['T1', 'missing', ...ODD];
    const r = await call('GET', `/routes?${names.map((t) => `topic=${encodeURIComponent(t)}`).join('&')}`);
    expect(r.status).toBe(200);
    const routes = (r.json as { routes: Array<{ topic: string; route: { queueDatas: Array<{ brokerName: string }> } | null }> }).routes;
    expect(routes.map((x) => x.topic)).toEqual(names);
    expect(routes[1]?.route).toBeNull();
    for (const x of routes.filter((y) => y.topic !== 'missing')) expect(x.route?.queueDatas[0]?.brokerName).toBe('broker-a');
  });

  it('refuses more than 200 topics with 400, and answers none for none', async () => {
    await start(new RouteRegistry());
    const many = Array.from({ length: 201 }, (_, i) => `topic=t${i}`).join('&');
    const r = await call('GET', `/routes?${many}`);
    expect(r.status).toBe(400);
    expect((r.json as { code: string }).code).toBe('ERR_TOO_MANY_TOPICS');
    expect((await call('GET', '/routes')).json).toEqual({ routes: [] });
  });

  it('is a read: with tokens it needs the client role', async () => {
    await start(new RouteRegistry(), { tokens: [{ token: 'c', roles: ['client'] }] });
    expect((await call('GET', '/routes?topic=a')).status).toBe(401);
    expect((await call('GET', '/routes?topic=a', undefined, { authorization: 'Bearer c' })).status).toBe(200);
    expect((await call('GET', '/console.js')).status).toBe(200);
  });
});

describe('console history over HTTP', () => {
  it('records who asked for a route over HTTP, and lists a group\'s topics', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(brokerA, ['T1', '__proto__']));
    registry.registerBroker(registration(brokerB, ['T2']));
    await start(registry);
    expect((await call('GET', '/topics/__proto__/route')).status).toBe(200);
    expect((await call('GET', '/topics/__proto__/route')).status).toBe(200);
    expect((await call('GET', '/topics/nope/route')).status).toBe(404);
    const asked = (await call('GET', '/topics/__proto__/requesters')).json as { requesters: Array<Record<string, unknown>> };
    expect(asked.requesters).toEqual([expect.objectContaining({ remoteAddress: '127.0.0.1', via: 'http', count: 2, found: true })]);
    expect(((await call('GET', '/topics/nope/requesters')).json as { requesters: unknown[] }).requesters).toHaveLength(1);
    expect(((await call('GET', '/topics/T9/requesters')).json as { requesters: unknown[] }).requesters).toEqual([]);
    expect((await call('GET', '/brokers/broker-a/topics')).json).toEqual({ clusterName: 'C1', total: 3, topics: ['T1', '__proto__', 'baseTopic'] });
    expect((await call('GET', '/brokers/constructor/topics')).status).toBe(404);
  });

  it('serves samples and timelines; consoleHistory: false turns them off (404)', async () => {
    const registry = new RouteRegistry();
    await start(registry, { consoleHistory: { intervalMillis: 100 } });
    registry.registerBroker(registration(brokerA, ['T1']));
    await expect.poll(async () => ((await call('GET', '/stats/history')).json as { samples: unknown[] }).samples.length, { timeout: 10_000 })
      .toBeGreaterThan(1);
    const all = (await call('GET', '/stats/history')).json as { intervalMillis: number; capacity: number; memory: string; samples: Array<{ seq: number }> };
    expect(all).toMatchObject({ intervalMillis: 100, capacity: CONSOLE_HISTORY_DEFAULTS.samples, memory: 'heap' });
    const last = all.samples.at(-1)?.seq ?? 0;
    const after = (await call('GET', `/stats/history?after=${last}`)).json as { samples: Array<{ seq: number }> };
    expect(after.samples.every((s) => s.seq > last)).toBe(true);
    const timeline = (await call('GET', `/brokers/${encodeURIComponent(brokerA.brokerAddr)}/timeline?cluster=C1`)).json as {
      timelines: Array<{ clusterName: string; entries: Array<{ kind: string }> }>;
    };
    expect(timeline.timelines).toEqual([expect.objectContaining({ clusterName: 'C1', entries: [expect.objectContaining({ kind: 'registered' })] })]);

    await start(new RouteRegistry(), { consoleHistory: false });
    expect((await call('GET', '/stats/history')).status).toBe(404);
    expect((await call('GET', '/topics/T/requesters')).status).toBe(404);
  });

  it('validates its options', async () => {
    expect(() => resolveConsoleHistoryOptions({ intervalMillis: 10 })).toThrow(/intervalMillis/);
    expect(() => resolveConsoleHistoryOptions({ samples: 1 })).toThrow(/samples/);
    expect(() => resolveConsoleHistoryOptions({ notAppliedAddresses: 0 })).toThrow(/notAppliedAddresses/);
    expect(() => resolveConsoleHistoryOptions({ nope: 1 } as never)).toThrow(/nope/);
    expect(() => resolveConsoleHistoryOptions({ memoryStats: 5 as never })).toThrow(/memoryStats/);
  });
});

describe('the sampler', () => {
  it('turns events and live brokers into rates by outcome, and keeps a bounded ring', () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    let routeRequests = 0;
    const history = manualHistory(registry, {
      samples: 3, memoryStats: () => ({ heldBytes: 1024, limitBytes: 4096 }), routeRequests: () => routeRequests,
    });
    try {
      history.sample();
      registry.registerBroker(registration(brokerA, ['T1']));
      registry.registerBroker(registration(brokerA1, ['T1']));
      clock.advance(2_000);
      const first = history.sample();
      expect(first).toMatchObject({ registered: 1, heartbeats: 0, left: 0, liveBrokers: 2, memoryUsedBytes: 1024, memoryLimitBytes: 4096 });
      // One heartbeat (same data version), one changed table, one lookup elsewhere, one over HTTP.
      clock.advance(1_000);
      registry.registerBroker(registration(brokerA, ['T1']));
      registry.registerBroker(registration({ ...brokerA1, dataVersion: nextVersion(brokerA1.dataVersion) }, ['T1', 'T2']));
      routeRequests = 6;
      history.routeRequested('T1', '10.9.9.9', true);
      clock.advance(1_000);
      expect(history.sample()).toMatchObject({ heartbeats: 0.5, updated: 0.5, routeRequests: 3.5, registered: 0 });
      registry.unregisterBroker(unregistration(brokerA1));
      clock.advance(2_000);
      expect(history.sample()).toMatchObject({ left: 0.5, liveBrokers: 1, routeRequests: 0 });
      const reply = history.reply(0);
      expect(reply.samples.map((s) => s.seq)).toEqual([2, 3, 4]);
      expect(reply.memory).toBe('budget');
      expect(history.reply(3).samples.map((s) => s.seq)).toEqual([4]);
      const kinds = history.timelines.of(brokerA1.brokerAddr, null)[0]?.entries.map((e) => e.kind);
      expect(kinds).toEqual(['registered', 'updated', 'left']);
      expect(history.timelines.of(brokerA.brokerAddr, 'C1')[0]?.entries.map((e) => e.kind)).toEqual(['registered', 'heartbeats']);
    } finally {
      history.close();
    }
  });

  it('counts registrations refused and ignored, and puts them with their reason on the address\'s timeline', () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    const history = manualHistory(registry);
    try {
      history.sample();
      registry.registerBroker(registration(brokerA, ['T1', 'T2']));
      // RocketMQ refuses a first registration that carries exactly one topic.
      const oneTopic = registration(brokerB, [], { topicConfigWrapper: { topicConfigTable: { T3: topicConfig('T3') }, dataVersion: brokerB.dataVersion } });
      expect(registry.registerBroker(oneTopic)).toBeNull();
      expect(registry.registerBroker(oneTopic)).toBeNull();
      // A newer stateVersion holds id 0 of broker-a: another address claiming it with an older one is ignored.
      const newer = { ...brokerA, dataVersion: { ...brokerA.dataVersion, stateVersion: 5, counter: brokerA.dataVersion.counter + 1 } };
      registry.registerBroker(registration(newer, ['T1', 'T2']));
      const stale = { ...brokerA, brokerAddr: '10.0.0.9:10911' };
      expect(registry.registerBroker(registration(stale, ['T1', 'T2']))).not.toBeNull();
      clock.advance(2_000);
      expect(history.sample()).toMatchObject({ registered: 0.5, refused: 1, ignored: 0.5 });
      clock.advance(2_000);
      expect(history.sample()).toMatchObject({ refused: 0, ignored: 0 });
      const refused = history.timelines.of(brokerB.brokerAddr, 'C1')[0]?.entries ?? [];
      expect(refused.map((e) => e.kind)).toEqual(['refused', 'refused']);
      expect(refused[0]).toMatchObject({ brokerId: 0, reason: expect.stringMatching(/exactly one topic/) });
      // Who was refused or ignored lately, most recent first, with how often and the last reason.
      expect(history.reply(0).notApplied).toEqual([
        { clusterName: 'C1', brokerAddr: stale.brokerAddr, brokerName: 'broker-a', brokerId: 0, outcome: 'ignored',
          reason: expect.stringMatching(/stateVersion 5/), count: 1, lastAt: clock.now() - 4_000 },
        { clusterName: 'C1', brokerAddr: brokerB.brokerAddr, brokerName: 'broker-b', brokerId: 0, outcome: 'refused',
          reason: expect.stringMatching(/exactly one topic/), count: 2, lastAt: clock.now() - 4_000 },
      ]);
      expect(history.timelines.of(stale.brokerAddr, 'C1')[0]?.entries).toEqual([
        { kind: 'ignored', at: clock.now() - 4_000, brokerId: 0, reason: expect.stringMatching(/stateVersion 5/) },
      ]);
    } finally {
      history.close();
    }
    expect(registry.listenerCount('registrationRefused') + registry.listenerCount('registrationIgnored')).toBe(0);
  });

  it('stops listening to the registry on close', () => {
    const registry = new RouteRegistry();
    const before = registry.listenerCount('brokerRegistered');
    const history = manualHistory(registry);
    expect(registry.listenerCount('brokerRegistered')).toBe(before + 1);
    history.close();
    expect(registry.listenerCount('brokerRegistered')).toBe(before);
    expect(registry.listenerCount('topicRouteChanged')).toBe(0);
  });
});

describe('bounded records', () => {
  it('a timeline keeps its newest entries, heartbeats in a row as one, and forgets the least recent broker', () => {
    const t = new BrokerTimelines(3, 2);
    const a = { clusterName: 'C', brokerAddr: 'a' };
    t.add(a, { kind: 'registered', at: 1, brokerName: 'g', brokerId: 0 });
    for (let i = 2; i < 100; i++) t.add(a, { kind: 'heartbeats', at: i, until: i, count: 1 });
    expect(t.of('a', 'C')[0]?.entries).toEqual([
      { kind: 'registered', at: 1, brokerName: 'g', brokerId: 0 }, { kind: 'heartbeats', at: 2, until: 99, count: 98 },
    ]);
    t.add(a, { kind: 'left', at: 100, reason: 'expired' });
    t.add(a, { kind: 'registered', at: 101, brokerName: 'g', brokerId: 0 });
    expect(t.of('a', 'C')[0]?.entries.map((e) => e.kind)).toEqual(['heartbeats', 'left', 'registered']);
    t.add({ clusterName: 'C', brokerAddr: '__proto__' }, { kind: 'left', at: 1, reason: 'unregister' });
    t.add({ clusterName: 'D', brokerAddr: 'a' }, { kind: 'left', at: 1, reason: 'unregister' });
    expect(t.of('a', 'C')).toEqual([]);
    expect(t.of('__proto__', null)).toHaveLength(1);
    expect(t.of('a', null).map((x) => x.clusterName)).toEqual(['D']);
  });

  it('refused and ignored addresses are bounded, the least recent forgotten first', () => {
    const r = new RecentNotApplied(2);
    const e = (addr: string) => ({ clusterName: 'C', brokerName: 'g', brokerAddr: addr, brokerId: 0, reason: `no ${addr}` });
    r.record(e('a'), 'refused', 1);
    r.record(e('b'), 'refused', 2);
    r.record(e('a'), 'ignored', 3);
    r.record(e('c'), 'refused', 4);
    expect(r.list().map((x) => [x.brokerAddr, x.outcome, x.count, x.lastAt, x.reason])).toEqual([['c', 'refused', 1, 4, 'no c'], ['a', 'ignored', 2, 3, 'no a']]);
  });

  it('requesters are bounded per topic and in topics, most recent first', () => {
    const r = new RecentRequesters(2, 2);
    r.record('t', '1.1.1.1', 'http', 1, true);
    r.record('t', '2.2.2.2', 'http', 2, true);
    r.record('t', '1.1.1.1', 'http', 3, false);
    r.record('t', '3.3.3.3', 'http', 4, true);
    expect(r.of('t').map((x) => [x.remoteAddress, x.count])).toEqual([['3.3.3.3', 1], ['1.1.1.1', 2]]);
    r.record('constructor', '1.1.1.1', 'http', 5, true);
    r.record('u', '1.1.1.1', 'http', 6, true);
    expect(r.of('t')).toEqual([]);
    expect(r.of('constructor')).toHaveLength(1);
    expect(r.of('toString')).toEqual([]);
  });
});
