/**
 * The console's controller page in a real browser (headless Chromium): each
 * broker group's master, epochs, sync-state set and replicas; a failover
 * (the master's heartbeats stop, the controller's scan elects a replica of
 * the sync-state set) changes the master shown without a reload and lists
 * the controller's events; without a controller the page says so and the
 * header has no link to it. The controller runs on an injected clock and is
 * driven through its API, as brokers drive it over the wire.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Controller } from '../src/controller/controller.js';
import { RouteRegistry } from '../src/index.js';
import { createHttpServer, type HttpServerOptions } from '../src/http/index.js';
import { browserAvailable, openConsole } from './helpers/browser.js';
import { FakeClock, defaultBroker, registration, slaveBroker } from './helpers/registry.js';

const ARTIFACTS = new URL('../.ci/artifacts/', import.meta.url);
const UI_WAIT = { timeout: 10_000 };
const BROWSER_TEST = { timeout: 90_000 };
const CLUSTER = 'DefaultCluster';
const GROUP = 'broker-a';
const ADDRS = ['10.0.1.11:10911', '10.0.1.12:10911', '10.0.1.13:10911'] as const;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(registry: RouteRegistry, options: HttpServerOptions): Promise<string> {
  const server = createHttpServer(registry, options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return new URL(name, ARTIFACTS).pathname;
}

/** Broker `id` (1-based, as the controller hands them out) heartbeats now, with a 3 s timeout. */
function heartbeat(controller: Controller, id: number, epoch: number): void {
  controller.brokerHeartbeat({
    clusterName: CLUSTER, brokerName: GROUP, brokerAddr: ADDRS[id - 1] as string, brokerId: id, heartbeatTimeoutMillis: 3_000,
    epoch, maxOffset: 1_000 * id, confirmOffset: 1_000, electionPriority: null,
  });
}

/** A controller with group broker-a: three replicas registered and heartbeating, 1 elected master, all three in sync. */
async function controllerWithGroup(clock: FakeClock): Promise<Controller> {
  // Scans run by hand: the test decides when a silent master is noticed.
  const controller = new Controller({ now: clock.now, scanNotActiveBrokerInterval: 3_600_000, scanInactiveMasterInterval: 3_600_000 });
  await controller.start();
  cleanups.push(() => controller.close());
  for (const id of [1, 2, 3]) {
    const addr = ADDRS[id - 1] as string;
    await controller.applyBrokerId({ clusterName: CLUSTER, brokerName: GROUP, appliedBrokerId: id, registerCheckCode: `${addr};1` });
    await controller.registerBroker({ clusterName: CLUSTER, brokerName: GROUP, brokerId: id, brokerAddress: addr });
    heartbeat(controller, id, 0);
  }
  await controller.electMaster({ clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, designateElect: false });
  await controller.alterSyncStateSet({ brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1 }, { syncStateSet: [1, 2, 3], syncStateSetEpoch: 1 });
  return controller;
}

function groupRow(page: Page) {
  return page.locator('.controller-groups tr', { hasText: GROUP });
}

describe.skipIf(!browserAvailable)('the console\'s controller page in Chromium', BROWSER_TEST, () => {
  it('shows a group\'s master, epochs, sync-state set and replicas; a failover changes the master shown', async () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    // The name server side of the same brokers, so the overview and the broker pages know them.
    registry.registerBroker(registration(defaultBroker({ clusterName: CLUSTER, brokerName: GROUP, brokerAddr: ADDRS[0] }), ['TopicTest']));
    registry.registerBroker(registration(slaveBroker({ clusterName: CLUSTER, brokerName: GROUP, brokerAddr: ADDRS[1] }), ['TopicTest']));
    const controller = await controllerWithGroup(clock);
    const url = await serve(registry, { controller });
    const { page, requests, errors } = await openConsole(url, (c) => cleanups.push(c));
    await expect.poll(() => page.locator('#conn').textContent(), UI_WAIT).toBe('connected');

    await page.locator('#controller-link').click();
    await expect.poll(() => page.locator('#detail .detail-title').textContent(), UI_WAIT).toBe('Controller');
    expect(page.url()).toMatch(/#\/controller$/);
    const row = groupRow(page);
    await expect.poll(() => row.textContent(), UI_WAIT).toContain(`id 1 ${ADDRS[0]}`);
    const before = await row.textContent();
    expect(before).toMatch(new RegExp(`^${CLUSTER}${GROUP}id 1 ${ADDRS[0]}1\\{1, 2, 3\\} \\(epoch 2\\)`));
    expect(before).toMatch(/1 10\.0\.1\.11:10911 master, alive, in sync.*2 10\.0\.1\.12:10911 replica, alive, in sync.*3 10\.0\.1\.13:10911 replica, alive, in sync/);
    expect(before).toMatch(/none$/);
    const facts = await page.locator('#detail dl.facts').textContent();
    expect(facts).toMatch(/This instanceleader.*Leaderthis instance \(n0\).*Peersn0.*Broker groups1/);
    expect(await page.locator('.controller-live').textContent()).toMatch(/broker-a1 ?10\.0\.1\.11:10911/);

    // The master falls silent; 2 and 3 keep heartbeating (3 with the higher offset). The heartbeat scan
    // drops 1 and elects from the sync-state set.
    clock.advance(2_000);
    heartbeat(controller, 2, 1);
    heartbeat(controller, 3, 1);
    clock.advance(2_000);
    heartbeat(controller, 2, 1);
    heartbeat(controller, 3, 1);
    await controller.scanNotActiveBrokers();
    expect(controller.view().groups[0]).toMatchObject({ masterBrokerId: 3, masterEpoch: 2 });

    // The page follows without a reload: the new master, epoch 2, a new sync-state set, 1 inactive.
    await expect.poll(() => row.textContent(), UI_WAIT).toContain(`id 3 ${ADDRS[2]}`);
    const after = await row.textContent();
    expect(after).toMatch(new RegExp(`id 3 ${ADDRS[2]}2\\{3\\} \\(epoch 3\\)`));
    expect(after).toMatch(/1 10\.0\.1\.11:10911 replica, inactive.*3 10\.0\.1\.13:10911 master, alive, in sync/);
    expect(after).toMatch(/1$/);
    expect(await row.locator('.replica.inactive').getAttribute('data-id')).toBe('1');
    // The controller's events, as they came over /events.
    const events = page.locator('.controller-events');
    await expect.poll(() => events.textContent(), UI_WAIT).toMatch(/broker-a: master elected, id 3 10\.0\.1\.13:10911, epoch 2 \(by controller\)/);
    expect(await events.textContent()).toMatch(/broker-a: broker 1 10\.0\.1\.11:10911 inactive \(heartbeats stopped\)/);
    expect(await events.textContent()).toMatch(/broker-a: sync-state set \{3\}, epoch 3/);
    await page.screenshot({ path: screenshotPath('console-controller.png') });

    // The master's address opens its broker page.
    await row.locator('.master a').click();
    await expect.poll(() => page.locator('#detail .detail-title').textContent(), UI_WAIT).toBe(`Broker ${ADDRS[2]}`);
    await page.locator('#controller-link').click();
    await expect.poll(() => row.textContent(), UI_WAIT).toContain(`id 3 ${ADDRS[2]}`);

    // The new master falls silent too, with no other member of its sync-state set alive: no master, said in text.
    clock.advance(2_000);
    heartbeat(controller, 2, 1);
    clock.advance(2_000);
    heartbeat(controller, 2, 1);
    await controller.scanNotActiveBrokers();
    await expect.poll(() => row.textContent(), UI_WAIT).toMatch(new RegExp(`^${CLUSTER}${GROUP}no master`));
    expect(await row.locator('.replica.inactive').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { id: string } }).dataset.id)))
      .toEqual(['1', '3']);
    expect(errors).toEqual([]);
    const origin = new URL(url).origin;
    expect(requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
  });

  it('stays usable with 1,000 groups: bounded tables, troubled groups first, a filter that keeps its text and focus across redraws', async () => {
    const clock = new FakeClock();
    const controller = new Controller({ now: clock.now, scanNotActiveBrokerInterval: 3_600_000, scanInactiveMasterInterval: 3_600_000 });
    await controller.start();
    cleanups.push(() => controller.close());
    const channels = new Map<string, object>();
    for (let g = 0; g < 1_000; g++) {
      const group = { clusterName: CLUSTER, brokerName: `group-${String(g).padStart(4, '0')}` };
      for (const id of [1, 2, 3]) {
        const addr = `10.${g >> 8}.${g & 255}.${id}:10911`;
        const channel = {};
        channels.set(`${group.brokerName}/${id}`, channel);
        await controller.applyBrokerId({ ...group, appliedBrokerId: id, registerCheckCode: `${addr};1` });
        controller.brokerHeartbeat({ ...group, brokerAddr: addr, brokerId: id, heartbeatTimeoutMillis: 600_000, epoch: 1,
          maxOffset: 1, confirmOffset: 1, electionPriority: null, channel });
      }
      await controller.electMaster({ ...group, brokerId: 1, designateElect: false });
    }
    // The last group by name loses a replica: it is listed first.
    controller.onChannelClose(channels.get('group-0999/3') as object);
    const url = await serve(new RouteRegistry({ now: clock.now }), { controller });
    const { page, errors } = await openConsole(`${url}/#/controller`, (c) => cleanups.push(c));
    const groups = page.locator('.controller-groups tbody tr');
    await expect.poll(() => groups.count(), UI_WAIT).toBe(300);
    expect(await page.locator('#detail h3', { hasText: 'Broker groups' }).textContent()).toBe('Broker groups (300 of 1,000 shown)');
    expect(await page.locator('#detail h3', { hasText: 'Brokers heartbeating' }).textContent()).toBe('Brokers heartbeating (300 of 2,999 shown)');
    expect(await groups.first().getAttribute('data-group')).toBe('group-0999');
    expect(await page.locator('#detail dl.facts').textContent()).toContain('1,000, 1 without a master or with an inactive replica');

    const filter = page.locator('input.ctl-filter');
    await filter.pressSequentially('group-0777');
    await expect.poll(() => groups.count(), UI_WAIT).toBe(1);
    expect(await groups.first().getAttribute('data-group')).toBe('group-0777');
    expect(await page.locator('.controller-live tbody tr').count()).toBe(3);
    expect(await page.locator('#detail h3', { hasText: 'Broker groups' }).textContent()).toBe('Broker groups (1 matching)');
    // An event redraws the page: the filter keeps its text and the focus.
    controller.onChannelClose(channels.get('group-0777/2') as object);
    await expect.poll(() => page.locator('.controller-events').textContent(), UI_WAIT).toContain('group-0777: broker 2 10.3.9.2:10911 inactive');
    await expect.poll(() => groups.first().textContent(), UI_WAIT).toMatch(/2 10\.3\.9\.2:10911 replica, inactive/);
    expect(await filter.inputValue()).toBe('group-0777');
    expect(await filter.evaluate((e) => e === e.ownerDocument.activeElement)).toBe(true);
    // An address finds its group too.
    await filter.fill('10.1.44.');
    await expect.poll(() => groups.first().getAttribute('data-group'), UI_WAIT).toBe('group-0300');
    expect(errors).toEqual([]);
  });

  it('without a controller: no link in the header, and #/controller says it is not enabled', async () => {
    const registry = new RouteRegistry();
    const url = await serve(registry, {});
    const { page, errors } = await openConsole(`${url}/#/controller`, (c) => cleanups.push(c));
    await expect.poll(() => page.locator('#detail .not-enabled').textContent(), UI_WAIT).toMatch(/^Controller not enabled/);
    expect(await page.locator('#controller-link').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });
});
