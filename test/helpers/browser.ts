/** Headless Chromium for the console tests: Debian's `chromium`, driven by playwright-core, a fresh profile each time. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where `.ci/run` installs Chromium (Debian's package). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the browser tests can run here; CI (`NAMESRV_REQUIRE_BROWSER=1`) makes a missing browser a failure. */
export const browserAvailable = existsSync(CHROMIUM_PATH) || process.env.NAMESRV_REQUIRE_BROWSER === '1';

/** Offline, quiet flags: the browser itself must make no request beyond what the page does. */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A browser context on a fresh user-data-dir; `close()` also removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'namesrv-console-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1440, height: 900 },
    timeout: 15_000,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the console at `url` in a fresh browser (its `close` handed to
 * `defer`), recording every request the page makes and every page error.
 */
export async function openConsole(
  url: string, defer: (cleanup: () => Promise<void>) => void,
): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const browser = await launchBrowser();
  defer(browser.close);
  const page = await browser.context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  browser.context.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // Chromium logs every 4xx answer ("Failed to load resource"): a route that just vanished is a 404
    // the page expects. Script errors are what count.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  return { page, requests, errors };
}
