/**
 * The controller's state machine against the scenarios of Java 5.3.3's
 * `ReplicasInfoManagerTest` and `ElectPolicyTest`-style rankings: requests
 * return events, only applying them changes the state.
 */
import { describe, expect, it } from 'vitest';
import { DefaultElectPolicy, type BrokerValidPredicate } from '../src/controller/elect-policy.js';
import { HeartbeatManager } from '../src/controller/heartbeat-manager.js';
import * as rq from '../src/controller/replicas-requests.js';
import { ReplicasState } from '../src/controller/replicas-state.js';
import { ControllerResponseCode as Code } from '../src/controller/response-codes.js';
import type { ControllerResult, ReplicasInfo } from '../src/controller/types.js';

const CLUSTER = 'cluster-a';
const GROUP = 'broker-set-a';
const IP = ['127.0.0.1:9000', '127.0.0.1:9001', '127.0.0.1:9002'] as const;
const all: BrokerValidPredicate = () => true;

function fixture(enableElectUncleanMaster = false) {
  const state = new ReplicasState();
  const apply = <R extends ControllerResult>(result: R): R => {
    for (const event of result.events) state.apply(event);
    return result;
  };
  const replicas = (): ReplicasInfo => {
    const info = rq.getSyncStateData(state, [GROUP], all).body?.replicasInfoTable.get(GROUP);
    if (info === undefined) throw new Error('group missing');
    return info;
  };
  const registerNewBroker = (address: string, expectId: number, expectMaster: number | null): void => {
    const next = rq.getNextBrokerId(state, { clusterName: CLUSTER, brokerName: GROUP });
    expect(next.code).toBe(Code.SUCCESS);
    expect(next.header.nextBrokerId).toBe(expectId);
    const applied = apply(rq.applyBrokerId(state, { clusterName: CLUSTER, brokerName: GROUP, appliedBrokerId: expectId, registerCheckCode: `${address};1` }, 100));
    expect(applied.code).toBe(Code.SUCCESS);
    expect(replicas().notInSyncReplicas.find((r) => r.brokerId === expectId)).toMatchObject({ brokerName: GROUP, brokerAddress: address });
    const registered = apply(rq.registerBroker(state, { clusterName: CLUSTER, brokerName: GROUP, brokerId: expectId, brokerAddress: address }, all));
    expect(registered.code).toBe(Code.SUCCESS);
    expect(registered.header.masterBrokerId).toBe(expectMaster);
  };
  const elect = (brokerId: number, valid: BrokerValidPredicate = all) =>
    apply(rq.electMaster(state, { clusterName: CLUSTER, brokerName: GROUP, brokerId, designateElect: false }, new DefaultElectPolicy(valid), enableElectUncleanMaster));
  const alter = (master: number, masterEpoch: number, set: number[], setEpoch: number) =>
    apply(rq.alterSyncStateSet(state, { brokerName: GROUP, masterBrokerId: master, masterEpoch }, { syncStateSet: set, syncStateSetEpoch: setEpoch }, all));
  /** Java's mockMetaData: three brokers, 1 elected, sync-state set {1,2,3}. */
  const mockMetaData = (): void => {
    registerNewBroker(IP[0], 1, null);
    registerNewBroker(IP[1], 2, null);
    registerNewBroker(IP[2], 3, null);
    expect(elect(1).header).toMatchObject({ masterBrokerId: 1, masterAddress: IP[0], masterEpoch: 1, syncStateSetEpoch: 1 });
    expect(elect(2).code).toBe(Code.CONTROLLER_MASTER_STILL_EXIST);
    expect(elect(3).code).toBe(Code.CONTROLLER_MASTER_STILL_EXIST);
    const altered = alter(1, 1, [1, 2, 3], 1);
    expect(altered.code).toBe(Code.SUCCESS);
    expect(altered.body).toEqual({ syncStateSet: [1, 2, 3], syncStateSetEpoch: 2 });
  };
  return { state, apply, replicas, registerNewBroker, elect, alter, mockMetaData };
}

describe('controller state machine (ReplicasInfoManagerTest scenarios)', () => {
  it('registers three brokers, elects the first, takes its sync-state set', () => {
    const f = fixture();
    f.mockMetaData();
    const info = f.replicas();
    expect(info).toMatchObject({ masterBrokerId: 1, masterAddress: IP[0], masterEpoch: 1, syncStateSetEpoch: 2 });
    expect(info.inSyncReplicas).toHaveLength(3);
    expect(info.notInSyncReplicas).toHaveLength(0);
  });

  it('a broker registering after the election learns the master', () => {
    const f = fixture();
    f.registerNewBroker(IP[0], 1, null);
    f.registerNewBroker(IP[1], 2, null);
    expect(f.elect(1).code).toBe(Code.SUCCESS);
    expect(f.elect(2).code).toBe(Code.CONTROLLER_MASTER_STILL_EXIST);
    f.registerNewBroker(IP[2], 3, 1);
    expect(f.elect(3).code).toBe(Code.CONTROLLER_MASTER_STILL_EXIST);
    const info = f.replicas();
    expect(info).toMatchObject({ masterBrokerId: 1, masterEpoch: 1, syncStateSetEpoch: 1 });
    expect(info.inSyncReplicas).toHaveLength(1);
    expect(info.notInSyncReplicas).toHaveLength(2);
  });

  it('when only broker 3 is alive it elects itself from the sync-state set', () => {
    const f = fixture();
    f.mockMetaData();
    const result = f.elect(3, (_c, _b, id) => id === 3);
    expect(result.code).toBe(Code.SUCCESS);
    expect(result.header).toMatchObject({ masterBrokerId: 3, masterAddress: IP[2], masterEpoch: 2, syncStateSetEpoch: 3 });
    expect(result.body?.brokerMemberGroup?.brokerAddrs).toEqual(new Map([[1, IP[0]], [2, IP[1]], [3, IP[2]]]));
    const info = f.replicas();
    expect(info).toMatchObject({ masterBrokerId: 3, masterAddress: IP[2], masterEpoch: 2, syncStateSetEpoch: 3 });
    expect(info.inSyncReplicas.map((r) => r.brokerId)).toEqual([3]);
    expect(info.notInSyncReplicas).toHaveLength(2);
  });

  it('a broker outside the sync-state set is not elected unless unclean elections are enabled', () => {
    for (const unclean of [false, true]) {
      const f = fixture(unclean);
      f.registerNewBroker(IP[0], 1, null);
      f.registerNewBroker(IP[1], 2, null);
      f.elect(1);
      // The master (1) is gone; 2 never joined the sync-state set.
      const result = f.elect(2, (_c, _b, id) => id === 2);
      if (unclean) expect(result.header).toMatchObject({ masterBrokerId: 2, masterEpoch: 2 });
      else expect(result.code).toBe(Code.CONTROLLER_ELECT_MASTER_FAILED);
    }
  });

  it('controller-triggered elections rank live brokers by epoch, then offset, then priority', () => {
    const cases: [string, (hb: HeartbeatManager, t: number) => void, number][] = [
      ['old master alive', (hb, t) => beat(hb, [[1, t, 1, 1, 0], [2, t, 1, 2, 0], [3, t, 1, 3, 0]]), 1],
      ['higher epoch', (hb, t) => beat(hb, [[1, -t, 1, 3, 0], [2, t, 1, 2, 0], [3, t, 0, 3, 0]]), 2],
      ['higher offset', (hb, t) => beat(hb, [[1, -t, 1, 3, 0], [2, t, 1, 2, 0], [3, t, 1, 3, 0]]), 3],
      ['higher priority', (hb, t) => beat(hb, [[1, -t, 1, 3, 3], [2, t, 1, 3, 2], [3, t, 1, 3, 1]]), 3],
    ];
    for (const [name, mock, expected] of cases) {
      const f = fixture();
      f.mockMetaData();
      const clock = { now: 1_000_000 };
      const hb = new HeartbeatManager(() => clock.now, 100);
      mock(hb, 10_000);
      const policy = new DefaultElectPolicy((c, b, id) => hb.isActive(c, b, id), (c, b, id) => hb.liveInfo(c, b, id));
      const result = rq.electMaster(f.state, { clusterName: '', brokerName: GROUP, brokerId: -1, designateElect: false }, policy, false);
      if (expected === 1) {
        expect(result.code, name).toBe(Code.CONTROLLER_MASTER_STILL_EXIST);
      } else {
        expect(result.header, name).toMatchObject({ masterBrokerId: expected, masterAddress: IP[expected - 1], masterEpoch: 2 });
      }
    }
  });

  it('admin designated elections: refused for a dead broker, no-op for the live master, done for a live one', () => {
    const f = fixture();
    f.mockMetaData();
    const notOne: BrokerValidPredicate = (_c, _b, id) => id !== 1;
    const first = f.apply(rq.electMaster(f.state, { clusterName: '', brokerName: GROUP, brokerId: -1, designateElect: false }, new DefaultElectPolicy(notOne), false));
    expect(first.header.masterEpoch).toBe(2);
    const master = first.header.masterBrokerId;
    expect(master).not.toBe(1);
    if (master === null || master === undefined) throw new Error('no master');
    expect(f.alter(master, 2, [1, 2, 3], first.header.syncStateSetEpoch ?? -1).code).toBe(Code.SUCCESS);
    const admin = (id: number, valid: BrokerValidPredicate) =>
      f.apply(rq.electMaster(f.state, { clusterName: CLUSTER, brokerName: GROUP, brokerId: id, designateElect: true }, new DefaultElectPolicy(valid), false));
    expect(admin(1, notOne).code).toBe(Code.CONTROLLER_ELECT_MASTER_FAILED);
    expect(admin(master, all).code).toBe(Code.CONTROLLER_MASTER_STILL_EXIST);
    const done = admin(1, (_c, _b, id) => id !== master);
    expect(done.code).toBe(Code.SUCCESS);
    expect(done.header).toMatchObject({ masterBrokerId: 1, masterAddress: IP[0], masterEpoch: 3 });
  });

  it('when no replica can take over, the controller records that the group has no master', () => {
    const f = fixture();
    f.mockMetaData();
    expect(f.alter(1, 1, [1], 2).code).toBe(Code.SUCCESS);
    const result = rq.electMaster(f.state, { clusterName: '', brokerName: GROUP, brokerId: -1, designateElect: false },
      new DefaultElectPolicy((_c, _b, id) => id !== 1), false);
    expect(result.code).toBe(Code.CONTROLLER_MASTER_NOT_AVAILABLE);
    expect(result.events).toEqual([{ type: 'electMaster', brokerName: GROUP, newMasterElected: false, newMasterBrokerId: null }]);
    f.apply(result);
    const info = rq.getReplicaInfo(f.state, GROUP);
    expect(info.header).toEqual({ masterBrokerId: null, masterAddress: null, masterEpoch: 2 });
    expect(info.body?.syncStateSet).toEqual([1]);
  });

  it('alter sync-state set checks master, epochs, replicas and liveness (Java remarks)', () => {
    const f = fixture();
    f.mockMetaData();
    const alter = (master: number, masterEpoch: number, set: number[], setEpoch: number, alive: BrokerValidPredicate = all) =>
      rq.alterSyncStateSet(f.state, { brokerName: GROUP, masterBrokerId: master, masterEpoch }, { syncStateSet: set, syncStateSetEpoch: setEpoch }, alive);
    expect(alter(1, 1, [3, 2, 1], 2)).toMatchObject({ code: Code.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED });
    expect(alter(2, 1, [1, 2], 2)).toMatchObject({
      code: Code.CONTROLLER_INVALID_MASTER, remark: 'Rejecting alter syncStateSet request because the current leader is:{1}, not {2}',
    });
    expect(alter(1, 0, [1, 2], 2).code).toBe(Code.CONTROLLER_FENCED_MASTER_EPOCH);
    expect(alter(1, 1, [1, 2], 1).code).toBe(Code.CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH);
    expect(alter(1, 1, [1, 9], 2).code).toBe(Code.CONTROLLER_INVALID_REPLICAS);
    expect(alter(1, 1, [1, 2], 2, (_c, _b, id) => id !== 2).code).toBe(Code.CONTROLLER_BROKER_NOT_ALIVE);
    expect(alter(1, 1, [2, 3], 2).code).toBe(Code.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED);
    expect(rq.alterSyncStateSet(f.state, { brokerName: 'nope', masterBrokerId: 1, masterEpoch: 1 }, { syncStateSet: [1], syncStateSetEpoch: 0 }, all).remark)
      .toBe('Broker metadata is not existed');
    expect(f.state.syncStates.get(GROUP)?.syncStateSetEpoch).toBe(2);
  });

  it('clean broker data (Java testCleanBrokerData)', () => {
    const f = fixture();
    f.mockMetaData();
    const clean = (clusterName: string | null, brokerName: string, ids: string | null, force: boolean, alive: BrokerValidPredicate) =>
      rq.cleanBrokerData(f.state, { clusterName, brokerName, brokerControllerIdsToClean: ids, isCleanLivingBroker: force }, alive);
    expect(clean(CLUSTER, GROUP, '1', false, all).code).toBe(Code.CONTROLLER_INVALID_CLEAN_BROKER_METADATA);
    expect(clean(CLUSTER, GROUP, null, false, all)).toMatchObject({
      code: Code.CONTROLLER_INVALID_CLEAN_BROKER_METADATA, remark: 'Broker broker-set-a is still alive, clean up failure',
    });
    expect(clean(CLUSTER, GROUP, '1', false, () => false).code).toBe(Code.SUCCESS);
    expect(clean(CLUSTER, GROUP, '1;2;3', false, () => false).code).toBe(Code.SUCCESS);
    expect(clean(CLUSTER, 'broker12', '1;2;3', true, () => false)).toMatchObject({
      code: Code.CONTROLLER_INVALID_CLEAN_BROKER_METADATA, remark: 'Broker broker12 is not existed,clean broker data failure.',
    });
    expect(clean(null, GROUP, '1;2;3', true, () => false).code).toBe(Code.SUCCESS);
    expect(clean(CLUSTER, GROUP, '1;x', false, () => false).code).toBe(Code.CONTROLLER_INVALID_CLEAN_BROKER_METADATA);
    // Applying a partial clean keeps the others; a whole clean forgets the group.
    f.apply(clean(CLUSTER, GROUP, '2', false, () => false));
    expect(f.replicas().inSyncReplicas.map((r) => r.brokerId)).toEqual([1, 3]);
    f.apply(clean(null, GROUP, null, true, all));
    expect(rq.getReplicaInfo(f.state, GROUP).code).toBe(Code.CONTROLLER_BROKER_METADATA_NOT_EXIST);
  });

  it('broker ids: only 1 starts a group, a taken id is refused unless the same broker asks again', () => {
    const f = fixture();
    const applyId = (id: number, code: string) =>
      f.apply(rq.applyBrokerId(f.state, { clusterName: CLUSTER, brokerName: GROUP, appliedBrokerId: id, registerCheckCode: code }, 100));
    expect(applyId(2, 'a:1;1').code).toBe(Code.CONTROLLER_BROKER_ID_INVALID);
    expect(applyId(1, 'a:1;1').code).toBe(Code.SUCCESS);
    expect(applyId(1, 'b:1;2')).toMatchObject({ code: Code.CONTROLLER_BROKER_ID_INVALID, remark: 'Fail to apply brokerId: 1 in broker-set: broker-set-a' });
    expect(applyId(1, 'a:1;1').code).toBe(Code.SUCCESS);
    expect(rq.getNextBrokerId(f.state, { clusterName: CLUSTER, brokerName: GROUP }).header.nextBrokerId).toBe(2);
    // A broker that moved keeps its id; register records the new address.
    const moved = f.apply(rq.registerBroker(f.state, { clusterName: CLUSTER, brokerName: GROUP, brokerId: 1, brokerAddress: 'a:2' }, all));
    expect(moved.events).toEqual([{ type: 'updateBrokerAddress', clusterName: CLUSTER, brokerName: GROUP, brokerAddress: 'a:2', brokerId: 1 }]);
    expect(f.state.replicas.get(GROUP)?.ids.get(1)?.address).toBe('a:2');
    expect(rq.registerBroker(f.state, { clusterName: CLUSTER, brokerName: GROUP, brokerId: 7, brokerAddress: 'x' }, all).code)
      .toBe(Code.CONTROLLER_BROKER_NEED_TO_BE_REGISTERED);
    // The replica limit.
    const limited = rq.applyBrokerId(f.state, { clusterName: CLUSTER, brokerName: 'other', appliedBrokerId: 1, registerCheckCode: 'c;1' }, 1);
    expect(limited.code).toBe(Code.CONTROLLER_BROKER_ID_INVALID);
  });

  it('names such as __proto__ are ordinary group names', () => {
    const state = new ReplicasState();
    const r = rq.applyBrokerId(state, { clusterName: 'constructor', brokerName: '__proto__', appliedBrokerId: 1, registerCheckCode: 'a;1' }, 10);
    for (const e of r.events) state.apply(e);
    expect(rq.getReplicaInfo(state, '__proto__').code).toBe(Code.SUCCESS);
    expect(rq.getReplicaInfo(state, 'toString').code).toBe(Code.CONTROLLER_BROKER_METADATA_NOT_EXIST);
  });

  it('replaying the events rebuilds the same state', () => {
    const f = fixture();
    const events: ControllerResult['events'][number][] = [];
    const state = f.state;
    const origApply = state.apply.bind(state);
    state.apply = (e) => {
      events.push(e);
      origApply(e);
    };
    f.mockMetaData();
    const replayed = new ReplicasState();
    for (const e of events) replayed.apply(e);
    expect(rq.getSyncStateData(replayed, [GROUP], all)).toEqual(rq.getSyncStateData(state, [GROUP], all));
    expect(replayed.replicas.get(GROUP)?.nextAssignBrokerId).toBe(4);
  });
});

/** Heartbeats as Java's mocks: [id, timeout, epoch, maxOffset, priority]. */
function beat(hb: HeartbeatManager, rows: [number, number, number, number, number][]): void {
  for (const [id, timeout, epoch, maxOffset, priority] of rows) {
    hb.onHeartbeat({
      clusterName: CLUSTER, brokerName: GROUP, brokerAddr: IP[id - 1] ?? '', brokerId: id, heartbeatTimeoutMillis: timeout, epoch, maxOffset,
      confirmOffset: -1, electionPriority: priority,
    });
  }
}
