import { defineConfig } from 'tsup';

/** The library: dual ESM + CJS with types, shared chunks. */
const library = defineConfig({
  entry: {
    index: 'src/index.ts',
    'remoting/index': 'src/remoting/index.ts',
    'http/index': 'src/http/index.ts',
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
});

export default [library, bin];
