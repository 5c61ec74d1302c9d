/**
 * The decode pool's worker program: a build entry of its own
 * (`dist/decode-worker.js` / `.cjs`), started by `DecodePool` with
 * `new Worker(url)`. It decodes each job it is sent (see `worker-job.ts`).
 * @internal
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { runDecodeJob } from './worker-job.js';
import type { DecodeJob } from './worker-protocol.js';

const port = parentPort;
port?.on('message', (job: DecodeJob) => runDecodeJob(job, (answer, transfer) => port.postMessage(answer, transfer)));
