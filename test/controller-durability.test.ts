/**
 * The controller's file log: every acknowledged request survives the
 * process being SIGKILLed at any moment (a child process writes, the test
 * kills it, over and over), a torn last record is cut off, corruption in
 * the middle is refused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Controller } from '../src/controller/controller.js';
import { ControllerLogError } from '../src/controller/errors.js';
import { encodeRecord, FileEventLog } from '../src/controller/file-event-log.js';
import { ControllerResponseCode as Code } from '../src/controller/response-codes.js';

const WRITER = fileURLToPath(new URL('./helpers/controller-log-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
const running = new Set<ChildProcess>();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'controller-log-'));
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await Promise.all([...running].map((child) => once(child, 'exit')));
  await rm(dir, { recursive: true, force: true });
});

/** Runs the writer until it acknowledged `acks` more requests, then SIGKILLs it; returns the last acknowledged group. */
async function writeAndKill(file: string, acks: number): Promise<{ start: number; lastAck: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = once(child, 'exit');
  let start = 0;
  let lastAck = 0;
  let err = '';
  let partial = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const [what, n] = line.split(' ');
        if (what === 'start') start = Number(n);
        if (what === 'ack') lastAck = Number(n);
        // Killed while the next request is being written or fsync'd.
        if (start > 0 && lastAck >= start + acks - 1) {
          child.kill('SIGKILL');
          resolve();
        }
      }
    });
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}: ${err}`))));
  });
  await exited;
  running.delete(child);
  return { start, lastAck };
}

describe('FileEventLog', () => {
  it('loses no acknowledged request when the process is killed with SIGKILL (4 rounds)', { timeout: 90_000 }, async () => {
    const file = join(dir, 'kill', 'controller.log');
    let acknowledged = 0;
    for (let round = 0; round < 4; round++) {
      const { start, lastAck } = await writeAndKill(file, 20 + round * 7);
      // The child resumes after every record it replayed: nothing acknowledged was lost, nothing was skipped.
      expect(start).toBeGreaterThan(acknowledged);
      acknowledged = lastAck;
      const log = new FileEventLog({ path: file });
      const controller = new Controller({ log });
      await controller.start();
      // Every acknowledged group is there; at most the one in flight beyond.
      for (let i = 1; i <= lastAck; i++) {
        const info = await controller.getReplicaInfo(`g${i}`);
        expect(info.code, `g${i}`).toBe(Code.SUCCESS);
      }
      expect(log.records === lastAck || log.records === lastAck + 1).toBe(true);
      await controller.close();
    }
  });

  it('cuts a torn last record off and appends after the last whole one', async () => {
    const file = join(dir, 'torn.log');
    const whole = encodeRecord([{ type: 'applyBrokerId', clusterName: 'c', brokerName: 'b', brokerAddress: 'a', newBrokerId: 1, registerCheckCode: 'a;1' }]);
    const next = encodeRecord([{ type: 'applyBrokerId', clusterName: 'c', brokerName: 'b', brokerAddress: 'x', newBrokerId: 2, registerCheckCode: 'x;1' }]);
    await writeFile(file, Buffer.concat([whole, next.subarray(0, next.length - 3)]));
    const log = new FileEventLog({ path: file });
    const controller = new Controller({ log });
    await controller.start();
    expect(log.records).toBe(1);
    expect((await stat(file)).size).toBe(whole.length);
    expect((await controller.getNextBrokerId({ clusterName: 'c', brokerName: 'b' })).header.nextBrokerId).toBe(2);
    await controller.applyBrokerId({ clusterName: 'c', brokerName: 'b', appliedBrokerId: 2, registerCheckCode: 'y;1' });
    await controller.close();
    const again = new FileEventLog({ path: file });
    const reopened = new Controller({ log: again });
    await reopened.start();
    expect(again.records).toBe(2);
    expect((await reopened.getSyncStateData(['b'])).body?.replicasInfoTable.get('b')?.notInSyncReplicas.map((r) => r.brokerAddress)).toEqual(['a', 'y']);
    await reopened.close();
  });

  it('a garbled last record (a torn page) is cut off too; garbage in the middle is refused', async () => {
    const file = join(dir, 'garbled.log');
    const a = encodeRecord([{ type: 'cleanBrokerData', brokerName: 'b', brokerIdSetToClean: null }]);
    const b = Buffer.from(a);
    b[b.length - 1] = 0x20;
    await writeFile(file, Buffer.concat([a, b]));
    const log = new FileEventLog({ path: file });
    await log.open(() => undefined);
    expect(log.records).toBe(1);
    await log.close();
    await appendFile(file, Buffer.concat([b, a]));
    await expect(new FileEventLog({ path: file }).open(() => undefined)).rejects.toThrow(ControllerLogError);
    // The refused file is left as it was, for an operator to look at.
    expect((await readFile(file)).length).toBe(a.length * 3);
  });
});
