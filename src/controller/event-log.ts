/**
 * Where the controller's events are committed: the seam between the state
 * machine and its durability (a file) or replication (etcd). A log applies
 * committed events itself, in order, through the callback given to
 * {@link ControllerEventLog.open}: the events it replays, those this
 * instance appends, and (when replicated) those another instance appended.
 * @module
 */
import { ControllerNotLeaderError } from './errors.js';
import type { ControllerLogEvent } from './types.js';

/** Where the leading controller can be reached (GET_METADATA_INFO's answer). */
export interface ControllerLeaderInfo {
  readonly id: string;
  readonly address: string | null;
}

/** A controller event log. */
export interface ControllerEventLog {
  /**
   * Replays every committed event through `apply`, then keeps calling it for
   * events committed later (by this instance or, when replicated, another).
   * Resolves once the replay is done.
   */
  open(apply: (event: ControllerLogEvent) => void): Promise<void>;
  /**
   * Commits `events` (all or none), applies them, and resolves once they are
   * durable. Rejects with {@link ControllerNotLeaderError} when this instance
   * may not write, or `ControllerLogError` when the log failed.
   */
  append(events: readonly ControllerLogEvent[]): Promise<void>;
  /** The replication group's name (GET_METADATA_INFO's `group`), when there is one. */
  readonly group?: string;
  /** Whether this instance leads: it alone may append and answer requests. */
  isLeader(): boolean;
  /** The leader as this instance knows it, or null when there is none. */
  leader(): ControllerLeaderInfo | null;
  /** The instances of the group, Java's `peers` form (`id:address;`). */
  peers(): string;
  /** Learns where brokers reach this instance, when it was not given at construction (the remoting server tells once listening). */
  advertise?(address: string): void;
  /** Stops (a replicated log gives up leadership). Idempotent. */
  close(): Promise<void>;
}

/** A log in memory: always leader, nothing survives the process. For tests and embedding. */
export class MemoryEventLog implements ControllerEventLog {
  readonly #events: ControllerLogEvent[] = [];
  #apply: ((event: ControllerLogEvent) => void) | null = null;
  #closed = false;
  readonly #self: ControllerLeaderInfo;

  /** @param self - how GET_METADATA_INFO names this instance. */
  constructor(self: ControllerLeaderInfo = { id: 'n0', address: null }) {
    this.#self = self;
  }

  /** Every event committed so far (a copy). */
  get events(): readonly ControllerLogEvent[] {
    return [...this.#events];
  }

  open(apply: (event: ControllerLogEvent) => void): Promise<void> {
    this.#apply = apply;
    for (const event of this.#events) apply(event);
    return Promise.resolve();
  }

  append(events: readonly ControllerLogEvent[]): Promise<void> {
    if (this.#closed) return Promise.reject(new ControllerNotLeaderError('The controller log is closed'));
    for (const event of events) {
      this.#events.push(event);
      this.#apply?.(event);
    }
    return Promise.resolve();
  }

  isLeader(): boolean {
    return !this.#closed;
  }

  leader(): ControllerLeaderInfo | null {
    return this.#closed ? null : this.#self;
  }

  peers(): string {
    return `${this.#self.id}:${this.#self.address ?? ''};`;
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}
