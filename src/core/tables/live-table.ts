/**
 * RocketMQ's `brokerLiveTable` (cluster → address → live broker) with its
 * two indexes: the expiry queue (a scan costs O(expired)) and the channels
 * each broker registered on (a closing connection finds its brokers in O(1)).
 * @internal
 * @module
 */
import { sameStrings } from '../routes/route-builder.js';
import { ExpiryQueue } from '../expiry/expiry-queue.js';
import type { LiveBroker } from './records.js';
import type { DataVersion, LiveBrokerInfo } from '../types.js';

/** What a registration tells the live table. */
export interface LiveRegistration {
  readonly clusterName: string;
  readonly brokerAddr: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly haServerAddr: string | null;
  readonly zoneName: string | null;
  readonly dataVersion: Required<DataVersion>;
  readonly heartbeatTimeoutMillis: number;
  /** The connection it came on, or null. */
  readonly channel: unknown;
}

export class LiveTable {
  readonly #byCluster = new Map<string, Map<string, LiveBroker>>();
  /** channel → the live brokers registered on it. */
  readonly #channels = new Map<unknown, Set<LiveBroker>>();
  readonly #expiry = new ExpiryQueue<LiveBroker>();
  #count = 0;

  /** How many addresses are live. */
  get size(): number {
    return this.#count;
  }

  get(clusterName: string, brokerAddr: string): LiveBroker | undefined {
    return this.#byCluster.get(clusterName)?.get(brokerAddr);
  }

  /** Records a registration at `now`; returns the entry when the address just became live, else null. */
  upsert(r: LiveRegistration, now: number): LiveBroker | null {
    const live = this.get(r.clusterName, r.brokerAddr);
    if (live === undefined) {
      const created: LiveBroker = {
        clusterName: r.clusterName,
        brokerAddr: r.brokerAddr,
        brokerName: r.brokerName,
        brokerId: r.brokerId,
        dataVersion: r.dataVersion,
        channels: new Set(),
        haServerAddr: r.haServerAddr,
        zoneName: r.zoneName,
        lastUpdateTimestamp: now,
        heartbeatTimeoutMillis: r.heartbeatTimeoutMillis,
        expiryPrev: null,
        expiryNext: null,
        expiryList: null,
      };
      let byAddr = this.#byCluster.get(r.clusterName);
      if (byAddr === undefined) {
        byAddr = new Map();
        this.#byCluster.set(r.clusterName, byAddr);
      }
      byAddr.set(r.brokerAddr, created);
      this.#count++;
      this.#attach(created, r.channel);
      this.#expiry.touch(created);
      return created;
    }
    live.brokerName = r.brokerName;
    live.brokerId = r.brokerId;
    live.dataVersion = r.dataVersion;
    live.haServerAddr = r.haServerAddr;
    live.zoneName = r.zoneName;
    live.lastUpdateTimestamp = now;
    if (live.heartbeatTimeoutMillis !== r.heartbeatTimeoutMillis) {
      this.#expiry.remove(live);
      live.heartbeatTimeoutMillis = r.heartbeatTimeoutMillis;
    }
    this.#expiry.touch(live);
    this.#attach(live, r.channel);
    return null;
  }

  /** A heartbeat: O(1). */
  touch(live: LiveBroker, now: number): void {
    live.lastUpdateTimestamp = now;
    this.#expiry.touch(live);
  }

  /** Removes `live`; false when it was not (or no longer) in the table. */
  remove(live: LiveBroker): boolean {
    const byAddr = this.#byCluster.get(live.clusterName);
    if (byAddr?.get(live.brokerAddr) !== live) return false;
    byAddr.delete(live.brokerAddr);
    if (byAddr.size === 0) this.#byCluster.delete(live.clusterName);
    this.#count--;
    this.#expiry.remove(live);
    for (const channel of live.channels) {
      const set = this.#channels.get(channel);
      if (set !== undefined && set.delete(live) && set.size === 0) this.#channels.delete(channel);
    }
    live.channels.clear();
    return true;
  }

  /**
   * Forgets a closed connection; returns the brokers left with no open
   * connection they registered on (those the caller drops).
   */
  forgetChannel(channel: unknown): LiveBroker[] {
    const lives = this.#channels.get(channel);
    if (lives === undefined) return [];
    this.#channels.delete(channel);
    const orphans: LiveBroker[] = [];
    for (const live of lives) {
      live.channels.delete(channel);
      if (live.channels.size === 0) orphans.push(live);
    }
    return orphans;
  }

  /** Every entry with `lastUpdateTimestamp + heartbeatTimeoutMillis < now`. */
  expired(now: number): LiveBroker[] {
    return this.#expiry.expired(now);
  }

  /** Fresh public views of every entry. */
  infos(): LiveBrokerInfo[] {
    const out: LiveBrokerInfo[] = [];
    for (const byAddr of this.#byCluster.values()) {
      for (const live of byAddr.values()) {
        out.push({
          clusterName: live.clusterName,
          brokerName: live.brokerName,
          brokerId: live.brokerId,
          brokerAddr: live.brokerAddr,
          haServerAddr: live.haServerAddr,
          zoneName: live.zoneName,
          lastUpdateTimestamp: live.lastUpdateTimestamp,
          heartbeatTimeoutMillis: live.heartbeatTimeoutMillis,
          dataVersion: { ...live.dataVersion },
        });
      }
    }
    return out;
  }

  #attach(live: LiveBroker, channel: unknown): void {
    if (channel === null || live.channels.has(channel)) return;
    live.channels.add(channel);
    let set = this.#channels.get(channel);
    if (set === undefined) {
      set = new Set();
      this.#channels.set(channel, set);
    }
    set.add(live);
  }
}

/** RocketMQ's `filterServerTable`: cluster → broker address → filter servers (keyed like the live table). */
export class FilterServerTable {
  /** cluster → address → filter servers (what routes read). */
  readonly byCluster = new Map<string, Map<string, readonly string[]>>();

  /** Sets the list of an address, or removes it (null or empty); true when that changed anything. */
  set(clusterName: string, brokerAddr: string, list: readonly string[] | null): boolean {
    const byAddr = this.byCluster.get(clusterName);
    const previous = byAddr?.get(brokerAddr);
    if (list === null || list.length === 0) {
      if (previous === undefined || byAddr === undefined) return false;
      byAddr.delete(brokerAddr);
      if (byAddr.size === 0) this.byCluster.delete(clusterName);
      return true;
    }
    if (previous !== undefined && sameStrings(previous, list)) return false;
    let target = byAddr;
    if (target === undefined) {
      target = new Map();
      this.byCluster.set(clusterName, target);
    }
    target.set(brokerAddr, list);
    return true;
  }
}
