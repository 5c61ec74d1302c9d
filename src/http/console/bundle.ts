/**
 * The console script served at `GET /console.js`. The package build replaces
 * this module with one holding the finished bundle (see `consoleScriptPlugin`
 * in tsup.config.ts), so `dist/` serves a constant and never builds anything.
 * From the sources (tests, `tsx`, a clone without `dist/`) it bundles
 * `client/` with esbuild once, on the first request: nothing to set up, and
 * never a stale copy of the browser code.
 * @internal
 */

/**
 * The builder, imported by a specifier bundlers do not follow: it drives
 * esbuild (a dev dependency) and finds its sources with `import.meta.url`, so
 * no build of this package may carry it, whatever its configuration.
 */
const BUILDER = './build.js';

/** The one bundle of this process, made on first use. */
const cache: { script: Promise<string> | null } = { script: null };

async function bundle(): Promise<string> {
  const { bundleConsole } = (await import(BUILDER)) as typeof import('./build.js');
  return bundleConsole();
}

/** The console's script (an IIFE). */
export function consoleScript(): Promise<string> {
  cache.script ??= bundle().catch((err: unknown) => {
    // Let the next request try again rather than remember a failure.
    cache.script = null;
    throw err;
  });
  return cache.script;
}
