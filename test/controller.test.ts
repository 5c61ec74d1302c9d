/**
 * The Controller: requests committed through the log before they answer,
 * the heartbeat manager (Java's DefaultBrokerHeartbeatManagerTest and
 * ControllerManagerTest's failover), typed events, followers, config.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../src/controller/controller.js';
import type { BrokerInactiveEvent, MasterElectedEvent } from '../src/controller/controller-events.js';
import { ControllerNotLeaderError } from '../src/controller/errors.js';
import { MemoryEventLog, type ControllerEventLog } from '../src/controller/event-log.js';
import { ControllerResponseCode as Code } from '../src/controller/response-codes.js';
import { InvalidOptionError } from '../src/core/errors.js';

const CLUSTER = 'cluster1';
const GROUP = 'broker1';
const open: Controller[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function started(options: ConstructorParameters<typeof Controller>[0] = {}) {
  const clock = { now: 1_000_000 };
  const controller = new Controller({ now: () => clock.now, ...options });
  open.push(controller);
  await controller.start();
  return { controller, clock };
}

/** Java ControllerManagerTest.registerBroker: next id, apply it, register. */
async function register(controller: Controller, id: number, address: string): Promise<void> {
  const next = await controller.getNextBrokerId({ clusterName: CLUSTER, brokerName: GROUP });
  expect(next.header.nextBrokerId).toBe(id);
  expect((await controller.applyBrokerId({ clusterName: CLUSTER, brokerName: GROUP, appliedBrokerId: id, registerCheckCode: `${address};1` })).code)
    .toBe(Code.SUCCESS);
  expect((await controller.registerBroker({ clusterName: CLUSTER, brokerName: GROUP, brokerId: id, brokerAddress: address })).code).toBe(Code.SUCCESS);
}

function heartbeat(controller: Controller, id: number, address: string, timeout = 3000, channel: object | null = null): void {
  controller.brokerHeartbeat({
    clusterName: CLUSTER, brokerName: GROUP, brokerAddr: address, brokerId: id, heartbeatTimeoutMillis: timeout,
    epoch: null, maxOffset: null, confirmOffset: null, electionPriority: null, channel,
  });
}

describe('Controller', () => {
  it('a silent master is replaced by a live sync-state set member after its timeout and one scan (ControllerManagerTest)', async () => {
    const { controller, clock } = await started();
    const elected: MasterElectedEvent[] = [];
    const inactive: BrokerInactiveEvent[] = [];
    controller.on('masterElected', (e) => elected.push(e));
    controller.on('brokerInactive', (e) => inactive.push(e));
    await register(controller, 1, '127.0.0.1:8000');
    await register(controller, 2, '127.0.0.1:8001');
    heartbeat(controller, 1, '127.0.0.1:8000');
    heartbeat(controller, 2, '127.0.0.1:8001');
    const first = await controller.electMaster({ clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, designateElect: false });
    expect(first).toMatchObject({ code: Code.SUCCESS, header: { masterBrokerId: 1, masterAddress: '127.0.0.1:8000', masterEpoch: 1, syncStateSetEpoch: 1 } });
    const second = await controller.electMaster({ clusterName: CLUSTER, brokerName: GROUP, brokerId: 2, designateElect: false });
    expect(second).toMatchObject({ code: Code.CONTROLLER_MASTER_STILL_EXIST, header: { masterBrokerId: 1, masterEpoch: 1 } });
    expect(elected.map((e) => [e.masterBrokerId, e.trigger, e.notifyTargets])).toEqual([[1, 'broker', ['127.0.0.1:8000', '127.0.0.1:8001']]]);
    // The master joins 2 into the sync-state set.
    expect((await controller.alterSyncStateSet({ brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1 }, { syncStateSet: [1, 2], syncStateSetEpoch: 1 })).code)
      .toBe(Code.SUCCESS);
    // Broker 2 keeps heartbeating, broker 1 stops.
    clock.now += 2000;
    heartbeat(controller, 2, '127.0.0.1:8001');
    clock.now += 2000;
    heartbeat(controller, 2, '127.0.0.1:8001');
    await controller.scanNotActiveBrokers();
    expect(inactive).toEqual([{ clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, brokerAddr: '127.0.0.1:8000', reason: 'expired' }]);
    const info = await controller.getReplicaInfo(GROUP);
    expect(info.header).toEqual({ masterBrokerId: 2, masterAddress: '127.0.0.1:8001', masterEpoch: 2 });
    expect(elected.at(-1)).toMatchObject({ masterBrokerId: 2, trigger: 'controller', notifyTargets: ['127.0.0.1:8001'], masterEpoch: 2 });
  });

  it('a closed connection makes its broker inactive at once; the next inactive-master scan replaces it', async () => {
    const { controller } = await started({ leaderGraceMillis: 0 });
    await register(controller, 1, 'a:1');
    await register(controller, 2, 'a:2');
    const channel1 = {};
    heartbeat(controller, 1, 'a:1', 60_000, channel1);
    heartbeat(controller, 2, 'a:2', 60_000, {});
    await controller.electMaster({ clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, designateElect: false });
    await controller.alterSyncStateSet({ brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1 }, { syncStateSet: [1, 2], syncStateSetEpoch: 1 });
    const elected = new Promise<MasterElectedEvent>((resolve) => controller.once('masterElected', resolve));
    controller.onChannelClose(channel1);
    expect(controller.isBrokerActive(CLUSTER, GROUP, 1)).toBe(false);
    await controller.scanInactiveMasters();
    expect((await elected).masterBrokerId).toBe(2);
  });

  it('the inactive-master scan re-elects a group whose master is gone while a replica lives, after the leader grace period', async () => {
    const { controller, clock } = await started({ leaderGraceMillis: 10_000 });
    await register(controller, 1, 'a:1');
    await register(controller, 2, 'a:2');
    heartbeat(controller, 1, 'a:1', 1000);
    heartbeat(controller, 2, 'a:2', 60_000);
    await controller.electMaster({ clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, designateElect: false });
    await controller.alterSyncStateSet({ brokerName: GROUP, masterBrokerId: 1, masterEpoch: 1 }, { syncStateSet: [1, 2], syncStateSetEpoch: 1 });
    clock.now += 5000;
    // Within the grace period after start: brokers may not have found this instance yet.
    await controller.scanInactiveMasters();
    expect((await controller.getReplicaInfo(GROUP)).header.masterBrokerId).toBe(1);
    clock.now += 5000;
    heartbeat(controller, 2, 'a:2', 60_000);
    // No heartbeat scan ran: the master is only past its timeout.
    await controller.scanInactiveMasters();
    expect((await controller.getReplicaInfo(GROUP)).header.masterBrokerId).toBe(2);
  });

  it('without a live sync-state member the controller retries, then records no master', async () => {
    const log = new MemoryEventLog();
    const { controller, clock } = await started({ log, electMasterMaxRetryCount: 2 });
    await register(controller, 1, 'a:1');
    await register(controller, 2, 'a:2');
    heartbeat(controller, 1, 'a:1', 1000);
    heartbeat(controller, 2, 'a:2', 60_000);
    await controller.electMaster({ clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, designateElect: false });
    clock.now += 5000;
    await controller.scanNotActiveBrokers();
    const info = await controller.getReplicaInfo(GROUP);
    expect(info.header).toEqual({ masterBrokerId: null, masterAddress: null, masterEpoch: 3 });
    expect(log.events.filter((e) => e.type === 'electMaster')).toHaveLength(3);
  });

  it('answers CONTROLLER_NOT_LEADER on a follower and when the log refuses the append; metadata names the leader', async () => {
    const follower: ControllerEventLog = {
      group: 'g1', open: () => Promise.resolve(), append: () => Promise.reject(new ControllerNotLeaderError()),
      isLeader: () => false, leader: () => ({ id: 'n1', address: '10.0.0.1:9878' }), peers: () => 'n0:a;n1:10.0.0.1:9878;', close: () => Promise.resolve(),
    };
    const { controller } = await started({ log: follower });
    expect(await controller.getReplicaInfo(GROUP)).toMatchObject({ code: Code.CONTROLLER_NOT_LEADER, remark: 'The controller is not in leader state' });
    expect(controller.metadata()).toEqual({
      group: 'g1', controllerLeaderId: 'n1', controllerLeaderAddress: '10.0.0.1:9878', isLeader: false, peers: 'n0:a;n1:10.0.0.1:9878;',
    });
    const lost: ControllerEventLog = { ...follower, isLeader: () => true };
    const { controller: deposed } = await started({ log: lost });
    const r = await deposed.applyBrokerId({ clusterName: CLUSTER, brokerName: GROUP, appliedBrokerId: 1, registerCheckCode: 'a;1' });
    expect(r.code).toBe(Code.CONTROLLER_NOT_LEADER);
    // Nothing was applied: the group does not exist.
    expect((await deposed.getNextBrokerId({ clusterName: CLUSTER, brokerName: GROUP })).header.nextBrokerId).toBe(1);
  });

  it('requests run one at a time; past maxPendingRequests they are answered SYSTEM_ERROR', async () => {
    const { controller } = await started({ maxPendingRequests: 2 });
    const answers = await Promise.all([1, 2, 3].map(() => controller.getNextBrokerId({ clusterName: CLUSTER, brokerName: GROUP })));
    expect(answers.map((a) => a.code)).toEqual([Code.SUCCESS, Code.SUCCESS, Code.SYSTEM_ERROR]);
  });

  it('the heartbeat table is bounded by maxBrokers', async () => {
    const { controller } = await started({ maxBrokers: 1 });
    expect(controller.brokerHeartbeat({ clusterName: 'c', brokerName: 'b', brokerAddr: 'x', brokerId: 1, heartbeatTimeoutMillis: null,
      epoch: null, maxOffset: null, confirmOffset: null, electionPriority: null })).toBe('new');
    expect(controller.brokerHeartbeat({ clusterName: 'c', brokerName: 'b', brokerAddr: 'x', brokerId: 2, heartbeatTimeoutMillis: null,
      epoch: null, maxOffset: null, confirmOffset: null, electionPriority: null })).toBe('refused');
    expect(controller.liveBrokers()).toHaveLength(1);
  });

  it('runtime config: 1010 prints Java keys, 1009 applies them and refuses black-listed keys', async () => {
    const { controller } = await started();
    expect(controller.config.format()).toContain('enableElectUncleanMaster=false\n');
    expect(controller.config.update(new Map([['enableElectUncleanMaster', 'true'], ['unknownKey', 'x']]))).toEqual({ status: 'updated', keys: ['enableElectUncleanMaster'] });
    expect(controller.config.enableElectUncleanMaster).toBe(true);
    expect(controller.config.update(new Map([['configStorePath', '/tmp/x']]))).toEqual({ status: 'blacklisted', key: 'configStorePath' });
  });

  it('refuses unknown and invalid options', () => {
    expect(() => new Controller({ scanNotActiveBrokerInterval: 0 })).toThrow(InvalidOptionError);
    expect(() => new Controller({ nope: 1 } as never)).toThrow(InvalidOptionError);
  });

  it('view() shows groups, master, epochs, sync-state set and inactive replicas', async () => {
    const { controller } = await started();
    await register(controller, 1, 'a:1');
    await register(controller, 2, 'a:2');
    heartbeat(controller, 1, 'a:1');
    await controller.electMaster({ clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, designateElect: false });
    const view = controller.view();
    expect(view.isLeader).toBe(true);
    expect(view.groups).toEqual([{
      clusterName: CLUSTER, brokerName: GROUP, masterBrokerId: 1, masterAddress: 'a:1', masterEpoch: 1, syncStateSetEpoch: 1, syncStateSet: [1],
      replicas: [
        { brokerName: GROUP, brokerId: 1, brokerAddress: 'a:1', alive: true, inSync: true },
        { brokerName: GROUP, brokerId: 2, brokerAddress: 'a:2', alive: false, inSync: false },
      ],
      inactiveBrokerIds: [2],
    }]);
  });
});
