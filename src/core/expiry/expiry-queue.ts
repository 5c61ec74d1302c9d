/**
 * Live brokers ordered by their last heartbeat, one list per heartbeat
 * timeout. A heartbeat moves its node to the tail of its list, so within a
 * list the head is always the next to expire: a scan costs O(expired + number
 * of distinct timeouts), not O(brokers), and a heartbeat costs O(1).
 * @internal
 */

/** A node of an {@link ExpiryQueue}; the live-table entry embeds these links. */
export interface ExpiryNode {
  lastUpdateTimestamp: number;
  heartbeatTimeoutMillis: number;
  /** @internal */ expiryPrev: ExpiryNode | null;
  /** @internal */ expiryNext: ExpiryNode | null;
  /** @internal */ expiryList: ExpiryList | null;
}

interface ExpiryList {
  readonly timeoutMillis: number;
  head: ExpiryNode | null;
  tail: ExpiryNode | null;
}

export class ExpiryQueue<N extends ExpiryNode> {
  readonly #lists = new Map<number, ExpiryList>();

  /** Appends `node` (or moves it) to the tail of the list for its timeout. */
  touch(node: N): void {
    const current = node.expiryList;
    if (current !== null) {
      if (current.tail === node && current.timeoutMillis === node.heartbeatTimeoutMillis) return;
      this.remove(node);
    }
    let list = this.#lists.get(node.heartbeatTimeoutMillis);
    if (list === undefined) {
      list = { timeoutMillis: node.heartbeatTimeoutMillis, head: null, tail: null };
      this.#lists.set(node.heartbeatTimeoutMillis, list);
    }
    node.expiryList = list;
    node.expiryPrev = list.tail;
    node.expiryNext = null;
    if (list.tail === null) list.head = node;
    else list.tail.expiryNext = node;
    list.tail = node;
  }

  /** Unlinks `node`; a no-op when it is not queued. */
  remove(node: N): void {
    const list = node.expiryList;
    if (list === null) return;
    if (node.expiryPrev === null) list.head = node.expiryNext;
    else node.expiryPrev.expiryNext = node.expiryNext;
    if (node.expiryNext === null) list.tail = node.expiryPrev;
    else node.expiryNext.expiryPrev = node.expiryPrev;
    node.expiryPrev = null;
    node.expiryNext = null;
    node.expiryList = null;
    if (list.head === null) this.#lists.delete(list.timeoutMillis);
  }

  /** Every node with `lastUpdateTimestamp + heartbeatTimeoutMillis < now`, oldest first per list. */
  expired(now: number): N[] {
    const out: N[] = [];
    for (const list of this.#lists.values()) {
      for (let node = list.head; node !== null; node = node.expiryNext) {
        if (node.lastUpdateTimestamp + node.heartbeatTimeoutMillis < now) out.push(node as N);
        else break;
      }
    }
    return out;
  }
}
