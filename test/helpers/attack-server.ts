/**
 * A name server with the library's default limits, run as a child process by
 * test/attack.memory.test.ts so the test can measure its resident memory
 * alone. Prints `port <n>` once listening; exits on SIGTERM.
 */
import { RouteRegistry } from '../../src/index.js';
import { RemotingServer } from '../../src/remoting/index.js';

const registry = new RouteRegistry();
const server = new RemotingServer(registry, { port: 0, host: '127.0.0.1' });
const { port } = await server.listen();
process.stdout.write(`port ${port}\n`);
process.once('SIGTERM', () => {
  void server.close().finally(() => {
    registry.close();
    process.exit(0);
  });
});
