/**
 * RocketMQ's `brokerAddrTable` (broker name → group) and `clusterAddrTable`
 * (cluster → broker names), kept together with an index of which groups
 * list an address: a closing connection, an expiry or a filter server
 * change finds its groups without walking all of them.
 * @internal
 * @module
 */
import { idOfAddr, newGroup, type BrokerGroup, type LiveBroker } from './records.js';
import type { UnregisterBrokerRequest } from '../types.js';

export class GroupTable {
  /** broker name → group. */
  readonly groups = new Map<string, BrokerGroup>();
  /** cluster → broker names. */
  readonly clusters = new Map<string, Set<string>>();
  /** address → the groups listing it (any id, any cluster). */
  readonly #byAddr = new Map<string, Set<BrokerGroup>>();

  get(brokerName: string): BrokerGroup | undefined {
    return this.groups.get(brokerName);
  }

  /** The group of `brokerName` (created in `clusterName` when new), listed under `clusterName`. */
  join(clusterName: string, brokerName: string): BrokerGroup {
    let names = this.clusters.get(clusterName);
    if (names === undefined) {
      names = new Set();
      this.clusters.set(clusterName, names);
    }
    names.add(brokerName);
    let g = this.groups.get(brokerName);
    if (g === undefined) {
      g = newGroup(clusterName, brokerName);
      this.groups.set(brokerName, g);
    }
    return g;
  }

  /**
   * Removes a group and its name from every cluster listing it. RocketMQ
   * removes it from the request's cluster only, which leaves a dangling name
   * when a broker name was registered in (or is unregistered with) another cluster.
   */
  remove(g: BrokerGroup): void {
    if (this.groups.get(g.brokerName) !== g) return;
    this.groups.delete(g.brokerName);
    for (const addr of g.addrs.values()) this.#unindex(g, addr);
    for (const [cluster, names] of this.clusters) {
      if (names.delete(g.brokerName) && names.size === 0) this.clusters.delete(cluster);
    }
  }

  /** Sets id → address in `g`. */
  setAddr(g: BrokerGroup, id: number, addr: string): void {
    const old = g.addrs.get(id);
    g.addrs.set(id, addr);
    if (old !== undefined && old !== addr && idOfAddr(g, old) < 0) this.#unindex(g, old);
    let groups = this.#byAddr.get(addr);
    if (groups === undefined) {
      groups = new Set();
      this.#byAddr.set(addr, groups);
    }
    groups.add(g);
  }

  /**
   * What every registration does to its group first, as RocketMQ does even
   * for one it then refuses or ignores: sets the group's acting-master flag
   * and zone, and drops the address's other id (one record per address: a
   * role switch). Returns whether the group changed.
   */
  applyHeader(g: BrokerGroup, brokerId: number, brokerAddr: string, enableActingMaster: boolean, zoneName: string | null): boolean {
    let changed = false;
    if (g.enableActingMaster !== enableActingMaster || g.zoneName !== zoneName) {
      g.enableActingMaster = enableActingMaster;
      g.zoneName = zoneName;
      changed = true;
    }
    for (const [id, addr] of g.addrs) {
      if (addr === brokerAddr && id !== brokerId) {
        this.deleteAddr(g, id);
        changed = true;
      }
    }
    return changed;
  }

  /** Removes `id` from `g`. */
  deleteAddr(g: BrokerGroup, id: number): void {
    const addr = g.addrs.get(id);
    if (addr === undefined) return;
    g.addrs.delete(id);
    if (idOfAddr(g, addr) < 0) this.#unindex(g, addr);
  }

  /** The groups listing `addr`. */
  listing(addr: string): Iterable<BrokerGroup> {
    return this.#byAddr.get(addr) ?? [];
  }

  /**
   * RocketMQ's `setupUnRegisterRequest`: the groups of a live broker's
   * cluster that list its address, with the id they list it under. Its own
   * group (of its last registration) counts even when created in another
   * cluster, where RocketMQ finds nothing and never drops the broker.
   */
  unregisterRequestsOf(live: LiveBroker): UnregisterBrokerRequest[] {
    const out: UnregisterBrokerRequest[] = [];
    for (const g of this.listing(live.brokerAddr)) {
      if (g.cluster !== live.clusterName && g.brokerName !== live.brokerName) continue;
      const brokerId = idOfAddr(g, live.brokerAddr);
      if (brokerId >= 0) out.push({ clusterName: live.clusterName, brokerAddr: live.brokerAddr, brokerName: g.brokerName, brokerId });
    }
    return out;
  }

  #unindex(g: BrokerGroup, addr: string): void {
    const groups = this.#byAddr.get(addr);
    if (groups !== undefined && groups.delete(g) && groups.size === 0) this.#byAddr.delete(addr);
  }
}
