/**
 * A child process for `test/faults.kv.test.ts`: loads a KV store file, then
 * rewrites it in a loop until it is killed. Every generation `n` sets all
 * keys of namespace `ns` to `"n"` in one synchronous batch, so every state
 * the store can persist has all keys equal. It reports on stdout:
 * `loaded <n>` (the generation found on disk, 0 when none), then per
 * generation `put <n>` (changed in memory) and `durable <n>` (flushed).
 *
 * Run: `node --import tsx test/helpers/fuzz-kv-writer.ts <file> <keys> <padBytes>`.
 */
import { KvConfigStore } from '../../src/index.js';

const [path, keysArg = '50', padArg = '0'] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: fuzz-kv-writer <file> [keys] [padBytes]');
const keys = Number(keysArg);
const pad = 'x'.repeat(Number(padArg));

const store = new KvConfigStore({ path });
store.on('error', (err) => {
  process.stderr.write(`persist error: ${err.message}\n`);
  process.exit(2);
});
await store.load();
let n = Number(store.get('ns', 'k0') ?? '0');
process.stdout.write(`loaded ${n}\n`);
for (;;) {
  n++;
  for (let k = 0; k < keys; k++) store.put('ns', `k${k}`, String(n));
  // A value whose size changes every generation: a torn write would show as a truncated or mixed file.
  store.put('ns', 'pad', `${n}:${pad.slice(0, (n * 7919) % (pad.length + 1))}`);
  process.stdout.write(`put ${n}\n`);
  await store.flush();
  process.stdout.write(`durable ${n}\n`);
}
