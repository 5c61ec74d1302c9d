/**
 * A name server with the library's default limits, run as a child process by
 * test/attack.memory.test.ts so the test can measure its resident memory
 * alone; ATTACK_SERVER_OPTIONS (JSON) adds options. Prints `port <n>` once listening; exits on SIGTERM.
 */
import { RouteRegistry } from '../../src/index.js';
import { RemotingServer } from '../../src/remoting/index.js';

const registry = new RouteRegistry();
// Options beyond the defaults, as JSON in ATTACK_SERVER_OPTIONS (e.g. to measure a limit switched off).
const extra = JSON.parse(process.env.ATTACK_SERVER_OPTIONS ?? '{}') as Record<string, unknown>;
const server = new RemotingServer(registry, { ...extra, port: 0, host: '127.0.0.1' });
// ATTACK_SERVER_SCAN=1: silent brokers expire, as in the CLI.
if (process.env.ATTACK_SERVER_SCAN === '1') registry.start();
const { port } = await server.listen();
process.stdout.write(`port ${port}\n`);
process.once('SIGTERM', () => {
  void server.close().finally(() => {
    registry.close();
    process.exit(0);
  });
});
