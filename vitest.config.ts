import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = fileURLToPath(new URL('./src/', import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by name, as a user's tests do; inside the repository that name means the sources.
    alias: [
      { find: /^rocketmq-namesrv$/, replacement: `${src}index.ts` },
      { find: /^rocketmq-namesrv\/(remoting|http|testing|metrics)$/, replacement: `${src}$1/index.ts` },
      { find: /^rocketmq-namesrv\/experimental\/codec$/, replacement: `${src}remoting/codec/index.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
