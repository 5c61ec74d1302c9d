/**
 * Looking up a group's queues for each topic of a broker's table, in the
 * table's order. A broker sends its table in the same order every time, and
 * the group's `topics` Map keeps the order it first learned them in, so the
 * next topic asked for is usually the group's next key: comparing with that
 * key replaces a hash lookup per topic (and reads memory in sequence). A
 * topic out of step is looked up in the Map, so the answer is always
 * `topics.get(topic)`, whatever the order.
 * @internal
 * @module
 */
import type { QueueData } from '../types.js';

/** Lookups out of step tolerated before following the order is given up (it then costs more than it saves). */
const TOLERATED_MISSES = 32;
/** How far ahead in the group's order a miss looks for the topic (past entries the table lacks). */
const LOOK_AHEAD = 8;

/** `topics.get(topic)` for topics asked for in (about) the Map's own order. The Map must not change meanwhile. */
export class InOrderLookup {
  readonly #topics: ReadonlyMap<string, QueueData>;
  readonly #keys: Iterator<string, undefined>;
  readonly #values: Iterator<QueueData, undefined>;
  /** The group's next entry in order (undefined past the end, or once following is given up). */
  #key: string | undefined = undefined;
  #value: QueueData | undefined = undefined;
  /** Entries after it that a miss read ahead, in order. */
  readonly #aheadKeys: string[] = [];
  readonly #aheadValues: QueueData[] = [];
  #hits = 0;
  #misses = 0;

  constructor(topics: ReadonlyMap<string, QueueData>) {
    this.#topics = topics;
    this.#keys = topics.keys();
    this.#values = topics.values();
    this.#advance();
  }

  /** The queues `topics` holds for `topic`, or undefined. */
  get(topic: string): QueueData | undefined {
    if (this.#key === topic) {
      const value = this.#value;
      this.#advance();
      this.#hits++;
      return value;
    }
    return this.#miss(topic);
  }

  /**
   * Out of step. A topic the group lacks (the broker added it) leaves the
   * group's next entry waiting. A topic the group holds is either a few
   * entries ahead (the entries between are ones the table lacks: they are
   * stepped past) or elsewhere (it moved: the next entry keeps waiting).
   */
  #miss(topic: string): QueueData | undefined {
    const qd = this.#topics.get(topic);
    if (this.#key === undefined || qd === undefined) return qd;
    if (++this.#misses > TOLERATED_MISSES && this.#misses > this.#hits) {
      this.#key = undefined;
      return qd;
    }
    const keys = this.#aheadKeys;
    let at = keys.indexOf(topic);
    while (at < 0 && keys.length < LOOK_AHEAD && this.#readAhead()) {
      if (keys[keys.length - 1] === topic) at = keys.length - 1;
    }
    if (at >= 0) {
      keys.splice(0, at + 1);
      this.#aheadValues.splice(0, at + 1);
      this.#advance();
    }
    return qd;
  }

  /** Reads the next entry of the Map into the look-ahead; false at the end. */
  #readAhead(): boolean {
    const key = this.#keys.next();
    const value = this.#values.next();
    if (key.done === true || value.done === true) return false;
    this.#aheadKeys.push(key.value);
    this.#aheadValues.push(value.value);
    return true;
  }

  #advance(): void {
    if (this.#aheadKeys.length > 0) {
      this.#key = this.#aheadKeys.shift();
      this.#value = this.#aheadValues.shift();
      return;
    }
    const key = this.#keys.next();
    const value = this.#values.next();
    this.#key = key.done === true ? undefined : key.value;
    this.#value = value.done === true ? undefined : value.value;
  }
}
