/**
 * The README's Kubernetes manifest, as a kubelet runs it: the container's
 * command is the process started (PID 1 of the container), and stopping the
 * pod sends SIGTERM to that process. It must exit 0 within seconds and leave
 * nothing listening. The command is read from the README, so the manifest
 * cannot drift from what this test checks; only the path of the bin (the
 * repository's, where the image has the installed package's), the addresses
 * (loopback, ephemeral ports) and the KV file (a scratch one) are replaced.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const INSTALLED_BIN = 'node_modules/rocketmq-namesrv/bin/rocketmq-namesrv.mjs';
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'namesrv-k8s-'));
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** The `command` of the README's StatefulSet container. */
async function manifestCommand(): Promise<string[]> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const yaml = /```yaml\n([\s\S]*?kind: StatefulSet[\s\S]*?)```/.exec(readme)?.[1];
  expect(yaml, 'the README has a StatefulSet manifest').toBeDefined();
  const set = parseAllDocuments(yaml as string).map((d) => d.toJS() as Record<string, unknown>).find((d) => d['kind'] === 'StatefulSet');
  const spec = (set?.['spec'] as { template: { spec: { containers: Array<{ command: string[]; livenessProbe: unknown; readinessProbe: unknown }>; securityContext: unknown } } });
  const pod = spec.template.spec;
  const container = pod.containers[0];
  expect(container?.readinessProbe).toMatchObject({ httpGet: { path: '/health/ready' } });
  expect(container?.livenessProbe).toMatchObject({ httpGet: { path: '/health/live' } });
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
  return container?.command ?? [];
}

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

it("the README manifest's command runs node as the container's process; SIGTERM to it exits 0 and frees its ports", async () => {
  const command = await manifestCommand();
  expect(command.slice(0, 2)).toEqual(['node', INSTALLED_BIN]);
  const args = command.slice(2).map((arg, i, all) => {
    const flag = all[i - 1];
    if (flag === '--port' || flag === '--http-port') return '0';
    if (flag === '--host') return '127.0.0.1';
    if (flag === '--kv-config') return join(dir, 'kvConfig.json');
    return arg;
  });
  // As the kubelet does: the process started is the one signalled (no npm, npx or shell in between).
  const child = spawn(process.execPath, [join(root, 'bin', 'rocketmq-namesrv.mjs'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  try {
    // A first start from a clone builds the server first: wait for both lines, generously.
    const deadline = Date.now() + 60_000;
    let m: RegExpExecArray | null = null;
    let h: RegExpExecArray | null = null;
    while ((m = /boot success.*address [^\s]*:(\d+)/.exec(out)) === null || (h = /HTTP API on http:\/\/[^\s]*:(\d+)/.exec(out)) === null) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`not started: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ports = [Number(m[1]), Number(h[1])];
    for (const port of ports) expect(await portOpen(port)).toBe(true);
    const ready = await fetch(`http://127.0.0.1:${ports[1]}/health/ready`);
    expect(ready.status).toBe(200);

    child.kill('SIGTERM');
    const stopped = Date.now();
    const { code, signal } = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // "Within a few seconds": the bound is wide (a loaded CI machine), far below a pod's 30 s grace period.
    expect(Date.now() - stopped).toBeLessThan(10_000);
    for (const port of ports) expect(await portOpen(port)).toBe(false);
    expect(out).toMatch(/SIGTERM received, shutting down/);
    expect(out).toMatch(/The Name Server shut down\./);
  } finally {
    child.kill('SIGKILL');
  }
}, 90_000);
