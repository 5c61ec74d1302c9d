/**
 * The controller on the name server's port, driven by a fake broker group
 * over loopback as RocketMQ 5.3.3 brokers drive it (ReplicasManager and
 * BrokerOuterAPI): ids, registration, election, heartbeats, the sync-state
 * set, a silent master replaced from the sync-state set, and
 * NOTIFY_BROKER_ROLE_CHANGED (1008) received by the live brokers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../src/controller/controller.js';
import { RouteRegistry } from '../src/index.js';
import { RemotingClient, RemotingServer } from '../src/remoting/index.js';
import type { RemotingCommand } from '../src/remoting/command.js';
import { BrokerListener } from '../src/testing/broker-listener.js';

const CLUSTER = 'DefaultCluster';
const GROUP = 'broker-a';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface FakeBroker {
  readonly id: number;
  readonly addr: string;
  readonly client: RemotingClient;
  readonly roleChanges: RemotingCommand[];
  heartbeat(extra?: Record<string, string>): Promise<RemotingCommand>;
}

async function start(controllerOptions: ConstructorParameters<typeof Controller>[0] = {}) {
  const clock = { now: 1_000_000 };
  const controller = new Controller({ now: () => clock.now, ...controllerOptions });
  await controller.start();
  const server = new RemotingServer(new RouteRegistry(), { port: 0, host: '127.0.0.1', controller });
  const { port } = await server.listen();
  closers.push(() => controller.close(), () => server.close());
  return { clock, controller, server, port };
}

/** A broker as ReplicasManager starts one: next id, apply it, register, heartbeat. */
async function joinBroker(port: number, expectedId: number): Promise<FakeBroker> {
  const roleChanges: RemotingCommand[] = [];
  const listener = new BrokerListener((request) => {
    if (request.code === 1008) roleChanges.push(request);
    return { code: 0 };
  });
  const brokerPort = await listener.listen();
  const addr = `127.0.0.1:${brokerPort}`;
  const client = await RemotingClient.connect(port);
  closers.push(() => listener.close(), () => client.close());
  const next = await client.invoke(1012, { clusterName: CLUSTER, brokerName: GROUP });
  expect(next.code).toBe(0);
  expect(next.extFields).toEqual({ clusterName: CLUSTER, brokerName: GROUP, nextBrokerId: String(expectedId) });
  const applied = await client.invoke(1013, { clusterName: CLUSTER, brokerName: GROUP, appliedBrokerId: expectedId, registerCheckCode: `${addr};1` });
  expect(applied.code).toBe(0);
  const registered = await client.invoke(1003, { clusterName: CLUSTER, brokerName: GROUP, brokerId: expectedId, brokerAddress: addr });
  expect(registered.code).toBe(0);
  expect(JSON.parse(registered.body?.toString() ?? '')).toHaveProperty('syncStateSetEpoch');
  const heartbeat = (extra: Record<string, string> = {}) => client.invoke(904, {
    clusterName: CLUSTER, brokerName: GROUP, brokerAddr: addr, brokerId: expectedId, heartbeatTimeoutMills: 10_000, epoch: 1,
    maxOffset: 100 * expectedId, confirmOffset: 0, electionPriority: 0, ...extra,
  });
  expect((await heartbeat()).remark).toBe('Heart beat success');
  return { id: expectedId, addr, client, roleChanges, heartbeat };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('controller codes on the remoting port', () => {
  it('a broker group registers, elects, reports its sync-state set; a silent master is replaced from the set and the live brokers get 1008', async () => {
    const { clock, controller, port } = await start();
    const b1 = await joinBroker(port, 1);
    const b2 = await joinBroker(port, 2);
    const b3 = await joinBroker(port, 3);

    const meta = await b1.client.invoke(1005);
    expect(meta.extFields).toMatchObject({ isLeader: 'true', controllerLeaderAddress: `127.0.0.1:${port}`, controllerLeaderId: 'n0' });

    const elect1 = await b1.client.invoke(1002, { clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, designateElect: false });
    expect(elect1.code).toBe(0);
    expect(elect1.extFields).toEqual({ masterBrokerId: '1', masterAddress: b1.addr, masterEpoch: '1', syncStateSetEpoch: '1' });
    const body1 = JSON.parse(elect1.body?.toString() ?? '') as { brokerMemberGroup: { brokerAddrs: Record<string, string> }; syncStateSet: number[] };
    expect(body1.syncStateSet).toEqual([1]);
    expect(body1.brokerMemberGroup).toEqual({ cluster: CLUSTER, brokerName: GROUP, brokerAddrs: { 1: b1.addr, 2: b2.addr, 3: b3.addr } });
    const elect2 = await b2.client.invoke(1002, { clusterName: CLUSTER, brokerName: GROUP, brokerId: 2, designateElect: false });
    expect(elect2.code).toBe(2011);
    expect(elect2.extFields).toMatchObject({ masterBrokerId: '1', masterEpoch: '1' });

    // Every live broker was told broker 1 is master.
    await until(() => [b1, b2, b3].every((b) => b.roleChanges.length === 1), '1008 to all three');
    expect(b2.roleChanges[0]?.extFields).toEqual({ masterAddress: b1.addr, masterBrokerId: '1', masterEpoch: '1', syncStateSetEpoch: '1' });
    expect(JSON.parse(b2.roleChanges[0]?.body?.toString() ?? '')).toEqual({ syncStateSet: [1], syncStateSetEpoch: 1 });

    // The master's HA reports 2 and 3 in sync (Java's body form).
    const alter = await b1.client.invoke(1001, { brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1, invokeTime: 1 },
      Buffer.from('{"syncStateSet":[1,2,3],"syncStateSetEpoch":1}'));
    expect(alter.code).toBe(0);
    expect(alter.extFields).toEqual({ newSyncStateSetEpoch: '2' });
    const stale = await b1.client.invoke(1001, { brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1 }, Buffer.from('{"syncStateSet":[1,2],"syncStateSetEpoch":1}'));
    expect(stale.code).toBe(2001);

    // Broker 1 goes silent; 2 and 3 heartbeat on, 3 with the highest offset.
    clock.now += 6_000;
    await b2.heartbeat();
    await b3.heartbeat();
    clock.now += 6_000;
    await b2.heartbeat();
    await b3.heartbeat();
    await controller.scanNotActiveBrokers();

    const info = await b2.client.invoke(1004, { brokerName: GROUP });
    expect(info.extFields).toEqual({ masterBrokerId: '3', masterAddress: b3.addr, masterEpoch: '2' });
    expect(JSON.parse(info.body?.toString() ?? '')).toEqual({ syncStateSet: [3], syncStateSetEpoch: 3 });
    await until(() => b2.roleChanges.length === 2 && b3.roleChanges.length === 2, '1008 to the live brokers');
    expect(b3.roleChanges[1]?.extFields).toEqual({ masterAddress: b3.addr, masterBrokerId: '3', masterEpoch: '2', syncStateSetEpoch: '3' });
    // The silent broker is not told.
    expect(b1.roleChanges).toHaveLength(1);

    const data = await b2.client.invoke(1006, {}, Buffer.from(JSON.stringify([GROUP, 'unknown'])));
    const table = (JSON.parse(data.body?.toString() ?? '') as { replicasInfoTable: Record<string, { inSyncReplicas: unknown[]; notInSyncReplicas: { brokerId: number; alive: boolean }[] }> }).replicasInfoTable;
    expect(Object.keys(table)).toEqual([GROUP]);
    expect(table[GROUP]?.notInSyncReplicas.map((r) => [r.brokerId, r.alive])).toEqual([[1, false], [2, true]]);
  });

  it('a master whose connection closes is replaced at once, not at the next scan (Java\'s BrokerHousekeepingService)', async () => {
    // Scans far apart: only the closed connection can trigger this election (a real 5.3.3 group waited up to 5 s).
    const { port, controller } = await start({ leaderGraceMillis: 0, scanInactiveMasterInterval: 600_000, scanNotActiveBrokerInterval: 600_000 });
    const b1 = await joinBroker(port, 1);
    const b2 = await joinBroker(port, 2);
    await b1.client.invoke(1002, { clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, designateElect: false });
    await b1.client.invoke(1001, { brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1 }, Buffer.from('{"syncStateSet":[1,2],"syncStateSetEpoch":1}'));
    await b1.client.close();
    await until(() => !controller.isBrokerActive(CLUSTER, GROUP, 1), 'broker 1 inactive');
    await until(() => b2.roleChanges.some((r) => r.extFields.masterBrokerId === '2'), 'broker 2 told it is master');
    const info = await b2.client.invoke(1004, { brokerName: GROUP });
    expect(info.extFields).toMatchObject({ masterBrokerId: '2', masterEpoch: '2' });
  });

  it('a master whose connection closes with no replica left is recorded gone (a new epoch): a restarted master takes a newer one', async () => {
    // A real 5.3.3 group killed whole and restarted: its master came back under the same epoch,
    // rewrote its epoch file, and its slaves found no consistent point ("truncate log failed").
    const { port, controller } = await start({ leaderGraceMillis: 0, scanInactiveMasterInterval: 600_000, scanNotActiveBrokerInterval: 600_000 });
    const b1 = await joinBroker(port, 1);
    const b2 = await joinBroker(port, 2);
    await b1.client.invoke(1002, { clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, designateElect: false });
    await b1.client.invoke(1001, { brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1 }, Buffer.from('{"syncStateSet":[1,2],"syncStateSetEpoch":1}'));
    await b2.client.close();
    await until(() => !controller.isBrokerActive(CLUSTER, GROUP, 2), 'broker 2 inactive');
    await b1.client.close();
    let header: Record<string, unknown> = {};
    for (let i = 0; i < 200 && header.masterBrokerId !== null; i++) {
      header = (await controller.getReplicaInfo(GROUP)).header;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(header.masterBrokerId).toBeNull();
    const gone = Number(header.masterEpoch);
    expect(gone).toBeGreaterThan(1);
    // Broker 1 starts again: registered, no master, it asks for an election and wins a newer epoch.
    const again = await RemotingClient.connect(port);
    closers.push(() => again.close());
    const registered = await again.invoke(1003, { clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, brokerAddress: b1.addr });
    expect(registered.extFields.masterBrokerId).toBeUndefined();
    await again.invoke(904, { clusterName: CLUSTER, brokerName: GROUP, brokerAddr: b1.addr, brokerId: 1, heartbeatTimeoutMills: 10_000, epoch: 1, maxOffset: 100, confirmOffset: 0, electionPriority: 0 });
    const elected = await again.invoke(1002, { clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, designateElect: false });
    expect(elected.code).toBe(0);
    expect(Number(elected.extFields.masterEpoch)).toBeGreaterThan(gone);
  });

  it('a server shutting down (every connection closing) does not elect: nobody is alive to take over', async () => {
    const { port, controller, server } = await start({ leaderGraceMillis: 0, scanInactiveMasterInterval: 600_000, scanNotActiveBrokerInterval: 600_000 });
    await joinBroker(port, 1);
    const b2 = await joinBroker(port, 2);
    // The master is the broker that joined last: its connection is the first to close (so broker 1 still looks alive then).
    await b2.client.invoke(1002, { clusterName: CLUSTER, brokerName: GROUP, brokerId: 2, designateElect: false });
    await b2.client.invoke(1001, { brokerName: GROUP, masterBrokerId: 2, masterEpoch: 1 }, Buffer.from('{"syncStateSet":[1,2],"syncStateSetEpoch":1}'));
    const elected: number[] = [];
    controller.on('masterElected', (e) => elected.push(e.masterBrokerId));
    await server.close();
    await until(() => controller.liveBrokers().length === 0, 'every broker inactive');
    await controller.scanInactiveMasters();
    expect(elected).toEqual([]);
    expect((await controller.getReplicaInfo(GROUP)).header).toMatchObject({ masterBrokerId: 2, masterEpoch: 1 });
  });

  it('admin codes: config (1010, 1009), clean (1011), errors as Java answers them', async () => {
    const { port } = await start();
    const admin = await RemotingClient.connect(port);
    closers.push(() => admin.close());
    const config = await admin.invoke(1010);
    expect(config.body?.toString()).toContain('notifyBrokerRoleChanged=true\n');
    expect((await admin.invoke(1009, {}, Buffer.from('enableElectUncleanMaster=true\n'))).code).toBe(0);
    expect((await admin.invoke(1010)).body?.toString()).toContain('enableElectUncleanMaster=true\n');
    expect(await admin.invoke(1009, {}, Buffer.from('configStorePath=/tmp/x\n'))).toMatchObject({ code: 16, remark: 'Can not update config in black list.' });
    expect(await admin.invoke(1011, { clusterName: CLUSTER, brokerName: 'nope', isCleanLivingBroker: true }))
      .toMatchObject({ code: 2009, remark: 'Broker nope is not existed,clean broker data failure.' });
    expect(await admin.invoke(1004, { brokerName: 'nope' })).toMatchObject({ code: 2008, remark: 'Broker metadata is not existed' });
    expect(await admin.invoke(1013, { clusterName: CLUSTER, brokerName: 'g', appliedBrokerId: 2, registerCheckCode: 'a;1' })).toMatchObject({ code: 2014 });
    // A missing required field and a malformed body are SYSTEM_ERROR; the connection stays usable.
    expect((await admin.invoke(1012, { clusterName: CLUSTER })).code).toBe(1);
    expect((await admin.invoke(1001, { brokerName: 'g', masterBrokerId: 1, masterEpoch: 1 }, Buffer.from('nope'))).code).toBe(1);
    expect(await admin.invoke(1007)).toMatchObject({ code: 3, remark: ' request type 1007 not supported' });
    expect((await admin.invoke(1006)).code).toBe(1);
    // A name server heartbeat (no broker id) still goes to the registry.
    expect(await admin.invoke(904, { clusterName: CLUSTER, brokerName: GROUP, brokerAddr: 'x:1' })).toMatchObject({ code: 0, remark: null });
  });

  it('without a controller the codes are not supported', async () => {
    const server = new RemotingServer(new RouteRegistry(), { port: 0, host: '127.0.0.1' });
    const { port } = await server.listen();
    const client = await RemotingClient.connect(port);
    closers.push(() => server.close(), () => client.close());
    expect(await client.invoke(1005)).toMatchObject({ code: 3, remark: ' request type 1005 not supported' });
  });
});
