/**
 * HTTP `GET /controller`: the controller's groups (master, epochs,
 * sync-state set, inactive replicas) when the handler was given one; 404
 * otherwise.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../src/controller/controller.js';
import { createHttpServer } from '../src/http/index.js';
import { RouteRegistry } from '../src/index.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(controller?: Controller): Promise<string> {
  const server = createHttpServer(new RouteRegistry(), controller === undefined ? {} : { controller });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('GET /controller', () => {
  it('shows each group: master, epochs, sync-state set and which replicas are inactive', async () => {
    const controller = new Controller();
    await controller.start();
    closers.push(() => controller.close());
    for (const id of [1, 2]) await controller.applyBrokerId({ clusterName: 'c', brokerName: 'b', appliedBrokerId: id, registerCheckCode: `a:${id};1` });
    controller.brokerHeartbeat({ clusterName: 'c', brokerName: 'b', brokerAddr: 'a:1', brokerId: 1, heartbeatTimeoutMillis: 60_000,
      epoch: null, maxOffset: null, confirmOffset: null, electionPriority: null });
    await controller.electMaster({ clusterName: 'c', brokerName: 'b', brokerId: 1, designateElect: false });
    const res = await fetch(`${await serve(controller)}/controller`);
    expect(res.status).toBe(200);
    const view = await res.json() as { isLeader: boolean; groups: unknown[]; liveBrokers: { brokerId: number }[] };
    expect(view.isLeader).toBe(true);
    expect(view.groups).toEqual([expect.objectContaining({
      brokerName: 'b', masterBrokerId: 1, masterAddress: 'a:1', masterEpoch: 1, syncStateSet: [1], inactiveBrokerIds: [2],
    })]);
    expect(view.liveBrokers.map((b) => b.brokerId)).toEqual([1]);
  });

  it('answers 404 without a controller', async () => {
    const res = await fetch(`${await serve()}/controller`);
    expect(res.status).toBe(404);
  });
});
