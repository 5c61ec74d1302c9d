/**
 * The operator console in a real browser (headless Chromium): it lists
 * clusters and brokers with their roles in text, filters topics as one types,
 * follows brokers joining and leaving without a reload, runs without page
 * errors, and requests nothing outside its own origin. Served by the HTTP
 * handler directly (the CLI wires the same handler). Screenshots go to
 * `.ci/artifacts/` for a human to look at.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { KvConfigStore, RouteRegistry } from '../src/index.js';
import { createHttpServer, type HttpServerOptions, type NamesrvHttpServer } from '../src/http/index.js';
import { browserAvailable, openConsole as openBrowserConsole } from './helpers/browser.js';
import { FakeClock, defaultBroker, registration, slaveBroker, topicConfig, unregistration, type BrokerInfo } from './helpers/registry.js';

const ARTIFACTS = new URL('../.ci/artifacts/', import.meta.url);
/** Bounded wait for the page to catch up with the registry (loopback, no real timers involved). */
const UI_WAIT = { timeout: 10_000 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(registry: RouteRegistry, options: HttpServerOptions): Promise<string> {
  const server: NamesrvHttpServer = createHttpServer(registry, options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Opens the console, recording every request and every page error. */
function openConsole(url: string): ReturnType<typeof openBrowserConsole> {
  return openBrowserConsole(url, (cleanup) => cleanups.push(cleanup));
}

function brokerRow(page: Page, addr: string) {
  return page.locator('#broker-rows tr', { hasText: addr });
}

function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return new URL(name, ARTIFACTS).pathname;
}

const brokerA: BrokerInfo = defaultBroker({ clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '10.0.1.11:10911' });
const brokerA1: BrokerInfo = slaveBroker({ clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerAddr: '10.0.1.12:10911' });
const brokerB: BrokerInfo = defaultBroker({ clusterName: 'DefaultCluster', brokerName: 'broker-b', brokerAddr: '10.0.2.11:10911' });
const brokerC: BrokerInfo = defaultBroker({ clusterName: 'PaymentsCluster', brokerName: 'broker-c', brokerAddr: '10.0.3.11:10911' });
/** What the checks read of an element inside the page (the tests are type-checked without DOM types). */
interface Box {
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly tagName: string;
  readonly textContent: string | null;
  getBoundingClientRect(): { readonly right: number };
}

/** A topic name that would run script if the page ever parsed names as HTML. */
const HOSTILE = '<img src=x onerror=alert(1)>';

/** A browser on a busy 2-CPU machine: bounded, but with room. */
const BROWSER_TEST = { timeout: 90_000 };

describe.skipIf(!browserAvailable)('operator console in Chromium', BROWSER_TEST, () => {
  it('shows clusters, roles, live brokers, topics and KV; filters; follows joins and leaves; stays on its origin', async () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    const kvConfig = new KvConfigStore();
    kvConfig.put('ORDER_TOPIC_CONFIG', 'OrderTopic', 'broker-a:8');
    registry.registerBroker(registration(brokerA, ['OrderTopic', 'TopicTest', 'payments-events', HOSTILE]));
    registry.registerBroker(registration(brokerA1, ['OrderTopic', 'TopicTest', 'payments-events', HOSTILE]));
    registry.registerBroker(registration(brokerC, ['payments-events', 'payments-refunds'], { heartbeatTimeoutMillis: 30_000 }));
    clock.advance(7_000);
    const url = await serve(registry, { kvConfig });
    const { page, requests, errors } = await openConsole(url);

    // Clusters and broker groups, each address's role in text.
    await expect.poll(() => page.locator('#cluster-rows').textContent(), UI_WAIT).toContain('PaymentsCluster');
    await brokerRow(page, '10.0.1.11:10911').waitFor(UI_WAIT);
    expect(await brokerRow(page, '10.0.1.11:10911').textContent()).toMatch(/master \(id 0\).*live.*7s ago.*120 s/);
    expect(await brokerRow(page, '10.0.1.12:10911').textContent()).toMatch(/slave \(id 1\).*live/);
    expect(await brokerRow(page, '10.0.3.11:10911').textContent()).toContain('30 s');

    // Topics with their routes; the hostile name is shown as text, never run.
    await expect.poll(() => page.locator('#topic-rows').textContent(), UI_WAIT).toContain(HOSTILE);
    await expect.poll(() => page.locator('.vrow', { hasText: 'payments-events' }).textContent(), UI_WAIT)
      .toMatch(/broker-a.*r8\/w8 RW.*broker-c/);
    expect(await page.locator('#kv-body').textContent()).toMatch(/ORDER_TOPIC_CONFIG.*OrderTopic.*broker-a:8/);

    // The search box filters as one types.
    await page.locator('#q').pressSequentially('payments');
    await expect.poll(() => page.locator('.vrow').count(), UI_WAIT).toBe(2);
    expect(await page.locator('#topic-count').textContent()).toMatch(/^2 of \d+$/);
    await page.locator('#q').fill('');
    await expect.poll(() => page.locator('.vrow').count(), UI_WAIT).toBeGreaterThan(2);

    // A broker joins: it appears without a reload.
    registry.registerBroker(registration(brokerB, ['TopicTest', 'orders-b']));
    await expect.poll(() => brokerRow(page, '10.0.2.11:10911').textContent(), UI_WAIT).toMatch(/master \(id 0\).*live/);
    await expect.poll(() => page.locator('#topic-rows').textContent(), UI_WAIT).toContain('orders-b');

    // It leaves (unregistered), and another expires: both kept and marked in text.
    registry.unregisterBroker(unregistration(brokerB));
    await expect.poll(() => brokerRow(page, '10.0.2.11:10911').textContent(), UI_WAIT).toContain('unregistered');
    clock.advance(30_000);
    expect(registry.scanNotActiveBroker()).toBe(1);
    await expect.poll(() => brokerRow(page, '10.0.3.11:10911').textContent(), UI_WAIT).toContain('expired');
    expect(await page.locator('#stat-brokers').textContent()).toBe('2');
    // Their groups, their cluster and the topics only they held go too.
    await expect.poll(() => page.locator('#topic-rows').textContent(), UI_WAIT).not.toContain('orders-b');
    await expect.poll(() => page.locator('#cluster-rows').textContent(), UI_WAIT).not.toContain('PaymentsCluster');
    await expect.poll(() => page.locator('.vrow', { hasText: 'baseTopic' }).textContent(), UI_WAIT).not.toContain('broker-c');

    await page.screenshot({ path: screenshotPath('console.png') });
    expect(errors).toEqual([]);
    const origin = new URL(url).origin;
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
  });

  it('respects basePath and, with tokens, asks for one before showing anything', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(brokerA, ['TopicTest', 'Other']));
    const url = await serve(registry, { basePath: '/namesrv', tokens: [{ token: 's3cret', roles: ['client'] }] });
    const { page, requests, errors } = await openConsole(`${url}/namesrv/`);
    await page.locator('#token-form').waitFor({ state: 'visible', ...UI_WAIT });
    expect(await page.locator('#conn').textContent()).toBe('token required');
    await page.locator('#token').fill('s3cret');
    await page.locator('#token-form button').click();
    await brokerRow(page, '10.0.1.11:10911').waitFor(UI_WAIT);
    await expect.poll(() => page.locator('#conn').textContent(), UI_WAIT).toBe('connected');
    const paths = requests.map((r) => new URL(r).pathname);
    expect(paths.filter((p) => !p.startsWith('/namesrv/'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('stays usable with 100 broker groups and 10,000 topics: the topic list keeps a bounded number of rows', async () => {
    const registry = new RouteRegistry();
    for (let g = 0; g < 100; g++) {
      const name = `broker-${String(g).padStart(3, '0')}`;
      const topics = Array.from({ length: 100 }, (_, i) => `Topic-${String(g * 100 + i).padStart(5, '0')}`);
      const cluster = `Cluster-${g % 4}`;
      registry.registerBroker(registration(defaultBroker({ clusterName: cluster, brokerName: name, brokerAddr: `10.1.${g}.1:10911` }), topics));
      registry.registerBroker(registration(slaveBroker({ clusterName: cluster, brokerName: name, brokerAddr: `10.1.${g}.2:10911` }), topics));
    }
    expect(registry.topicCount).toBe(10_001);
    const url = await serve(registry, {});
    const { page, requests, errors } = await openConsole(url);
    await expect.poll(() => page.locator('#stat-topics').textContent(), UI_WAIT).toBe('10,001');
    expect(await page.locator('#broker-rows tr').count()).toBe(200);
    const rows = await page.locator('.vrow').count();
    expect(rows).toBeGreaterThan(5);
    expect(rows).toBeLessThanOrEqual(200);
    await expect.poll(() => page.locator('.vrow', { hasText: 'Topic-00003' }).textContent(), UI_WAIT).toContain('broker-000');
    const before = requests.length;
    await page.locator('#topic-list').evaluate((e) => {
      (e as unknown as { scrollTop: number }).scrollTop = 150_000;
    });
    await expect.poll(() => page.locator('#topic-rows').textContent(), UI_WAIT).toContain('Topic-05000');
    await expect.poll(() => page.locator('.vrow', { hasText: 'Topic-05000' }).textContent(), UI_WAIT).toContain('broker-050');
    // The scrolled window's routes came in one request, and no row asked for its own.
    const paths = requests.slice(before).map((r) => new URL(r).pathname);
    expect(paths.filter((p) => p.endsWith('/routes'))).toHaveLength(1);
    expect(requests.filter((r) => /\/topics\/[^/]+\/route$/.test(new URL(r).pathname))).toEqual([]);
    await page.locator('#q').pressSequentially('Topic-0420');
    await expect.poll(() => page.locator('#topic-count').textContent(), UI_WAIT).toBe('10 of 10,001');
    await expect.poll(() => page.locator('.vrow', { hasText: 'Topic-04205' }).textContent(), UI_WAIT).toMatch(/broker-042.*r8\/w8 RW/);
    await page.locator('#q').fill('');
    await page.screenshot({ path: screenshotPath('console-large.png') });
    expect(errors).toEqual([]);
  });
  it('draws six live graphs that move while brokers register and clients ask for routes', async () => {
    const registry = new RouteRegistry();
    const url = await serve(registry, { consoleHistory: { intervalMillis: 250 } });
    const { page, errors } = await openConsole(url);
    const graphs = page.locator('#graphs figure.graph');
    await expect.poll(() => graphs.count(), UI_WAIT).toBe(6);
    for (const id of ['routes', 'registrations', 'refused', 'brokers', 'loop', 'memory']) {
      expect(await page.locator(`#graph-${id} canvas`).count(), id).toBeGreaterThan(0);
    }
    const at = (id: string) => page.locator(`#graph-${id}`).getAttribute('data-at').then(Number);
    const firstAt = await expect.poll(() => at('brokers'), UI_WAIT).toBeGreaterThan(0).then(() => at('brokers'));
    // Brokers join one by one while a client asks for a route: the graphs follow.
    const last = async (id: string): Promise<number> => Number(await page.locator(`#graph-${id}`).getAttribute('data-last'));
    const seen = { routes: 0, registrations: 0, refused: 0 };
    for (let i = 0; i < 12; i++) {
      registry.registerBroker(registration(defaultBroker({ clusterName: 'G', brokerName: `g-${i}`, brokerAddr: `10.9.0.${i}:10911` }), ['Busy']));
      // RocketMQ refuses a first registration carrying exactly one topic: the refused graph counts it.
      const refused = defaultBroker({ clusterName: 'G', brokerName: `r-${i}`, brokerAddr: `10.9.1.${i}:10911` });
      expect(registry.registerBroker(registration(refused, [], { topicConfigWrapper: {
        topicConfigTable: { Lonely: topicConfig('Lonely') }, dataVersion: refused.dataVersion } }))).toBeNull();
      await fetch(`${url}/topics/Busy/route`);
      await new Promise((resolve) => setTimeout(resolve, 150));
      // Rates are per sample and fall back to 0: what counts is that they were seen above it.
      seen.routes = Math.max(seen.routes, await last('routes'));
      seen.registrations = Math.max(seen.registrations, await last('registrations'));
      seen.refused = Math.max(seen.refused, await last('refused'));
    }
    await expect.poll(() => last('brokers'), UI_WAIT).toBe(12);
    await expect.poll(() => at('brokers'), UI_WAIT).toBeGreaterThan(firstAt);
    expect(Number(await page.locator('#graph-brokers').getAttribute('data-points'))).toBeGreaterThan(2);
    expect(seen.routes).toBeGreaterThan(0);
    expect(seen.registrations).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
    expect(await page.locator('#graph-refused .legend').textContent()).toMatch(/refused.*ignored/);
    // The latest refused address is named, linked to its page (whose timeline gives every reason).
    const note = page.locator('#graph-refused .note');
    await expect.poll(() => note.textContent(), UI_WAIT).toBe('last: 10.9.1.11:10911 refused 1×');
    expect(await note.getAttribute('title')).toMatch(/^r-11 \(id 0\), .*exactly one topic/);
    await note.locator('a').click();
    await expect.poll(() => page.locator('#detail').textContent(), UI_WAIT).toMatch(/registration refused \(id 0\): .*exactly one topic/);
    const legend = await page.locator('#graph-registrations .legend').textContent();
    expect(legend).toMatch(/new.*heartbeat.*changed.*left/);
    expect(await page.locator('#graph-memory figcaption').textContent()).toMatch(/in use/);
    expect(errors).toEqual([]);
  });

  it('keeps every broker column whole at 1280 px, with "+N more" for routes on many groups', async () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    const channel = {};
    for (let g = 0; g < 40; g++) {
      const info = defaultBroker({ clusterName: 'WideCluster', brokerName: `broker-group-${String(g).padStart(2, '0')}`, brokerAddr: `10.7.${g}.1:10911` });
      registry.registerBroker(registration(info, ['Wide'], g === 0 ? { channel } : {}));
    }
    registry.registerBroker(registration(brokerA, ['TopicTest']));
    registry.registerBroker(registration(brokerC, ['payments'], { heartbeatTimeoutMillis: 30_000 }));
    const url = await serve(registry, {});
    const { page, errors } = await openConsole(url);
    await page.setViewportSize({ width: 1280, height: 800 });
    await brokerRow(page, '10.7.0.1:10911').waitFor(UI_WAIT);
    registry.onChannelDestroy(channel);
    registry.unregisterBroker(unregistration(brokerA));
    clock.advance(31_000);
    registry.scanNotActiveBroker();
    await expect.poll(() => brokerRow(page, '10.7.0.1:10911').textContent(), UI_WAIT).toContain('offline (connection closed)');
    await expect.poll(() => brokerRow(page, '10.0.3.11:10911').textContent(), UI_WAIT).toContain('expired');
    const clipped = await page.locator('body').evaluate((body) => {
      const out: string[] = [];
      const box = body.querySelector('#brokers .scroll');
      if (box === null || box.scrollWidth > box.clientWidth + 1) out.push(`table ${box?.scrollWidth} > ${box?.clientWidth}`);
      for (const c of Array.from(body.querySelectorAll('#brokers th, #brokers td, .graph figcaption')) as Box[]) {
        if (c.scrollWidth > c.clientWidth + 1) out.push(`${c.tagName} "${c.textContent ?? ''}" ${c.scrollWidth} > ${c.clientWidth}`);
      }
      return out;
    });
    expect(clipped).toEqual([]);
    // The topic on 40 groups: whole chips, then "+N more" linking to its page.
    const wide = page.locator('.vrow', { hasText: 'Wide' });
    await expect.poll(() => wide.locator('.more').textContent(), UI_WAIT).toMatch(/^\+\d+ more$/);
    const fit = await wide.evaluate((row) => {
      const cell = row.querySelector('.route');
      if (cell === null) return { whole: false, count: 0 };
      const right = cell.getBoundingClientRect().right;
      const chips = (Array.from(cell.querySelectorAll('.chip')) as Box[]).map((c) => c.getBoundingClientRect().right);
      const more = Number(/\+(\d+)/.exec(cell.querySelector('.more')?.textContent ?? '')?.[1] ?? 0);
      return { whole: chips.every((r) => r <= right + 0.5), count: chips.length + more };
    });
    expect(fit).toEqual({ whole: true, count: 39 });
    expect(await wide.locator('.more').getAttribute('href')).toBe('#/topic/Wide');
    // A role is text, not a link; the address is the link.
    expect(await brokerRow(page, '10.7.1.1:10911').locator('td.role a').count()).toBe(0);
    expect(await brokerRow(page, '10.7.1.1:10911').locator('td.addr a').getAttribute('href')).toBe('#/broker/WideCluster/10.7.1.1%3A10911');
    await page.screenshot({ path: screenshotPath('console-1280.png') });
    expect(errors).toEqual([]);
  });

  it('opens a topic page and a broker page; odd names stay text', async () => {
    const kvConfig = new KvConfigStore();
    kvConfig.put('ORDER_TOPIC_CONFIG', 'OrderTopic', 'broker-a:8');
    const registry = new RouteRegistry({ kvConfig, orderMessageEnable: true });
    const odd = ['__proto__', 'a/b%2Fc', '<script>alert(1)</script>'];
    const channel = {};
    const url = await serve(registry, { kvConfig, consoleHistory: { intervalMillis: 200 } });
    registry.registerBroker(registration(brokerA, ['OrderTopic', ...odd], { channel }));
    registry.registerBroker(registration(brokerA1, ['OrderTopic', ...odd]));
    expect((await fetch(`${url}/topics/OrderTopic/route`)).status).toBe(200);
    const { page, errors } = await openConsole(url);

    await page.locator('.vrow a.topic', { hasText: 'OrderTopic' }).click();
    await expect.poll(() => page.locator('#detail .detail-title').textContent(), UI_WAIT).toBe('Topic OrderTopic');
    expect(await page.locator('#overview').isHidden()).toBe(true);
    const detail = page.locator('#detail');
    await expect.poll(() => detail.textContent(), UI_WAIT).toMatch(/Route: queue data per broker group.*broker-a.*DefaultCluster.*RW/);
    expect(await detail.textContent()).toMatch(/master 10\.0\.1\.11:10911.*slave 1 10\.0\.1\.12:10911/);
    expect(await detail.textContent()).toContain('broker-a:8');
    expect(await detail.textContent()).toMatch(/Recently asked by.*127\.0\.0\.1.*http/);
    expect(await detail.textContent()).toContain('None: this is not a static topic.');

    for (const name of odd) {
      await page.locator('body').evaluate((b, hash) => {
        b.ownerDocument.location.hash = hash;
      }, `#/topic/${encodeURIComponent(name)}`);
      await expect.poll(() => page.locator('#detail .detail-title .name').textContent(), UI_WAIT).toBe(name);
      await expect.poll(() => detail.textContent(), UI_WAIT).toContain('broker-a');
    }

    // The broker page, from the address link of the slave's route entry.
    await page.locator('#detail a', { hasText: '10.0.1.11:10911' }).first().click();
    await expect.poll(() => page.locator('#detail .detail-title').textContent(), UI_WAIT).toBe('Broker 10.0.1.11:10911');
    await expect.poll(() => detail.textContent(), UI_WAIT).toMatch(/Groupbroker-a.*Rolemaster \(id 0\).*Data versioncounter 1/);
    await expect.poll(() => detail.textContent(), UI_WAIT).toMatch(/Topics of group broker-a \(5\).*OrderTopic/);
    expect(await detail.textContent()).toMatch(/Timeline.*registered \(group broker-a, id 0\)/);
    registry.onChannelDestroy(channel);
    await expect.poll(() => detail.textContent(), UI_WAIT).toContain('left: connection closed');
    await page.screenshot({ path: screenshotPath('console-broker.png') });

    await page.locator('.crumbs a').click();
    await expect.poll(() => page.locator('#overview').isVisible(), UI_WAIT).toBe(true);
    expect(errors).toEqual([]);
  });
});
