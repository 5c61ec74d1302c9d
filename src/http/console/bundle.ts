/**
 * The console script served at `GET /console.js`. The package build replaces
 * this module with one holding the finished bundle (see `consoleScriptPlugin`
 * in tsup.config.ts), so `dist/` serves a constant and never builds anything.
 * From the sources (tests, `tsx`, a clone without `dist/`) it bundles
 * `client/` with esbuild once, on the first request: nothing to set up, and
 * never a stale copy of the browser code.
 * @internal
 */
import { bundleConsole } from './build.js';

/** The one bundle of this process, made on first use. */
const cache: { script: Promise<string> | null } = { script: null };

/** The console's script (an IIFE). */
export function consoleScript(): Promise<string> {
  cache.script ??= bundleConsole().catch((err: unknown) => {
    // Let the next request try again rather than remember a failure.
    cache.script = null;
    throw err;
  });
  return cache.script;
}
