/**
 * Who becomes master (Java's `DefaultElectPolicy`): first among the
 * sync-state set, then (only with `enableElectUncleanMaster`) among every
 * replica. Among the candidates still alive: the old master if it still is
 * one, else the designated broker if any, else the best by heartbeat
 * (highest epoch, then highest offset, then lowest election priority),
 * else the lowest id.
 * @module
 */
import type { BrokerLiveInfo } from './types.js';

/** Whether a broker may be elected (alive, in Java: `BrokerValidPredicate`). */
export type BrokerValidPredicate = (clusterName: string, brokerName: string, brokerId: number) => boolean;

/** What the heartbeats said of a broker, or null (Java's `BrokerLiveInfoGetter`). */
export type BrokerLiveInfoGetter = (clusterName: string, brokerName: string, brokerId: number) => BrokerLiveInfo | null;

/** One election's question. */
export interface ElectInput {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly syncStateBrokers: ReadonlySet<number> | null;
  /** Every replica of the group: only given when unclean elections are allowed. */
  readonly allReplicaBrokers: ReadonlySet<number> | null;
  readonly oldMaster: number | null;
  /** An admin's designated broker: it or nobody. */
  readonly preferBrokerId: number | null;
}

/** Elects a master, or null when no candidate is valid. */
export interface ElectPolicy {
  elect(input: ElectInput): number | null;
}

/** Java's `DefaultElectPolicy`. */
export class DefaultElectPolicy implements ElectPolicy {
  readonly #valid: BrokerValidPredicate | null;
  readonly #liveInfo: BrokerLiveInfoGetter | null;

  /**
   * @param valid - who may be elected; null: everyone.
   * @param liveInfo - heartbeat data to rank candidates; null: the lowest id wins.
   */
  constructor(valid: BrokerValidPredicate | null = null, liveInfo: BrokerLiveInfoGetter | null = null) {
    this.#valid = valid;
    this.#liveInfo = liveInfo;
  }

  elect(input: ElectInput): number | null {
    if (input.syncStateBrokers !== null) {
      const master = this.#tryElect(input, input.syncStateBrokers);
      if (master !== null) return master;
    }
    return input.allReplicaBrokers === null ? null : this.#tryElect(input, input.allReplicaBrokers);
  }

  #tryElect(input: ElectInput, brokers: ReadonlySet<number>): number | null {
    const valid = this.#valid;
    // Ascending ids: Java's HashSet<Long> order, which decides ties and the "random" pick.
    const candidates = [...brokers]
      .filter((id) => valid === null || valid(input.clusterName, input.brokerName, id))
      .sort((a, b) => a - b);
    if (candidates.length === 0) return null;
    const { oldMaster, preferBrokerId } = input;
    if (oldMaster !== null && candidates.includes(oldMaster) && (preferBrokerId === null || preferBrokerId === oldMaster)) return oldMaster;
    if (preferBrokerId !== null) return candidates.includes(preferBrokerId) ? preferBrokerId : null;
    return this.#best(input, candidates) ?? candidates[0] ?? null;
  }

  #best(input: ElectInput, candidates: readonly number[]): number | null {
    if (this.#liveInfo === null) return null;
    let best: BrokerLiveInfo | null = null;
    for (const id of candidates) {
      const info = this.#liveInfo(input.clusterName, input.brokerName, id);
      if (info !== null && (best === null || compareLiveInfo(info, best) < 0)) best = info;
    }
    return best === null ? null : best.brokerId;
  }
}

/** Negative when `a` is the better master: higher epoch, then higher offset, then lower priority. */
export function compareLiveInfo(a: BrokerLiveInfo, b: BrokerLiveInfo): number {
  if (a.epoch !== b.epoch) return b.epoch - a.epoch;
  if (a.maxOffset !== b.maxOffset) return b.maxOffset > a.maxOffset ? 1 : -1;
  return a.electionPriority - b.electionPriority;
}
