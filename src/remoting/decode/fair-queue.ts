/**
 * Waiting work per key (a connection), served round robin: one peer's
 * backlog never sits in front of another peer's next item.
 * @internal
 * @module
 */

/** Items queued per key; {@link FairQueue.take} serves the keys in turn. */
export class FairQueue<T> {
  /** Keys with waiting items, in the order they are served next (a served key goes to the end). */
  readonly #queues = new Map<object, T[]>();
  #size = 0;

  /** Items waiting. */
  get size(): number {
    return this.#size;
  }

  /** Queues `item` behind the key's earlier items. */
  push(key: object, item: T): void {
    const items = this.#queues.get(key);
    if (items === undefined) this.#queues.set(key, [item]);
    else items.push(item);
    this.#size++;
  }

  /** The next key's oldest item, skipping keys `ready` refuses (busy); null when none may go. */
  take(ready: (key: object) => boolean): { key: object; item: T } | null {
    for (const [key, items] of this.#queues) {
      if (!ready(key)) continue;
      const item = items.shift() as T;
      this.#size--;
      this.#queues.delete(key);
      if (items.length > 0) this.#queues.set(key, items);
      return { key, item };
    }
    return null;
  }

  /** Removes and returns every waiting item. */
  drain(): T[] {
    const all = [...this.#queues.values()].flat();
    this.#queues.clear();
    this.#size = 0;
    return all;
  }
}
