/**
 * The controller's replicated state (Java's `ReplicasInfoManager` tables,
 * `BrokerReplicaInfo` and `SyncStateInfo`) and the one way to change it:
 * {@link ReplicasState.apply} of a logged event. Requests read it (see
 * replicas-requests.ts) and return events; nothing else writes it, so a
 * replay of the log rebuilds it exactly.
 * @internal
 * @module
 */
import { FIRST_BROKER_CONTROLLER_ID } from './response-codes.js';
import type { ControllerLogEvent } from './types.js';

/** One broker id of a group: where it is, and the code that lets it take the id again. */
export interface ReplicaEntry {
  address: string;
  readonly registerCheckCode: string;
}

/** A group's broker ids (Java's `BrokerReplicaInfo`). */
export interface GroupReplicas {
  readonly clusterName: string;
  readonly brokerName: string;
  /** Counts every id handed out, from 1: not max + 1 (as Java's `AtomicLong`). */
  nextAssignBrokerId: number;
  readonly ids: Map<number, ReplicaEntry>;
}

/** A group's master and sync-state set (Java's `SyncStateInfo`). */
export interface GroupSyncState {
  readonly clusterName: string;
  readonly brokerName: string;
  masterEpoch: number;
  syncStateSetEpoch: number;
  syncStateSet: Set<number>;
  masterBrokerId: number | null;
}

/** Both tables, keyed by broker name (a group is "registered" when it is in both). */
export class ReplicasState {
  readonly replicas = new Map<string, GroupReplicas>();
  readonly syncStates = new Map<string, GroupSyncState>();
  /** Events applied since start (replayed ones included). */
  #applied = 0;

  get appliedCount(): number {
    return this.#applied;
  }

  /** Java's `isContainsBroker`: the group is in both tables. */
  has(brokerName: string): boolean {
    return this.replicas.has(brokerName) && this.syncStates.has(brokerName);
  }

  /** The group's two records; only call after {@link has}. */
  group(brokerName: string): { replicas: GroupReplicas; sync: GroupSyncState } | null {
    const replicas = this.replicas.get(brokerName);
    const sync = this.syncStates.get(brokerName);
    return replicas === undefined || sync === undefined ? null : { replicas, sync };
  }

  /** How many broker ids all groups hold. */
  replicaCount(): number {
    let n = 0;
    for (const group of this.replicas.values()) n += group.ids.size;
    return n;
  }

  /** Applies one committed event (Java's `applyEvent`). */
  apply(event: ControllerLogEvent): void {
    this.#applied++;
    switch (event.type) {
      case 'applyBrokerId': return this.#applyBrokerId(event.clusterName, event.brokerName, event.newBrokerId, event.brokerAddress, event.registerCheckCode);
      case 'updateBrokerAddress': {
        const entry = this.replicas.get(event.brokerName)?.ids.get(event.brokerId);
        if (entry !== undefined) entry.address = event.brokerAddress;
        return;
      }
      case 'alterSyncStateSet': {
        const group = this.group(event.brokerName);
        if (group !== null) setSyncStateSet(group.sync, event.newSyncStateSet);
        return;
      }
      case 'electMaster': return this.#electMaster(event.brokerName, event.newMasterElected, event.newMasterBrokerId);
      case 'cleanBrokerData': return this.#clean(event.brokerName, event.brokerIdSetToClean);
    }
  }

  #applyBrokerId(clusterName: string, brokerName: string, brokerId: number, address: string, registerCheckCode: string): void {
    const group = this.group(brokerName);
    if (group !== null) {
      if (!group.replicas.ids.has(brokerId)) addBroker(group.replicas, brokerId, address, registerCheckCode);
      return;
    }
    // The group's first broker: both records start here.
    const replicas: GroupReplicas = { clusterName, brokerName, nextAssignBrokerId: FIRST_BROKER_CONTROLLER_ID, ids: new Map() };
    addBroker(replicas, brokerId, address, registerCheckCode);
    this.replicas.set(brokerName, replicas);
    this.syncStates.set(brokerName, {
      clusterName, brokerName, masterEpoch: 0, syncStateSetEpoch: 0, syncStateSet: new Set(), masterBrokerId: null,
    });
  }

  #electMaster(brokerName: string, elected: boolean, newMaster: number | null): void {
    const group = this.group(brokerName);
    if (group === null) return;
    const sync = group.sync;
    sync.masterEpoch++;
    if (elected && newMaster !== null) {
      sync.masterBrokerId = newMaster;
      setSyncStateSet(sync, [newMaster]);
    } else {
      // No replica could take over: forget the master, keep the set (it says who may take over later).
      sync.masterBrokerId = null;
    }
  }

  #clean(brokerName: string, ids: readonly number[] | null): void {
    if (ids === null || ids.length === 0) {
      this.replicas.delete(brokerName);
      this.syncStates.delete(brokerName);
      return;
    }
    const group = this.group(brokerName);
    if (group === null) return;
    for (const id of ids) {
      group.replicas.ids.delete(id);
      group.sync.syncStateSet.delete(id);
    }
    if (group.replicas.ids.size === 0) this.replicas.delete(brokerName);
    if (group.sync.syncStateSet.size === 0) this.syncStates.delete(brokerName);
  }
}

function addBroker(replicas: GroupReplicas, brokerId: number, address: string, registerCheckCode: string): void {
  replicas.ids.set(brokerId, { address, registerCheckCode });
  replicas.nextAssignBrokerId++;
}

function setSyncStateSet(sync: GroupSyncState, ids: readonly number[]): void {
  sync.syncStateSet = new Set(ids);
  sync.syncStateSetEpoch++;
}

/** Ids ascending: the order Java's `HashSet<Long>` of small ids iterates in. */
export function sortedIds(ids: Iterable<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}
