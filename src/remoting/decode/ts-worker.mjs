// Starts a worker entry written in TypeScript when the package runs from its sources (the tests):
// `--import tsx` in a worker's execArgv does not apply to the worker's own entry on Node 20, so this
// registers tsx, then imports the entry named in workerData. Not part of the build: there the
// compiled `decode-worker.js` (or `.cjs`) is started directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
