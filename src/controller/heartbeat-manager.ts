/**
 * Which brokers are alive (Java's `DefaultBrokerHeartbeatManager`): each
 * controller heartbeat (904 with a broker id) refreshes its broker; a scan
 * drops those silent longer than their timeout; a closed connection drops
 * its brokers at once. Not replicated (as in Java): after a failover the
 * new leader learns liveness from the next heartbeats.
 * @internal
 * @module
 */
import { DEFAULT_HEARTBEAT_TIMEOUT_MILLIS, type BrokerLiveInfo, type ControllerHeartbeat } from './types.js';

/** Java's default election priority (`Integer.MAX_VALUE`): the lowest. */
const LOWEST_PRIORITY = 0x7fffffff;

interface LiveEntry {
  info: BrokerLiveInfo;
  channel: object | null;
}

/** The result of recording a heartbeat. */
export type HeartbeatOutcome = 'new' | 'refreshed' | 'refused';

export class HeartbeatManager {
  readonly #now: () => number;
  readonly #maxBrokers: number;
  /** identity key → what we know; a Map, since names are user strings. */
  readonly #live = new Map<string, LiveEntry>();

  constructor(now: () => number, maxBrokers: number) {
    this.#now = now;
    this.#maxBrokers = maxBrokers;
  }

  /** Brokers tracked. */
  get size(): number {
    return this.#live.size;
  }

  /** Records a heartbeat (Java's `onBrokerHeartbeat`). 'refused' when the table is full. */
  onHeartbeat(hb: ControllerHeartbeat): HeartbeatOutcome {
    const key = identityKey(hb.clusterName, hb.brokerName, hb.brokerId);
    const prev = this.#live.get(key);
    const timeout = hb.heartbeatTimeoutMillis ?? DEFAULT_HEARTBEAT_TIMEOUT_MILLIS;
    const epoch = hb.epoch ?? -1;
    const maxOffset = hb.maxOffset ?? -1;
    const priority = hb.electionPriority ?? LOWEST_PRIORITY;
    const now = this.#now();
    if (prev === undefined) {
      if (this.#live.size >= this.#maxBrokers) return 'refused';
      this.#live.set(key, {
        info: {
          clusterName: hb.clusterName, brokerName: hb.brokerName, brokerAddr: hb.brokerAddr, brokerId: hb.brokerId, lastUpdateTimestamp: now,
          heartbeatTimeoutMillis: timeout, epoch, maxOffset, confirmOffset: hb.confirmOffset ?? -1, electionPriority: priority,
        },
        channel: hb.channel ?? null,
      });
      return 'new';
    }
    const old = prev.info;
    // As Java: the replication progress only moves forward (a late heartbeat must not lower it).
    const forward = epoch > old.epoch || (epoch === old.epoch && maxOffset > old.maxOffset);
    prev.info = {
      ...old, lastUpdateTimestamp: now, heartbeatTimeoutMillis: timeout, electionPriority: priority,
      ...(forward ? { epoch, maxOffset, confirmOffset: hb.confirmOffset ?? -1 } : {}),
    };
    // Java keeps the first channel; a broker that reconnected sends on a new one, which is the one to watch.
    if (hb.channel !== undefined && hb.channel !== null) prev.channel = hb.channel;
    return 'refreshed';
  }

  /** Drops and returns the brokers silent longer than their timeout (Java's `scanNotActiveBroker`). */
  scanNotActive(): BrokerLiveInfo[] {
    const now = this.#now();
    const expired: BrokerLiveInfo[] = [];
    for (const [key, entry] of this.#live) {
      if (now - entry.info.lastUpdateTimestamp > entry.info.heartbeatTimeoutMillis) {
        this.#live.delete(key);
        expired.push(entry.info);
      }
    }
    return expired;
  }

  /** Drops and returns the brokers whose heartbeats came on `channel` (Java's `onBrokerChannelClose`). */
  onChannelClose(channel: object): BrokerLiveInfo[] {
    const dropped: BrokerLiveInfo[] = [];
    for (const [key, entry] of this.#live) {
      if (entry.channel === channel) {
        this.#live.delete(key);
        dropped.push(entry.info);
      }
    }
    return dropped;
  }

  /** Java's `isBrokerActive`: heard from within its timeout. */
  isActive(clusterName: string, brokerName: string, brokerId: number): boolean {
    const entry = this.#live.get(identityKey(clusterName, brokerName, brokerId));
    return entry !== undefined && entry.info.lastUpdateTimestamp + entry.info.heartbeatTimeoutMillis >= this.#now();
  }

  /** What the last heartbeats said, or null. */
  liveInfo(clusterName: string, brokerName: string, brokerId: number): BrokerLiveInfo | null {
    return this.#live.get(identityKey(clusterName, brokerName, brokerId))?.info ?? null;
  }

  /** Every tracked broker (a snapshot). */
  all(): BrokerLiveInfo[] {
    return [...this.#live.values()].map((entry) => entry.info);
  }
}

/** An unambiguous key for (cluster, broker name, id): names may hold any character. */
function identityKey(clusterName: string, brokerName: string, brokerId: number): string {
  return JSON.stringify([clusterName, brokerName, brokerId]);
}

