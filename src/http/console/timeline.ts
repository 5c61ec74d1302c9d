/**
 * Each broker address's recent history for the console's broker page:
 * registered, heartbeats, data version changes, registrations refused or
 * ignored (and why), left (and why). Bounded per
 * address and in addresses.
 * @internal
 */
import type { BrokerUnregisterReason } from '../../core/types.js';

/** One thing that happened to a broker address. */
export type TimelineEntry =
  | { readonly kind: 'registered'; readonly at: number; readonly brokerName: string; readonly brokerId: number }
  /** Heartbeats in a row: how many were seen, the first and the last. */
  | { readonly kind: 'heartbeats'; readonly at: number; until: number; count: number }
  | { readonly kind: 'updated'; readonly at: number; readonly counter: number }
  | { readonly kind: 'left'; readonly at: number; readonly reason: BrokerUnregisterReason }
  /** A registration the registry did not apply, with the registry's reason. */
  | { readonly kind: 'refused' | 'ignored'; readonly at: number; readonly brokerId: number; readonly reason: string };

/** The timeline of one address in one cluster. */
export interface BrokerTimeline {
  readonly clusterName: string;
  readonly brokerAddr: string;
  readonly entries: TimelineEntry[];
}

/** Who the entries are about. */
export interface BrokerKey {
  readonly clusterName: string;
  readonly brokerAddr: string;
}

function keyOf(b: BrokerKey): string {
  return `${b.clusterName}\u0000${b.brokerAddr}`;
}

/** Timelines keyed by cluster and address, least recently touched first (so it is the one forgotten). */
export class BrokerTimelines {
  readonly #byKey = new Map<string, BrokerTimeline>();
  readonly #maxEntries: number;
  readonly #maxBrokers: number;

  constructor(maxEntries: number, maxBrokers: number) {
    this.#maxEntries = maxEntries;
    this.#maxBrokers = maxBrokers;
  }

  /** Appends `entry` to `broker`'s timeline; a heartbeat right after heartbeats extends that entry. */
  add(broker: BrokerKey, entry: TimelineEntry): void {
    const timeline = this.#touch(broker);
    const last = timeline.entries[timeline.entries.length - 1];
    if (entry.kind === 'heartbeats' && last?.kind === 'heartbeats') {
      last.count += entry.count;
      last.until = Math.max(last.until, entry.until);
      return;
    }
    timeline.entries.push(entry);
    if (timeline.entries.length > this.#maxEntries) timeline.entries.shift();
  }

  /** Every cluster's timeline of `brokerAddr` (usually one), or of that cluster only. */
  of(brokerAddr: string, clusterName: string | null): BrokerTimeline[] {
    if (clusterName !== null) {
      const t = this.#byKey.get(keyOf({ clusterName, brokerAddr }));
      return t === undefined ? [] : [t];
    }
    return [...this.#byKey.values()].filter((t) => t.brokerAddr === brokerAddr);
  }

  #touch(broker: BrokerKey): BrokerTimeline {
    const key = keyOf(broker);
    let timeline = this.#byKey.get(key);
    if (timeline !== undefined) this.#byKey.delete(key);
    else timeline = { clusterName: broker.clusterName, brokerAddr: broker.brokerAddr, entries: [] };
    this.#byKey.set(key, timeline);
    if (this.#byKey.size > this.#maxBrokers) this.#byKey.delete(this.#byKey.keys().next().value as string);
    return timeline;
  }
}
