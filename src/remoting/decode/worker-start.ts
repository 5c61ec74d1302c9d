/**
 * Starts a decode worker from its own build entry, found beside the module
 * that starts it: `decode-worker.js` in the ESM build, `decode-worker.cjs` in
 * the CJS build (tsup's shims give CJS its `import.meta.url`), and
 * `decode-worker.ts` through `ts-worker.mjs` (which registers `tsx`, a dev
 * dependency) when running from the TypeScript sources (tests). Bundled code sits at the build's root or one folder below it
 * (`dist/remoting`, `dist/cli`), so both places are tried.
 * @internal
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NamesrvError } from '../../core/errors.js';

/** The worker's build entry is missing (a broken install, or a bundler that dropped it). */
export class DecodeWorkerMissingError extends NamesrvError {
  declare readonly code: 'ERR_DECODE_WORKER_MISSING';

  constructor(tried: readonly string[]) {
    super(`the decode worker is not installed: none of ${tried.join(', ')} exists`, 'ERR_DECODE_WORKER_MISSING');
    this.name = 'DecodeWorkerMissingError';
  }
}

/** Where the worker program is, and what it is told at start. */
export interface DecodeWorkerEntry {
  readonly url: URL;
  /** For `ts-worker.mjs`: the TypeScript entry it imports. */
  readonly workerData: { readonly entry: string } | null;
}

/**
 * The worker entry for the module at `from` (its `import.meta.url`).
 * @throws {@link DecodeWorkerMissingError} when it is not there.
 */
export function findDecodeWorker(from: string): DecodeWorkerEntry {
  const extension = /\.(ts|cjs|mjs|js)$/.exec(new URL(from).pathname)?.[1] ?? 'js';
  const tried: string[] = [];
  for (const dir of ['./', '../']) {
    const url = new URL(`${dir}decode-worker.${extension}`, from);
    if (existsSync(fileURLToPath(url))) {
      return extension === 'ts' ? { url: new URL('./ts-worker.mjs', url), workerData: { entry: url.href } } : { url, workerData: null };
    }
    tried.push(fileURLToPath(url));
  }
  throw new DecodeWorkerMissingError(tried);
}

/** Starts a worker of `entry`, unreferenced (it keeps no process alive while idle). */
export function startDecodeWorker(entry: DecodeWorkerEntry): Worker {
  const worker = new Worker(entry.url, entry.workerData === null ? {} : { workerData: entry.workerData });
  worker.unref();
  return worker;
}
