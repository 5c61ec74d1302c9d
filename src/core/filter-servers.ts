/**
 * RocketMQ's `filterServerTable`: cluster → broker address → filter servers.
 * @internal
 * @module
 */
import { sameStrings } from './route-builder.js';

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
