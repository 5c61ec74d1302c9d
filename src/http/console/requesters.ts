/**
 * Who asked for a topic's route recently, for the console's topic page.
 * Bounded in topics and in requesters per topic, least recent forgotten first.
 * @internal
 */

/** One remote address that asked for a topic's route. */
export interface Requester {
  readonly remoteAddress: string;
  /** Which adapter served it (`http`, or what the embedder reports). */
  readonly via: string;
  count: number;
  /** Epoch milliseconds (the registry's clock) of its latest request. */
  lastAt: number;
  /** Whether the topic had a route then. */
  found: boolean;
}

/** Recent requesters by topic. */
export class RecentRequesters {
  readonly #byTopic = new Map<string, Map<string, Requester>>();
  readonly #maxTopics: number;
  readonly #perTopic: number;

  constructor(maxTopics: number, perTopic: number) {
    this.#maxTopics = maxTopics;
    this.#perTopic = perTopic;
  }

  /** Records one route request: O(1), cheap enough for every lookup. */
  record(topic: string, remoteAddress: string, via: string, at: number, found: boolean): void {
    let requesters = this.#byTopic.get(topic);
    if (requesters !== undefined) this.#byTopic.delete(topic);
    else requesters = new Map();
    // Re-inserted: a Map iterates in insertion order, so the first key is always the least recent.
    this.#byTopic.set(topic, requesters);
    if (this.#byTopic.size > this.#maxTopics) this.#byTopic.delete(this.#byTopic.keys().next().value as string);
    const key = `${via}\u0000${remoteAddress}`;
    const known = requesters.get(key);
    if (known !== undefined) {
      requesters.delete(key);
      known.count++;
      known.lastAt = at;
      known.found = found;
      requesters.set(key, known);
      return;
    }
    requesters.set(key, { remoteAddress, via, count: 1, lastAt: at, found });
    if (requesters.size > this.#perTopic) requesters.delete(requesters.keys().next().value as string);
  }

  /** `topic`'s requesters, most recent first. */
  of(topic: string): Requester[] {
    const requesters = this.#byTopic.get(topic);
    return requesters === undefined ? [] : [...requesters.values()].reverse();
  }
}
