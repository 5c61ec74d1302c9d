/**
 * The controller's requests over {@link ReplicasState} (Java's
 * `ReplicasInfoManager` methods): each reads the state and returns its
 * answer plus the events that must be committed before the answer is sent.
 * None writes the state. Remarks and codes are Java 5.3.3's.
 * @internal
 * @module
 */
import type { BrokerValidPredicate, ElectPolicy } from './elect-policy.js';
import { ReplicasState, sortedIds, type GroupReplicas, type GroupSyncState } from './replicas-state.js';
import { ControllerResponseCode as Code, FIRST_BROKER_CONTROLLER_ID } from './response-codes.js';
import type {
  AlterSyncStateSetRequest, ApplyBrokerIdRequest, BrokerMemberGroupBody, BrokerReplicasInfoBody, CleanBrokerDataRequest, ControllerLogEvent,
  ControllerResult, ElectMasterRequest, ElectMasterResponseBody, GetNextBrokerIdRequest, RegisterBrokerToControllerRequest, ReplicaIdentity,
  ReplicasInfo, ResponseHeader, SyncStateSetBody,
} from './types.js';

/** A result with no events. */
function answer<H extends ResponseHeader, B>(code: number, remark: string | null, header: H, body: B | null = null): ControllerResult<H, B> {
  return { code, remark, header, body, events: [] };
}

function withEvents<H extends ResponseHeader, B>(header: H, body: B | null, events: ControllerLogEvent[]): ControllerResult<H, B> {
  return { code: Code.SUCCESS, remark: null, header, body, events };
}

function syncStateSetBody(sync: GroupSyncState): SyncStateSetBody {
  return { syncStateSet: sortedIds(sync.syncStateSet), syncStateSetEpoch: sync.syncStateSetEpoch };
}

function addressOf(replicas: GroupReplicas, id: number | null): string | null {
  return id === null ? null : replicas.ids.get(id)?.address ?? null;
}

/** CONTROLLER_ALTER_SYNC_STATE_SET (1001). */
export function alterSyncStateSet(
  state: ReplicasState, request: AlterSyncStateSetRequest, proposed: SyncStateSetBody, alive: BrokerValidPredicate,
): ControllerResult<{ newSyncStateSetEpoch: number | null }, SyncStateSetBody> {
  const none = { newSyncStateSetEpoch: null };
  const group = state.group(request.brokerName);
  if (group === null || !state.has(request.brokerName)) return answer(Code.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED, 'Broker metadata is not existed', none);
  const { replicas, sync } = group;
  const proposedSet = new Set(proposed.syncStateSet);
  if (proposedSet.size === sync.syncStateSet.size && [...proposedSet].every((id) => sync.syncStateSet.has(id))) {
    return answer(Code.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED, 'The newSyncStateSet is equal with oldSyncStateSet, no needed to update syncStateSet', none);
  }
  if (sync.masterBrokerId === null || sync.masterBrokerId !== request.masterBrokerId) {
    return answer(Code.CONTROLLER_INVALID_MASTER,
      `Rejecting alter syncStateSet request because the current leader is:{${sync.masterBrokerId}}, not {${request.masterBrokerId}}`, none);
  }
  if (request.masterEpoch !== sync.masterEpoch) {
    return answer(Code.CONTROLLER_FENCED_MASTER_EPOCH,
      `Rejecting alter syncStateSet request because the current master epoch is:{${sync.masterEpoch}}, not {${request.masterEpoch}}`, none);
  }
  if (proposed.syncStateSetEpoch !== sync.syncStateSetEpoch) {
    return answer(Code.CONTROLLER_FENCED_SYNC_STATE_SET_EPOCH,
      `Rejecting alter syncStateSet request because the current syncStateSet epoch is:{${sync.syncStateSetEpoch}}, not {${proposed.syncStateSetEpoch}}`, none);
  }
  for (const id of proposedSet) {
    if (!replicas.ids.has(id)) {
      return answer(Code.CONTROLLER_INVALID_REPLICAS, `Rejecting alter syncStateSet request because the replicas {${id}} don't exist`, none);
    }
    if (!alive(replicas.clusterName, replicas.brokerName, id)) {
      return answer(Code.CONTROLLER_BROKER_NOT_ALIVE, `Rejecting alter syncStateSet request because the replicas {${id}} don't alive`, none);
    }
  }
  if (!proposedSet.has(sync.masterBrokerId)) {
    return answer(Code.CONTROLLER_ALTER_SYNC_STATE_SET_FAILED,
      `Rejecting alter syncStateSet request because the newSyncStateSet don't contains origin leader {${sync.masterBrokerId}}`, none);
  }
  const epoch = sync.syncStateSetEpoch + 1;
  const ids = sortedIds(proposedSet);
  return withEvents({ newSyncStateSetEpoch: epoch }, { syncStateSet: ids, syncStateSetEpoch: epoch },
    [{ type: 'alterSyncStateSet', brokerName: request.brokerName, newSyncStateSet: ids }]);
}

/** The header of ELECT_MASTER's answer. */
export interface ElectMasterHeader extends ResponseHeader {
  masterBrokerId: number | null;
  masterAddress: string | null;
  masterEpoch: number | null;
  syncStateSetEpoch: number | null;
}

const NO_MASTER: ElectMasterHeader = { masterBrokerId: null, masterAddress: null, masterEpoch: null, syncStateSetEpoch: null };

/** CONTROLLER_ELECT_MASTER (1002), from a broker, an admin (designated) or the controller itself (brokerId -1). */
export function electMaster(
  state: ReplicasState, request: ElectMasterRequest, policy: ElectPolicy, enableElectUncleanMaster: boolean,
): ControllerResult<ElectMasterHeader, ElectMasterResponseBody> {
  const group = state.group(request.brokerName);
  if (group === null || !state.has(request.brokerName)) {
    return answer(Code.CONTROLLER_BROKER_NEED_TO_BE_REGISTERED, "Broker hasn't been registered", NO_MASTER);
  }
  const { replicas, sync } = group;
  const oldMaster = sync.masterBrokerId;
  const byController = request.brokerId === null || request.brokerId === -1;
  // Never elected before: the first broker to ask becomes master.
  let newMaster: number | null = sync.masterEpoch === 0 && !byController ? request.brokerId : null;
  if (newMaster === null) {
    newMaster = policy.elect({
      clusterName: replicas.clusterName, brokerName: replicas.brokerName, syncStateBrokers: sync.syncStateSet,
      allReplicaBrokers: enableElectUncleanMaster ? new Set(replicas.ids.keys()) : null, oldMaster,
      preferBrokerId: request.designateElect ? request.brokerId : null,
    });
  }
  if (newMaster !== null && newMaster === oldMaster) {
    return answer(Code.CONTROLLER_MASTER_STILL_EXIST,
      `The old master ${oldMaster} is still alive, not need to elect new master for broker ${replicas.brokerName}`,
      { masterBrokerId: oldMaster, masterAddress: addressOf(replicas, oldMaster), masterEpoch: sync.masterEpoch, syncStateSetEpoch: sync.syncStateSetEpoch },
      { brokerMemberGroup: null, syncStateSet: sortedIds(sync.syncStateSet) });
  }
  if (newMaster !== null) {
    return withEvents(
      { masterBrokerId: newMaster, masterAddress: addressOf(replicas, newMaster), masterEpoch: sync.masterEpoch + 1, syncStateSetEpoch: sync.syncStateSetEpoch + 1 },
      { brokerMemberGroup: memberGroup(replicas), syncStateSet: [newMaster] },
      [{ type: 'electMaster', brokerName: request.brokerName, newMasterElected: true, newMasterBrokerId: newMaster }]);
  }
  if (byController) {
    // The master is gone and nobody may take over: record that there is no master.
    return {
      code: Code.CONTROLLER_MASTER_NOT_AVAILABLE, remark: 'Old master has down and failed to elect a new broker master', header: NO_MASTER, body: null,
      events: [{ type: 'electMaster', brokerName: request.brokerName, newMasterElected: false, newMasterBrokerId: null }],
    };
  }
  return answer(Code.CONTROLLER_ELECT_MASTER_FAILED, 'Failed to elect a new master', NO_MASTER);
}

function memberGroup(replicas: GroupReplicas): BrokerMemberGroupBody {
  const brokerAddrs = new Map<number, string>();
  for (const id of sortedIds(replicas.ids.keys())) brokerAddrs.set(id, replicas.ids.get(id)?.address ?? '');
  return { cluster: replicas.clusterName, brokerName: replicas.brokerName, brokerAddrs };
}

/** CONTROLLER_GET_NEXT_BROKER_ID (1012). */
export function getNextBrokerId(state: ReplicasState, request: GetNextBrokerIdRequest): ControllerResult<{ clusterName: string; brokerName: string; nextBrokerId: number }> {
  const replicas = state.replicas.get(request.brokerName);
  const nextBrokerId = replicas === undefined ? FIRST_BROKER_CONTROLLER_ID : replicas.nextAssignBrokerId;
  return answer(Code.SUCCESS, null, { clusterName: request.clusterName, brokerName: request.brokerName, nextBrokerId });
}

/** CONTROLLER_APPLY_BROKER_ID (1013). `maxReplicas` bounds the ids all groups may hold. */
export function applyBrokerId(
  state: ReplicasState, request: ApplyBrokerIdRequest, maxReplicas: number,
): ControllerResult<{ clusterName: string; brokerName: string }> {
  const { clusterName, brokerName, appliedBrokerId: id, registerCheckCode } = request;
  const header = { clusterName, brokerName };
  const brokerAddress = registerCheckCode.split(';')[0] ?? '';
  const event: ControllerLogEvent = { type: 'applyBrokerId', clusterName, brokerName, brokerAddress, newBrokerId: id, registerCheckCode };
  const replicas = state.replicas.get(brokerName);
  const known = replicas?.ids.get(id);
  if (known === undefined && state.replicaCount() >= maxReplicas) {
    return answer(Code.CONTROLLER_BROKER_ID_INVALID, `Fail to apply brokerId: ${id} in broker-set: ${brokerName}: the controller holds ${maxReplicas} broker ids (maxReplicas)`, header);
  }
  if (replicas === undefined) {
    if (id === FIRST_BROKER_CONTROLLER_ID) return withEvents(header, null, [event]);
    return answer(Code.CONTROLLER_BROKER_ID_INVALID,
      `Broker-set: ${brokerName} hasn't been registered in controller, but broker try to apply brokerId: ${id}`, header);
  }
  // A free id, or the id this very broker (same check code) took before.
  if (known === undefined || known.registerCheckCode === registerCheckCode) return withEvents(header, null, [event]);
  return answer(Code.CONTROLLER_BROKER_ID_INVALID, `Fail to apply brokerId: ${id} in broker-set: ${brokerName}`, header);
}

/** The header of REGISTER_BROKER's answer. */
export interface RegisterBrokerHeader extends ResponseHeader {
  clusterName: string;
  brokerName: string;
  masterBrokerId: number | null;
  masterAddress: string | null;
  masterEpoch: number | null;
  syncStateSetEpoch: number | null;
}

/** CONTROLLER_REGISTER_BROKER (1003): a broker with its id says where it is, and learns the master if one is alive. */
export function registerBroker(
  state: ReplicasState, request: RegisterBrokerToControllerRequest, alive: BrokerValidPredicate,
): ControllerResult<RegisterBrokerHeader, SyncStateSetBody> {
  const { clusterName, brokerName, brokerId, brokerAddress } = request;
  const header: RegisterBrokerHeader = { clusterName, brokerName, masterBrokerId: null, masterAddress: null, masterEpoch: null, syncStateSetEpoch: null };
  const group = state.group(brokerName);
  if (group === null || !state.has(brokerName)) {
    return answer(Code.CONTROLLER_BROKER_NEED_TO_BE_REGISTERED, `Broker-set: ${brokerName} hasn't been registered in controller`, header);
  }
  const { replicas, sync } = group;
  if (!replicas.ids.has(brokerId)) {
    return answer(Code.CONTROLLER_BROKER_NEED_TO_BE_REGISTERED, `BrokerId: ${brokerId} hasn't been registered in broker-set: ${brokerName}`, header);
  }
  if (sync.masterBrokerId !== null && alive(clusterName, brokerName, sync.masterBrokerId)) {
    header.masterBrokerId = sync.masterBrokerId;
    header.masterAddress = addressOf(replicas, sync.masterBrokerId);
    header.masterEpoch = sync.masterEpoch;
    header.syncStateSetEpoch = sync.syncStateSetEpoch;
  }
  const events: ControllerLogEvent[] = addressOf(replicas, brokerId) === brokerAddress
    ? [] : [{ type: 'updateBrokerAddress', clusterName, brokerName, brokerAddress, brokerId }];
  return withEvents(header, syncStateSetBody(sync), events);
}

/** CONTROLLER_GET_REPLICA_INFO (1004). */
export function getReplicaInfo(
  state: ReplicasState, brokerName: string,
): ControllerResult<{ masterBrokerId: number | null; masterAddress: string | null; masterEpoch: number | null }, SyncStateSetBody> {
  const group = state.group(brokerName);
  if (group === null || !state.has(brokerName)) {
    return answer(Code.CONTROLLER_BROKER_METADATA_NOT_EXIST, 'Broker metadata is not existed', { masterBrokerId: null, masterAddress: null, masterEpoch: null });
  }
  const { replicas, sync } = group;
  return answer(Code.SUCCESS, null,
    { masterBrokerId: sync.masterBrokerId, masterAddress: addressOf(replicas, sync.masterBrokerId), masterEpoch: sync.masterEpoch }, syncStateSetBody(sync));
}

/** CONTROLLER_GET_SYNC_STATE_DATA (1006): each known group's replicas, in sync or not, alive or not. */
export function getSyncStateData(state: ReplicasState, brokerNames: readonly string[], alive: BrokerValidPredicate): ControllerResult<ResponseHeader, BrokerReplicasInfoBody> {
  const table = new Map<string, ReplicasInfo>();
  for (const brokerName of brokerNames) {
    const group = state.group(brokerName);
    if (group === null || !state.has(brokerName)) continue;
    table.set(brokerName, replicasInfo(group.replicas, group.sync, alive));
  }
  return answer(Code.SUCCESS, null, {}, { replicasInfoTable: table });
}

/** One group's {@link ReplicasInfo}. */
export function replicasInfo(replicas: GroupReplicas, sync: GroupSyncState, alive: BrokerValidPredicate): ReplicasInfo {
  const inSync: ReplicaIdentity[] = [];
  const notInSync: ReplicaIdentity[] = [];
  for (const id of sortedIds(replicas.ids.keys())) {
    const replica: ReplicaIdentity = {
      brokerName: replicas.brokerName, brokerId: id, brokerAddress: replicas.ids.get(id)?.address ?? '',
      alive: alive(replicas.clusterName, replicas.brokerName, id),
    };
    (sync.syncStateSet.has(id) ? inSync : notInSync).push(replica);
  }
  return {
    masterBrokerId: sync.masterBrokerId, masterAddress: addressOf(replicas, sync.masterBrokerId), masterEpoch: sync.masterEpoch,
    syncStateSetEpoch: sync.syncStateSetEpoch, inSyncReplicas: inSync, notInSyncReplicas: notInSync,
  };
}

/** CLEAN_BROKER_DATA (1011): an admin forgets a group, or some of its ids, once they are down (or by force). */
export function cleanBrokerData(state: ReplicasState, request: CleanBrokerDataRequest, alive: BrokerValidPredicate): ControllerResult {
  const { brokerName } = request;
  const idsText = request.brokerControllerIdsToClean;
  let ids: number[] | null = null;
  if (!request.isCleanLivingBroker) {
    const blank = idsText === null || idsText.trim() === '';
    const sync = state.syncStates.get(brokerName);
    // A group with a master has at least one broker alive.
    if (blank && sync !== undefined && sync.masterBrokerId !== null) {
      return answer(Code.CONTROLLER_INVALID_CLEAN_BROKER_METADATA, `Broker ${brokerName} is still alive, clean up failure`, {});
    }
    if (!blank) {
      ids = parseIds(idsText);
      if (ids === null) {
        return answer(Code.CONTROLLER_INVALID_CLEAN_BROKER_METADATA,
          `Please set the option <brokerControllerIdsToClean> according to the format, exception: java.lang.NumberFormatException: For input string: "${idsText}"`, {});
      }
      const living = ids.find((id) => alive(request.clusterName ?? '', brokerName, id));
      if (living !== undefined) {
        return answer(Code.CONTROLLER_INVALID_CLEAN_BROKER_METADATA, `Broker [${brokerName},  ${living}] is still alive, clean up failure`, {});
      }
    }
  }
  // With isCleanLivingBroker Java never reads the ids: the whole group goes.
  if (state.has(brokerName)) return withEvents({}, null, [{ type: 'cleanBrokerData', brokerName, brokerIdSetToClean: ids }]);
  return answer(Code.CONTROLLER_INVALID_CLEAN_BROKER_METADATA, `Broker ${brokerName} is not existed,clean broker data failure.`, {});
}

function parseIds(text: string | null): number[] | null {
  if (text === null) return null;
  const ids: number[] = [];
  for (const part of text.split(';')) {
    const n = /^[+-]?\d{1,19}$/.test(part) ? Number(part) : NaN;
    if (!Number.isSafeInteger(n)) return null;
    ids.push(n);
  }
  return ids;
}

/** Groups whose master is inactive while another replica is alive (Java's `scanNeedReelectBrokerSets`). */
export function scanNeedReelectBrokerSets(state: ReplicasState, alive: BrokerValidPredicate): string[] {
  return [...state.syncStates.keys()].filter((brokerName) => needsReelect(state, alive, brokerName));
}

/** Whether `brokerName`'s master is inactive while another of its replicas is alive. */
export function needsReelect(state: ReplicasState, alive: BrokerValidPredicate, brokerName: string): boolean {
  const sync = state.syncStates.get(brokerName);
  const master = sync?.masterBrokerId ?? null;
  if (sync === undefined || master === null || alive(sync.clusterName, brokerName, master)) return false;
  const ids = state.replicas.get(brokerName)?.ids.keys() ?? [];
  return [...ids].some((id) => alive(sync.clusterName, brokerName, id));
}
