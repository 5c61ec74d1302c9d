import { defineConfig } from 'tsup';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { bundleConsole } from './src/http/console/build.js';

/**
 * Replaces `src/http/console/bundle.ts` (which bundles the console on first
 * use when running from the sources) with the finished bundle, so `dist/`
 * serves a constant and needs neither esbuild nor uPlot at run time.
 */
const consoleScript: { bundle?: Promise<string> } = {};
const CONSOLE_ENTRY = fileURLToPath(new URL('./src/http/console/client/main.ts', import.meta.url));
const consoleScriptPlugin: Plugin = {
  name: 'console-script',
  setup(build) {
    build.onResolve({ filter: /^\.\/bundle\.js$/ }, (args) =>
      (/[\\/]http[\\/]console$/.test(args.resolveDir) ? { path: 'console-script', namespace: 'console-script' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'console-script' }, async () => {
      // One bundle for every format and entry of the build.
      const script = await (consoleScript.bundle ??= bundleConsole(CONSOLE_ENTRY));
      return { contents: `export function consoleScript() { return Promise.resolve(${JSON.stringify(script)}); }`, loader: 'js' };
    });
  },
};

/** The library: dual ESM + CJS with types, shared chunks. */
const library = defineConfig({
  entry: {
    index: 'src/index.ts',
    'remoting/index': 'src/remoting/index.ts',
    'http/index': 'src/http/index.ts',
    'metrics/index': 'src/metrics/index.ts',
    'experimental/codec': 'src/remoting/codec/index.ts',
    'testing/index': 'src/testing/index.ts',
    // The decode pool starts its workers from this file (found beside the pool's code, see worker-start.ts).
    'decode-worker': 'src/remoting/decode/decode-worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  // The two builds run at once: the library's clean must leave the bin's folder alone.
  clean: ['!cli/**'],
  treeshake: true,
  esbuildPlugins: [consoleScriptPlugin],
  // import.meta.url in the CJS build: the decode pool finds its worker by it.
  shims: true,
});

/** The bin: one ESM file (nothing imports it, so no CJS twin and no types), and its decode worker beside it. */
const bin = defineConfig({
  entry: { main: 'src/cli/main.ts', 'decode-worker': 'src/remoting/decode/decode-worker.ts' },
  outDir: 'dist/cli',
  format: ['esm'],
  dts: false,
  target: 'node20',
  platform: 'node',
  splitting: false,
  sourcemap: false,
  clean: true,
  treeshake: true,
  esbuildPlugins: [consoleScriptPlugin],
});

// `ROCKETMQ_NAMESRV_BUILD=bin`: the bin only (what the launcher builds on a first start from a clone:
// seconds, where the library with its type declarations takes most of a minute).
export default process.env['ROCKETMQ_NAMESRV_BUILD'] === 'bin' ? [bin] : [library, bin];
