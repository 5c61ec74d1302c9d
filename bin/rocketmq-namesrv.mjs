#!/usr/bin/env node
// The `rocketmq-namesrv` bin and `npm start`: runs the built server in THIS
// process (no npm or shell in between, so a supervisor's SIGTERM reaches it).
// In a clone (sources present) it first builds the server alone (dist/cli,
// no type declarations: seconds) when missing or older than the sources, and
// says so; an installed package has no sources and runs dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'cli', 'main.js');
const sources = join(root, 'src');

/** Newest modification time under `dir` (files only). */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const inClone = existsSync(join(sources, 'cli', 'main.ts')) && existsSync(join(root, 'node_modules', 'tsup'));
if (inClone) {
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  const inputs = Math.max(newest(sources), statSync(join(root, 'package.json')).mtimeMs, statSync(join(root, 'tsup.config.ts')).mtimeMs);
  if (built < inputs) {
    const why = built === 0 ? 'first start from a clone' : 'src/ changed since the last build';
    process.stderr.write(`rocketmq-namesrv: ${why}: building the server into dist/cli (a few seconds; the library and its types: npm run build)…\n`);
    const started = Date.now();
    const tsup = join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js');
    const build = spawnSync(process.execPath, [tsup, '--silent'], {
      cwd: root, encoding: 'utf8', env: { ...process.env, ROCKETMQ_NAMESRV_BUILD: 'bin' },
    });
    if (build.status !== 0) {
      process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}rocketmq-namesrv: the build failed\n`);
      process.exit(1);
    }
    process.stderr.write(`rocketmq-namesrv: built in ${((Date.now() - started) / 1000).toFixed(1)} s, starting\n`);
  }
}
if (!existsSync(main)) {
  process.stderr.write('rocketmq-namesrv: dist/cli/main.js is missing: run `npm run build` first\n');
  process.exit(1);
}
await import(pathToFileURL(main).href);
