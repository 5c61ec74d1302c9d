/**
 * The bin as a RocketMQ 5 controller: `--controller-only` (Java's
 * mqcontroller) answers the controller codes and not the name server's,
 * keeps its events in `controllerStorePath` across a restart, and shows its
 * groups at HTTP `GET /controller`; `enableControllerInNamesrv=true` serves
 * both on one port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RemotingClient } from '../src/remoting/index.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts the bin; resolves its remoting and HTTP ports once it booted. */
async function startBin(args: string[]): Promise<{ child: ChildProcess; port: number; httpPort: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--host', '127.0.0.1', '--http-port', '0', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  // Up to 45 s: tsx compiles the bin first, slow on a loaded machine.
  for (let i = 0; i < 900; i++) {
    const port = /boot success.*address [^\s]*:(\d+)/.exec(out)?.[1];
    const httpPort = /HTTP API on http:\/\/[^\s]*:(\d+)/.exec(out)?.[1];
    if (port !== undefined && httpPort !== undefined) return { child, port: Number(port), httpPort: Number(httpPort) };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the bin did not boot: ${out}`);
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'controller-cli-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('rocketmq-namesrv as a controller', () => {
  it('--controller-only answers the controller codes, keeps its log across a restart, and shows /controller', { timeout: 60_000 }, async () => {
    const dir = await scratch();
    const config = join(dir, 'controller.properties');
    await writeFile(config, `controllerStorePath=${join(dir, 'store')}\nkvConfigPath=${join(dir, 'kv.json')}\ncontrollerDLegerGroup=g1\n`);
    const first = await startBin(['-c', config, '--controller-only']);
    const client = await RemotingClient.connect(first.port);
    expect((await client.invoke(1013, { clusterName: 'c', brokerName: 'broker-a', appliedBrokerId: 1, registerCheckCode: '10.0.0.1:10911;1' })).code).toBe(0);
    // mqadmin getControllerMetaData prints group and each `id:address` peer (it printed "null" and "n0:" before).
    expect((await client.invoke(1005)).extFields).toMatchObject({
      isLeader: 'true', controllerLeaderId: 'n0', group: 'g1', peers: `n0:127.0.0.1:${first.port};`, controllerLeaderAddress: `127.0.0.1:${first.port}`,
    });
    // Not a name server.
    expect(await client.invoke(105, { topic: 'TopicTest' })).toMatchObject({ code: 3, remark: ' request type 105 not supported' });
    await client.close();
    await stop(first.child);

    const second = await startBin(['-c', config, '--controller-only']);
    const again = await RemotingClient.connect(second.port);
    expect((await again.invoke(1012, { clusterName: 'c', brokerName: 'broker-a' })).extFields).toMatchObject({ nextBrokerId: '2' });
    // mqadmin getControllerConfig prints the store folder the key names (it printed the events.log inside).
    const printed = (await again.invoke(1010)).body?.toString() ?? '';
    expect(printed.split('\n')).toContain(`controllerStorePath=${join(dir, 'store')}`);
    await again.close();
    const res = await fetch(`http://127.0.0.1:${second.httpPort}/controller`);
    const view = await res.json() as { isLeader: boolean; groups: { brokerName: string; replicas: { brokerAddress: string }[] }[] };
    expect(view.isLeader).toBe(true);
    expect(view.groups.map((g) => [g.brokerName, g.replicas.map((r) => r.brokerAddress)])).toEqual([['broker-a', ['10.0.0.1:10911']]]);
  });

  it('enableControllerInNamesrv=true serves the controller beside the name server', { timeout: 60_000 }, async () => {
    const dir = await scratch();
    const config = join(dir, 'namesrv.properties');
    await writeFile(config, `enableControllerInNamesrv=true\ncontrollerStorePath=${join(dir, 'store')}\nkvConfigPath=${join(dir, 'kv.json')}\n`);
    const { port } = await startBin(['-c', config]);
    const client = await RemotingClient.connect(port);
    expect((await client.invoke(1005)).extFields).toMatchObject({ isLeader: 'true' });
    expect((await client.invoke(105, { topic: 'TopicTest' })).code).toBe(17);
    await client.close();
  });
});
