/**
 * `rocketmq-namesrv/testing` as users get it: built, imported by package
 * name from ES modules and from CommonJS, in child processes that must exit
 * by themselves once the scenario closed everything (no timer, socket or
 * listener left). The package is built into a scratch copy, so `dist/` is
 * left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Inside the repository's node_modules, so the scratch package resolves its dependencies. */
const scratchParent = join(root, 'node_modules', '.cache');
const EXIT_BOUND_MILLIS = 15_000;
let pkg = '';

beforeAll(async () => {
  await mkdir(scratchParent, { recursive: true });
  pkg = await mkdtemp(join(scratchParent, 'testing-kit-'));
  await build({
    config: false,
    entry: {
      index: join(root, 'src/index.ts'),
      'remoting/index': join(root, 'src/remoting/index.ts'),
      'http/index': join(root, 'src/http/index.ts'),
      'testing/index': join(root, 'src/testing/index.ts'),
      // The remoting server's decode workers start from this entry, as in tsup.config.ts.
      'decode-worker': join(root, 'src/remoting/decode/decode-worker.ts'),
    },
    format: ['esm', 'cjs'],
    shims: true,
    outDir: join(pkg, 'dist'),
    target: 'node20',
    platform: 'node',
    splitting: true,
    dts: false,
    silent: true,
  });
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(pkg, 'package.json'), JSON.stringify({
    name: manifest.name, type: manifest.type, exports: manifest.exports, dependencies: manifest.dependencies,
  }));
  for (const f of ['testing-scenario.mjs', 'testing-scenario.cjs']) await copyFile(join(root, 'test/fixtures', f), join(pkg, f));
}, 60_000);

afterAll(async () => {
  if (pkg !== '') await rm(pkg, { recursive: true, force: true });
});

/** Runs a script; resolves its exit code and output, or rejects if it does not exit within the bound. */
function run(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(pkg, script)], { cwd: pkg, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not exit by itself within ${EXIT_BOUND_MILLIS} ms; output: ${stdout} ${stderr}`));
    }, EXIT_BOUND_MILLIS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the built rocketmq-namesrv/testing', () => {
  for (const script of ['testing-scenario.mjs', 'testing-scenario.cjs']) {
    it(`works from ${script.endsWith('.mjs') ? 'ES modules (import)' : 'CommonJS (require)'} and leaves nothing running`, async () => {
      const { code, stdout, stderr } = await run(script);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const result = JSON.parse(stdout) as Record<string, unknown>;
      expect(result).toMatchObject({ brokers: ['a', 'b'], code: 0, messages: ['hi'], late: 'cut' });
      expect(result.msgId).toMatch(/^[0-9A-F]{32}$/);
    }, EXIT_BOUND_MILLIS + 5_000);
  }
});
