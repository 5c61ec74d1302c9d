/**
 * The recent events of `/events`, kept so a client that reconnects with
 * `Last-Event-ID` gets exactly what it missed, or learns it must re-read.
 * @internal
 */
import { randomBytes } from 'node:crypto';

/** One event, already framed as Server-Sent Event text. */
interface Entry {
  readonly seq: number;
  readonly frame: string;
}

/** A bounded ring of framed events, oldest first. */
class Ring {
  readonly #entries: (Entry | undefined)[];
  #start = 0;
  #size = 0;
  /** The highest sequence number dropped to make room (0: none yet). */
  evictedUpTo = 0;

  constructor(capacity: number) {
    this.#entries = new Array<Entry | undefined>(capacity);
  }

  push(entry: Entry): void {
    const capacity = this.#entries.length;
    if (this.#size === capacity) {
      this.evictedUpTo = (this.#entries[this.#start] as Entry).seq;
      this.#entries[this.#start] = entry;
      this.#start = (this.#start + 1) % capacity;
      return;
    }
    this.#entries[(this.#start + this.#size) % capacity] = entry;
    this.#size++;
  }

  /** The entries after `seq`, oldest first. */
  after(seq: number): Entry[] {
    const out: Entry[] = [];
    for (let i = 0; i < this.#size; i++) {
      const e = this.#entries[(this.#start + i) % this.#entries.length] as Entry;
      if (e.seq > seq) out.push(e);
    }
    return out;
  }
}

/** Whether a resuming client can be caught up, and with what. */
export type Resume =
  | { readonly kind: 'replay'; readonly frames: readonly string[] }
  | { readonly kind: 'reset'; readonly reason: string };

/**
 * Numbers every event (`<boot>-<seq>`, the boot part telling a restarted
 * server from the one a client knew) and keeps the newest of two kinds apart:
 * broker and KV events, and route changes. A burst of route changes (a broker
 * with thousands of topics) thus never pushes broker events out of reach.
 */
export class EventLog {
  /** Tells this process's ids from those of an earlier run. */
  readonly #boot = randomBytes(6).toString('base64url');
  #seq = 0;
  readonly #events: Ring;
  readonly #routes: Ring;
  /** Broker and KV events are complete only after this sequence number (they are tracked only while streamed). */
  #eventsTrackedAfter = 0;
  /** Route changes likewise (tracked only while watched). */
  #routesTrackedAfter = 0;

  constructor(capacity: number) {
    this.#events = new Ring(capacity);
    this.#routes = new Ring(capacity);
  }

  /** The id of the newest event (or of the start). */
  get lastId(): string {
    return `${this.#boot}-${this.#seq}`;
  }

  /** Numbers, frames and keeps one event; returns its frame. */
  append(event: string, data: string, isRoute: boolean): string {
    const seq = ++this.#seq;
    const frame = `id: ${this.#boot}-${seq}\nevent: ${event}\ndata: ${data}\n\n`;
    (isRoute ? this.#routes : this.#events).push({ seq, frame });
    return frame;
  }

  /**
   * Call when events of a kind start being tracked again after a pause: a
   * client that saw only earlier ones may have missed some. Takes a sequence
   * number of its own, so no id sent before it can resume past the pause.
   */
  trackingStarted(kind: 'events' | 'routes'): void {
    if (kind === 'events') this.#eventsTrackedAfter = ++this.#seq;
    else this.#routesTrackedAfter = ++this.#seq;
  }

  /** What a client whose last event was `lastEventId` needs, with or without route changes. */
  resume(lastEventId: string, routes: boolean): Resume {
    const dash = lastEventId.lastIndexOf('-');
    const seq = Number(lastEventId.slice(dash + 1));
    if (dash < 0 || lastEventId.slice(0, dash) !== this.#boot || !Number.isSafeInteger(seq) || seq < 0 || seq > this.#seq) {
      return { kind: 'reset', reason: 'unknown-id' };
    }
    if (seq < this.#events.evictedUpTo || seq < this.#eventsTrackedAfter || (routes && (seq < this.#routes.evictedUpTo || seq < this.#routesTrackedAfter))) {
      return { kind: 'reset', reason: 'too-old' };
    }
    const events = this.#events.after(seq);
    if (!routes) return { kind: 'replay', frames: events.map((e) => e.frame) };
    const merged = [...events, ...this.#routes.after(seq)].sort((a, b) => a.seq - b.seq);
    return { kind: 'replay', frames: merged.map((e) => e.frame) };
  }

  /** The frame telling a client to re-read everything, numbered as the newest event. */
  resetFrame(reason: string): string {
    return `id: ${this.lastId}\nevent: reset\ndata: ${JSON.stringify({ reason })}\n\n`;
  }
}
