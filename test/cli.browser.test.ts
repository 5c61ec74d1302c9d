/**
 * The console as the CLI serves it (`--http-port`), in headless Chromium:
 * a broker registered over the remoting port shows up live with its role,
 * and leaves live when its connection closes; with `--enable-controller`,
 * the controller page shows a group elected over the wire and follows its
 * master's connection closing; no page errors, nothing requested outside
 * the page's origin. Loopback only, waits bounded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RemotingClient } from '../src/remoting/index.js';
import { browserAvailable, openConsole } from './helpers/browser.js';
import { registerBroker } from './helpers/loopback.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const ARTIFACTS = new URL('../.ci/artifacts/', import.meta.url);
const UI_WAIT = { timeout: 10_000 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts the CLI with HTTP on loopback (and `extra` flags, given the scratch folder); resolves both ports. */
async function startCli(extra: (dir: string) => Promise<string[]> = () => Promise.resolve([])): Promise<{ port: number; httpPort: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'namesrv-cli-browser-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--host', '127.0.0.1', '--http-port', '0',
    '--kv-config', join(dir, 'kv.json'), ...await extra(dir)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the CLI did not start: ${out}`)), UI_WAIT.timeout);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const remoting = /boot success.*address [^\s]*:(\d+)/.exec(out);
      const http = /HTTP API on http:\/\/[^\s]*:(\d+)/.exec(out);
      if (remoting && http) {
        clearTimeout(timer);
        resolve({ port: Number(remoting[1]), httpPort: Number(http[1]) });
      }
    });
  });
}

describe.skipIf(!browserAvailable)('the CLI console in Chromium', { timeout: 90_000 }, () => {
  it('shows a broker registered over remoting, live, and drops it when it goes', async () => {
    const { port, httpPort } = await startCli();
    const url = `http://127.0.0.1:${httpPort}/`;
    const { page, requests, errors } = await openConsole(url, (cleanup) => cleanups.push(cleanup));

    const client = await RemotingClient.connect(port, '127.0.0.1');
    cleanups.push(() => client.close());
    expect((await registerBroker(client, { brokerAddr: '127.0.0.1:10911', topics: ['TopicA', 'TopicB'] })).code).toBe(0);
    const row = page.locator('#broker-rows tr', { hasText: '127.0.0.1:10911' });
    await expect.poll(() => row.textContent(), UI_WAIT).toMatch(/master \(id 0\).*live/);
    await expect.poll(() => page.locator('#topic-rows').textContent(), UI_WAIT).toContain('TopicB');
    // The graphs follow it too; the memory graph shows the remoting memory budget.
    await expect.poll(() => page.locator('#graph-brokers').getAttribute('data-last'), UI_WAIT).toBe('1');
    expect(await page.locator('#graph-memory figcaption').textContent()).toBe('Memory budget (MiB)');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('cli-console.png', ARTIFACTS).pathname });

    await client.close();
    await expect.poll(async () => (await row.count()) === 0 || /offline|expired|unregistered|removed|gone/.test((await row.textContent()) ?? ''), UI_WAIT)
      .toBe(true);
    expect(errors).toEqual([]);
    expect(requests.filter((r) => new URL(r).origin !== new URL(url).origin)).toEqual([]);
  });

  it('with --enable-controller, shows the controller page: a group elected over the wire, and its master going inactive', async () => {
    const { port, httpPort } = await startCli(async (dir) => {
      const config = join(dir, 'namesrv.properties');
      await writeFile(config, `controllerStorePath=${join(dir, 'controller')}\n`);
      return ['-c', config, '--enable-controller'];
    });
    const url = `http://127.0.0.1:${httpPort}/`;
    const { page, requests, errors } = await openConsole(url, (cleanup) => cleanups.push(cleanup));
    await expect.poll(() => page.locator('#conn').textContent(), UI_WAIT).toBe('connected');
    await page.locator('#controller-link').click();
    await expect.poll(() => page.locator('#detail').textContent(), UI_WAIT).toContain('No broker group has registered with the controller yet.');

    // A broker as RocketMQ 5's ReplicasManager starts one: apply id 1, register, heartbeat, elect itself.
    const client = await RemotingClient.connect(port, '127.0.0.1');
    cleanups.push(() => client.close());
    const group = { clusterName: 'DefaultCluster', brokerName: 'broker-a' };
    const addr = '127.0.0.1:10911';
    expect((await client.invoke(1013, { ...group, appliedBrokerId: 1, registerCheckCode: `${addr};1` })).code).toBe(0);
    expect((await client.invoke(1003, { ...group, brokerId: 1, brokerAddress: addr })).code).toBe(0);
    expect((await client.invoke(904, { ...group, brokerAddr: addr, brokerId: 1, heartbeatTimeoutMills: 60_000, epoch: 0,
      maxOffset: 0, confirmOffset: 0, electionPriority: 0 })).code).toBe(0);
    expect((await client.invoke(1002, { ...group, brokerId: 1, designateElect: false })).code).toBe(0);
    const row = page.locator('.controller-groups tr', { hasText: 'broker-a' });
    await expect.poll(() => row.textContent(), UI_WAIT).toMatch(/id 1 127\.0\.0\.1:10911.*\{1\} \(epoch 1\).*master, alive, in sync/);
    await expect.poll(() => page.locator('.controller-events').textContent(), UI_WAIT).toMatch(/master elected, id 1 127\.0\.0\.1:10911, epoch 1 \(by broker\)/);

    // Its connection closes: the controller marks it inactive at once and, with no
    // replica left to elect, records 'no master' under a new epoch (as Java's does).
    await client.close();
    await expect.poll(() => row.textContent(), UI_WAIT).toMatch(/no master.*replica, inactive/);
    await expect.poll(() => page.locator('.controller-events').textContent(), UI_WAIT).toMatch(/broker 1 127\.0\.0\.1:10911 inactive \(connection closed\)/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('cli-console-controller.png', ARTIFACTS).pathname });
    expect(errors).toEqual([]);
    expect(requests.filter((r) => new URL(r).origin !== new URL(url).origin)).toEqual([]);
  });
});
