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
import { FakeClock, defaultBroker, registration, slaveBroker, unregistration, type BrokerInfo } from './helpers/registry.js';

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
/** A topic name that would run script if the page ever parsed names as HTML. */
const HOSTILE = '<img src=x onerror=alert(1)>';

describe.skipIf(!browserAvailable)('operator console in Chromium', () => {
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
    const { page, errors } = await openConsole(url);
    await expect.poll(() => page.locator('#stat-topics').textContent(), UI_WAIT).toBe('10,001');
    expect(await page.locator('#broker-rows tr').count()).toBe(200);
    const rows = await page.locator('.vrow').count();
    expect(rows).toBeGreaterThan(5);
    expect(rows).toBeLessThanOrEqual(200);
    await page.locator('#topic-list').evaluate((e) => {
      (e as unknown as { scrollTop: number }).scrollTop = 150_000;
    });
    await expect.poll(() => page.locator('#topic-rows').textContent(), UI_WAIT).toContain('Topic-05000');
    await page.locator('#q').pressSequentially('Topic-0420');
    await expect.poll(() => page.locator('#topic-count').textContent(), UI_WAIT).toBe('10 of 10,001');
    await expect.poll(() => page.locator('.vrow', { hasText: 'Topic-04205' }).textContent(), UI_WAIT).toMatch(/broker-042.*r8\/w8 RW/);
    await page.locator('#q').fill('');
    await page.screenshot({ path: screenshotPath('console-large.png') });
    expect(errors).toEqual([]);
  });
});
