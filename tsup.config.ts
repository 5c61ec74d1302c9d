import { defineConfig } from 'tsup';

/** The library: dual ESM + CJS with types, shared chunks. */
const library = defineConfig({
  entry: {
    index: 'src/index.ts',
    'remoting/index': 'src/remoting/index.ts',
    'http/index': 'src/http/index.ts',
    'metrics/index': 'src/metrics/index.ts',
    'experimental/codec': 'src/remoting/codec/index.ts',
    'testing/index': 'src/testing/index.ts',
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
});

/** The bin: one ESM file (nothing imports it, so no CJS twin and no types). */
const bin = defineConfig({
  entry: { main: 'src/cli/main.ts' },
  outDir: 'dist/cli',
  format: ['esm'],
  dts: false,
  target: 'node20',
  platform: 'node',
  splitting: false,
  sourcemap: false,
  clean: true,
  treeshake: true,
});

// `ROCKETMQ_NAMESRV_BUILD=bin`: the bin only (what the launcher builds on a first start from a clone:
// seconds, where the library with its type declarations takes most of a minute).
export default process.env['ROCKETMQ_NAMESRV_BUILD'] === 'bin' ? [bin] : [library, bin];
