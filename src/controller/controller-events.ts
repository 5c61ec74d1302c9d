/**
 * What a {@link Controller} tells its listeners (eventemitter3 object map,
 * so `on` and `emit` are typed). Events come from the instance that decided
 * them (the leader), once the change is committed; followers applying the
 * same change from a replicated log do not repeat them.
 * @module
 */
import type { BrokerIdentity } from './types.js';

/** A group has a new master (an election committed). */
export interface MasterElectedEvent {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly masterBrokerId: number;
  readonly masterAddress: string | null;
  readonly masterEpoch: number;
  readonly syncStateSetEpoch: number;
  /** The new sync-state set: the master alone. */
  readonly syncStateSet: readonly number[];
  /** Every replica of the group: id → address. */
  readonly brokerAddrs: ReadonlyMap<number, string>;
  /**
   * The live replicas' addresses to send NOTIFY_BROKER_ROLE_CHANGED (1008)
   * to; empty when `notifyBrokerRoleChanged` is off.
   */
  readonly notifyTargets: readonly string[];
  /** Who asked: a broker for itself, an admin's designated election, or the controller after the master went silent. */
  readonly trigger: 'broker' | 'admin' | 'controller';
}

/** A group's sync-state set changed (the master reported a new one, or an election reset it). */
export interface SyncStateSetChangedEvent {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly syncStateSet: readonly number[];
  readonly syncStateSetEpoch: number;
}

/** A broker stopped heartbeating (its timeout passed) or its connection closed. */
export interface BrokerInactiveEvent extends BrokerIdentity {
  readonly brokerAddr: string;
  readonly reason: 'expired' | 'channelClosed';
}

/** The controller's events. */
export interface ControllerEvents {
  masterElected: [event: MasterElectedEvent];
  syncStateSetChanged: [event: SyncStateSetChangedEvent];
  brokerInactive: [event: BrokerInactiveEvent];
  /** A scheduled scan or election failed (the log could not be written, …); the next scan tries again. */
  error: [error: Error];
}
