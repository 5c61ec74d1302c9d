/**
 * What `GET /stats/history` answers: types only, free of Node, so the
 * console's browser code reads the very types the server writes.
 * @internal
 */
import type { NotAppliedEntry } from './not-applied.js';

/** One sample: rates are per second over the interval before `at`. */
export interface ConsoleSample {
  readonly seq: number;
  /** Epoch milliseconds on the registry's clock. */
  readonly at: number;
  readonly routeRequests: number;
  /** Registrations by outcome: addresses that became live, heartbeats, data version changes, and addresses that left. */
  readonly registered: number;
  readonly heartbeats: number;
  readonly updated: number;
  readonly left: number;
  /** Registrations the registry did not apply: refused (RocketMQ's rules or a limit) and ignored (a newer `stateVersion` holds the id). */
  readonly refused: number;
  readonly ignored: number;
  readonly liveBrokers: number;
  /** Event-loop delay over the interval (p99 and max), milliseconds. */
  readonly loopDelayP99Millis: number;
  readonly loopDelayMaxMillis: number;
  readonly memoryUsedBytes: number;
  readonly memoryLimitBytes: number;
}

/** What `GET /stats/history` answers. */
export interface ConsoleHistoryReply {
  readonly intervalMillis: number;
  readonly capacity: number;
  /** `budget` when the memory figure is the embedder's (`memoryStats`), `heap` for the V8 heap. */
  readonly memory: 'budget' | 'heap';
  readonly samples: readonly ConsoleSample[];
  /** The addresses whose registrations were refused or ignored lately, most recent first (at most `notAppliedAddresses`). */
  readonly notApplied: readonly NotAppliedEntry[];
}
