/**
 * A plain snapshot of the controller for views (HTTP `/controller`, the
 * console): each group's master, epochs, sync-state set and replicas
 * (alive or not), and the brokers heartbeating.
 * @module
 */
import type { BrokerValidPredicate } from './elect-policy.js';
import { replicasInfo } from './replicas-requests.js';
import { sortedIds, type ReplicasState } from './replicas-state.js';
import type { BrokerLiveInfo, ReplicaIdentity } from './types.js';

/** One broker group as the controller sees it. */
export interface ControllerGroupView {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly masterBrokerId: number | null;
  readonly masterAddress: string | null;
  readonly masterEpoch: number;
  readonly syncStateSetEpoch: number;
  readonly syncStateSet: readonly number[];
  /** Every replica, ids ascending, with whether it is in the sync-state set. */
  readonly replicas: readonly (ReplicaIdentity & { readonly inSync: boolean })[];
  /** The replicas not heartbeating (ids). */
  readonly inactiveBrokerIds: readonly number[];
}

/** The whole controller. */
export interface ControllerView {
  readonly isLeader: boolean;
  readonly leaderId: string | null;
  readonly leaderAddress: string | null;
  readonly peers: string;
  /** Groups sorted by broker name. */
  readonly groups: readonly ControllerGroupView[];
  /** Brokers heartbeating to this instance. */
  readonly liveBrokers: readonly BrokerLiveInfo[];
}

export function controllerView(
  state: ReplicasState, alive: BrokerValidPredicate,
  meta: { readonly isLeader: boolean; readonly controllerLeaderId: string | null; readonly controllerLeaderAddress: string | null; readonly peers: string },
  live: readonly BrokerLiveInfo[],
): ControllerView {
  const groups: ControllerGroupView[] = [];
  for (const brokerName of [...state.replicas.keys()].sort()) {
    const group = state.group(brokerName);
    if (group === null) continue;
    const info = replicasInfo(group.replicas, group.sync, alive);
    const replicas = [
      ...info.inSyncReplicas.map((r) => ({ ...r, inSync: true })), ...info.notInSyncReplicas.map((r) => ({ ...r, inSync: false })),
    ].sort((a, b) => a.brokerId - b.brokerId);
    groups.push({
      clusterName: group.replicas.clusterName, brokerName, masterBrokerId: info.masterBrokerId, masterAddress: info.masterAddress,
      masterEpoch: info.masterEpoch, syncStateSetEpoch: info.syncStateSetEpoch, syncStateSet: sortedIds(group.sync.syncStateSet), replicas,
      inactiveBrokerIds: replicas.filter((r) => !r.alive).map((r) => r.brokerId),
    });
  }
  return {
    isLeader: meta.isLeader, leaderId: meta.controllerLeaderId, leaderAddress: meta.controllerLeaderAddress, peers: meta.peers, groups,
    liveBrokers: [...live],
  };
}
