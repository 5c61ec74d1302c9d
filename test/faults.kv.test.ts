/**
 * KV persistence survives a process killed mid-write: a child rewrites a
 * KvConfigStore file in a loop and is SIGKILLed at random moments, over and
 * over. After every kill the file is absent or complete, holds one whole
 * generation the child wrote (not older than what it reported durable, not
 * newer than what it had put), and the next process loads it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvConfigStore } from '../src/index.js';

const WRITER = fileURLToPath(new URL('./helpers/fuzz-kv-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEYS = 200;
const PAD = 64 * 1024;

let dir: string;
/** Writers still running: a failing assertion must not leave one behind. */
const running = new Set<ChildProcess>();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'namesrv-kv-kill-'));
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await Promise.all([...running].map((child) => once(child, 'exit')));
  await rm(dir, { recursive: true, force: true });
});

interface Progress {
  loaded: number | null;
  put: number;
  durable: number;
}

/** Starts the writer; resolves once it has loaded the file. */
async function startWriter(file: string): Promise<{ child: ChildProcess; progress: Progress; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, String(KEYS), String(PAD)], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const progress: Progress = { loaded: null, put: 0, durable: 0 };
  let err = '';
  let partial = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const loaded = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const [what, n] = line.split(' ');
        if (what === 'loaded') {
          progress.loaded = Number(n);
          resolve();
        } else if (what === 'put') progress.put = Number(n);
        else if (what === 'durable') progress.durable = Number(n);
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`writer exited (${code ?? signal}) before loading: ${err}`)));
  });
  await loaded;
  return { child, progress, stderr: () => err };
}

/** The generation the file holds, checking it is one whole generation; null when there is no file. */
async function generationOnDisk(file: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const doc = JSON.parse(text) as { configTable: { ns: Record<string, string> } };
  const ns = doc.configTable.ns;
  const n = Number(ns['k0']);
  for (let k = 0; k < KEYS; k++) expect(ns[`k${k}`], `key k${k} of a file holding generation ${n}`).toBe(String(n));
  expect(ns['pad']?.startsWith(`${n}:`)).toBe(true);
  return n;
}

async function killRepeatedly(file: string, kills: number, seed: number): Promise<{ generations: number[]; stray: string[] }> {
  let random = seed;
  const next = (): number => {
    // xorshift: reproducible kill moments per lane.
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return (random >>> 0) / 0x100000000;
  };
  const generations: number[] = [];
  let onDisk: number | null = null;
  let interrupted: string[] = [];
  for (let i = 0; i < kills; i++) {
    const { child, progress, stderr } = await startWriter(file);
    // The new process loads exactly what the last one left.
    expect(progress.loaded).toBe(onDisk ?? 0);
    // ...and removed the temp file of the write the previous kill interrupted (the new process may have begun its own).
    const left = await strayTemps(file);
    expect(left.filter((name) => interrupted.includes(name))).toEqual([]);
    // Kill at a random moment: before the first write, during one, or between writes.
    await new Promise((resolve) => setTimeout(resolve, next() * 60));
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    const [code, signal] = (await exited) as [number | null, string | null];
    expect(signal, `writer died on its own (${code}): ${stderr()}`).toBe('SIGKILL');
    onDisk = await generationOnDisk(file);
    if (progress.durable > 0) {
      expect(onDisk).not.toBeNull();
      expect(onDisk as number).toBeGreaterThanOrEqual(progress.durable);
    }
    if (onDisk !== null) expect(onDisk).toBeLessThanOrEqual(Math.max(progress.put, progress.loaded ?? 0));
    generations.push(onDisk ?? 0);
    interrupted = await strayTemps(file);
  }
  return { generations, stray: await strayTemps(file) };
}

async function strayTemps(file: string): Promise<string[]> {
  const names = await readdir(dirname(file)).catch(() => [] as string[]);
  return names.filter((f) => f.endsWith('.tmp'));
}

describe('KV persistence under SIGKILL', () => {
  it('a file rewritten by a process killed 20 times at random moments is always whole and loadable', async () => {
    // Two lanes in parallel: a 2-core machine kills 20 writers in a few seconds.
    const [a, b] = await Promise.all([
      killRepeatedly(join(dir, 'a', 'kvConfig.json'), 10, 0x9e3779b9),
      killRepeatedly(join(dir, 'b', 'kvConfig.json'), 10, 0x85ebca6b),
    ]);
    // Progress was made: the kills did not all land before the first write.
    expect(Math.max(...a.generations, ...b.generations)).toBeGreaterThan(0);
    // Each start-up cleans up after the crash before it: at most the last kill's temp file is left.
    expect(a.stray.length).toBeLessThanOrEqual(1);
    expect(b.stray.length).toBeLessThanOrEqual(1);
    // What is on disk loads in this process too, and the load removes what the last crash left.
    for (const lane of ['a', 'b']) {
      const store = new KvConfigStore({ path: join(dir, lane, 'kvConfig.json') });
      await store.load();
      const n = store.get('ns', 'k0');
      for (let k = 0; k < KEYS; k++) expect(store.get('ns', `k${k}`)).toBe(n);
      expect((await readdir(join(dir, lane))).sort()).toEqual(['kvConfig.json']);
    }
  }, 60_000);
});
