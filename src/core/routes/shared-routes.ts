/**
 * Route parts shared between topics. Topics sit on a few sets of broker
 * groups with a few queue figures (T(10 000) of BENCH.md: 25 sets, one
 * figure), so most topics can share one frozen `queueDatas` list, one frozen
 * `brokerDatas` list and even one frozen route: routes carry no topic name.
 * Each group keeps the shared lists whose first queue is its own, in a
 * small bounded table, so a cluster with many distinct shapes only shares
 * less, never grows without bound.
 * @internal
 * @module
 */
import type { BrokerData, QueueData, TopicRouteData } from '../types.js';

/** What topics with one `queueDatas` content share. */
export interface SharedRoute {
  /** Frozen, sorted by broker name; its `QueueData`s are the groups' interned ones. */
  readonly queueDatas: readonly QueueData[];
  /** The group snapshots of the last build on this list; null before the first. */
  brokerDatas: readonly BrokerData[] | null;
  /**
   * The last route built on exactly `queueDatas` and `brokerDatas` with
   * nothing topic-specific (no filter servers, order conf, static mappings
   * or acting masters); null when none is current.
   */
  route: TopicRouteData | null;
}

/**
 * Shared lists are found by comparing elements with `===`: every shared
 * figure is an interned `QueueData`, so a scan stops at the first different
 * element, and the table is small enough that scanning it costs less than
 * keying it (a key string per build).
 */
const CAPACITY = 32;

/** The shared route parts whose lists start with one group's queues. */
export class SharedRoutes {
  readonly #items: SharedRoute[] = [];
  /** The slot the next new list replaces once the table is full. */
  #next = 0;

  /** The shared parts for a list with `list`'s content, registering `list` when none is known. */
  share(list: readonly QueueData[]): SharedRoute {
    const items = this.#items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as SharedRoute;
      if (sameElements(item.queueDatas, list)) return item;
    }
    const item: SharedRoute = { queueDatas: list, brokerDatas: null, route: null };
    if (items.length < CAPACITY) {
      items.push(item);
    } else {
      // Oldest first: topics holding a replaced list keep it; new builds just stop sharing it.
      items[this.#next] = item;
      this.#next = (this.#next + 1) % CAPACITY;
    }
    return item;
  }
}

/** True when both lists hold the same objects in the same order. */
export function sameElements<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
