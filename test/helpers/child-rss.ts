/**
 * Measuring a server in a child process: its resident memory (Linux
 * /proc, as test/attack.memory.test.ts samples it), and the CLI started
 * from source with its ports read from the boot lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

// Resident memory sampling is the attack harness's (one sampler for every attack test).
export { rssOf, sampleRss } from './attack-harness.js';

/** A CLI child with its ports and what it wrote. */
export interface CliChild {
  readonly child: ChildProcess;
  readonly port: number;
  readonly httpPort: number;
  readonly output: () => string;
}

/** Starts `rocketmq-namesrv` from source on loopback with HTTP; resolves once both ports are bound (bounded). */
export function startCli(args: readonly string[], timeoutMillis = 20_000): Promise<CliChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--host', '127.0.0.1',
    '--http-port', '0', '--http-host', '127.0.0.1', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise<CliChild>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not start within ${timeoutMillis} ms: ${out}`));
    }, timeoutMillis);
    const check = (chunk: Buffer): void => {
      out += chunk.toString();
      const remoting = /boot success.*address [^\s]*:(\d+)/.exec(out);
      const http = /HTTP API on http:\/\/[^\s]*:(\d+)/.exec(out);
      if (remoting === null || http === null) return;
      clearTimeout(timer);
      resolve({ child, port: Number(remoting[1]), httpPort: Number(http[1]), output: () => out });
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the CLI exited early (${String(code)}): ${out}`));
    });
  });
}
