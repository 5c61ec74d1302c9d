import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'remoting/index': 'src/remoting/index.ts',
    'http/index': 'src/http/index.ts',
    'experimental/codec': 'src/remoting/codec/index.ts',
    'testing/index': 'src/testing/index.ts',
    'cli/main': 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: {
    entry: {
      index: 'src/index.ts',
      'remoting/index': 'src/remoting/index.ts',
      'http/index': 'src/http/index.ts',
      'experimental/codec': 'src/remoting/codec/index.ts',
      'testing/index': 'src/testing/index.ts',
    },
  },
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  clean: true,
  treeshake: true,
});
