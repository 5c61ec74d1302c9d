/**
 * `npm start` as a supervisor uses it: the server runs in the process npm
 * starts (no rebuild when dist/ is current), and SIGTERM to npm leaves no
 * server behind holding the port. Runs in a scratch package (its own
 * package.json, the bin launcher and a freshly built dist/cli/main.js) so
 * the repository's dist/ is left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Inside the repository's node_modules, so the scratch package resolves its dependencies. */
const scratchParent = join(root, 'node_modules', '.cache');
const WAIT_MILLIS = 15_000;
let pkg = '';

beforeAll(async () => {
  await mkdir(scratchParent, { recursive: true });
  pkg = await mkdtemp(join(scratchParent, 'cli-start-'));
  await build({
    config: false,
    entry: { main: join(root, 'src/cli/main.ts'), 'decode-worker': join(root, 'src/remoting/decode/decode-worker.ts') },
    format: ['esm'],
    outDir: join(pkg, 'dist', 'cli'),
    target: 'node20',
    platform: 'node',
    dts: false,
    silent: true,
  });
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(pkg, 'package.json'), JSON.stringify({
    name: manifest['name'], version: manifest['version'], type: 'module', bin: manifest['bin'],
    scripts: { start: (manifest['scripts'] as Record<string, string>)['start'] },
  }));
  await mkdir(join(pkg, 'bin'));
  await copyFile(join(root, 'bin', 'rocketmq-namesrv.mjs'), join(pkg, 'bin', 'rocketmq-namesrv.mjs'));
}, 60_000);

afterAll(async () => {
  if (pkg !== '') await rm(pkg, { recursive: true, force: true });
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  it('starts without rebuilding and stops with npm on SIGTERM', async () => {
    const npm = spawn('npm', ['start', '--silent', '--', '--port', '0', '--host', '127.0.0.1', '--kv-config', join(pkg, 'kv.json')],
      { cwd: pkg, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    npm.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
    let port = 0;
    try {
      port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no boot line: ${out}`)), WAIT_MILLIS);
        npm.stdout.on('data', () => {
          const m = /boot success.*address [^\s]*:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      expect(out).not.toContain('building');
      expect(await portOpen(port)).toBe(true);
      npm.kill('SIGTERM');
      await exited;
      // The server must go too: poll (bounded) until nothing listens on its port.
      const deadline = Date.now() + WAIT_MILLIS;
      while (await portOpen(port)) {
        if (Date.now() > deadline) throw new Error(`port ${port} still listening after npm exited: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // It shut down on the signal (its output may arrive after npm's exit: it writes to the same pipe).
      while (!/SIGTERM received/.test(out)) {
        if (Date.now() > deadline) throw new Error(`no shutdown line: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      npm.kill('SIGKILL');
    }
  }, 40_000);

  it('on a fresh clone, builds the server alone (no type declarations), says so, and serves', async () => {
    // A clone without dist/: the sources, the config and the installed tools, nothing built.
    const clone = await mkdtemp(join(scratchParent, 'cli-clone-'));
    try {
      await mkdir(join(clone, 'bin'));
      await copyFile(join(root, 'bin', 'rocketmq-namesrv.mjs'), join(clone, 'bin', 'rocketmq-namesrv.mjs'));
      for (const file of ['package.json', 'tsup.config.ts', 'tsconfig.json']) await copyFile(join(root, file), join(clone, file));
      await symlink(join(root, 'src'), join(clone, 'src'), 'dir');
      await symlink(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
      const child = spawn(process.execPath, [join(clone, 'bin', 'rocketmq-namesrv.mjs'), '--port', '0', '--host', '127.0.0.1',
        '--kv-config', join(clone, 'kv.json')], { cwd: clone, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const deadline = Date.now() + 60_000;
        while (!/boot success/.test(out)) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no boot line: ${out}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(out).toMatch(/first start from a clone: building the server into dist\/cli/);
        expect(out).toMatch(/built in \d+\.\d s, starting/);
        expect(existsSync(join(clone, 'dist', 'cli', 'main.js'))).toBe(true);
        // Only the server: the library and its type declarations are `npm run build`'s.
        expect(existsSync(join(clone, 'dist', 'index.d.ts'))).toBe(false);
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
  }, 90_000);
});
