/**
 * The broker addresses whose registrations the registry refused or ignored
 * lately, for the console's refused-registrations graph: who, how often, the
 * last reason. Bounded, the least recent forgotten first.
 * @internal
 */
import type { RegistrationNotAppliedEvent } from '../../core/types.js';

/** One address whose registrations were not applied. */
export interface NotAppliedEntry {
  readonly clusterName: string;
  readonly brokerAddr: string;
  brokerName: string;
  brokerId: number;
  outcome: 'refused' | 'ignored';
  /** The registry's reason, of the latest one. */
  reason: string;
  count: number;
  /** Epoch milliseconds (the registry's clock) of the latest one. */
  lastAt: number;
}

/** Most recent refused or ignored addresses. */
export class RecentNotApplied {
  readonly #byKey = new Map<string, NotAppliedEntry>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** Records one refused or ignored registration: O(1). */
  record(e: RegistrationNotAppliedEvent, outcome: NotAppliedEntry['outcome'], at: number): void {
    const key = `${e.clusterName}\u0000${e.brokerAddr}`;
    const known = this.#byKey.get(key);
    // Re-inserted: a Map iterates in insertion order, so the first key is always the least recent.
    if (known !== undefined) this.#byKey.delete(key);
    const entry = known ?? { clusterName: e.clusterName, brokerAddr: e.brokerAddr, brokerName: '', brokerId: 0, outcome, reason: '', count: 0, lastAt: at };
    Object.assign(entry, { brokerName: e.brokerName, brokerId: e.brokerId, outcome, reason: e.reason, count: entry.count + 1, lastAt: at });
    this.#byKey.set(key, entry);
    if (this.#byKey.size > this.#max) this.#byKey.delete(this.#byKey.keys().next().value as string);
  }

  /** Most recent first. */
  list(): NotAppliedEntry[] {
    return [...this.#byKey.values()].reverse();
  }
}
