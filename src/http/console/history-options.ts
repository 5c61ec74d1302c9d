/**
 * Options of the console's history (graph samples, broker timelines, recent
 * route requesters): one readonly type, defaults in one place.
 * @module
 */
import { checkFunction, checkNumber, checkOptions, checkPositiveInteger } from '../../core/option-checks.js';

/** The memory figure a graph shows: bytes held now out of a limit (what `RemotingServer.memoryStats()` returns). */
export interface ConsoleMemoryStats {
  readonly heldBytes: number;
  readonly limitBytes: number;
}

/** Options of the console's history, the `consoleHistory` option of {@link createHttpHandler}. */
export interface ConsoleHistoryOptions {
  /**
   * How often a sample is taken (route requests, registrations by outcome,
   * live brokers, event-loop delay, memory).
   * @default 2_000
   */
  readonly intervalMillis?: number;
  /**
   * How many samples are kept (the oldest is dropped): 450 × 2 s = 15 minutes.
   * @default 450
   */
  readonly samples?: number;
  /**
   * Most timeline entries kept per broker address (heartbeats in a row count as one).
   * @default 64
   */
  readonly timelineEntries?: number;
  /**
   * Most broker addresses with a timeline; past it the one seen least recently is forgotten.
   * @default 1_024
   */
  readonly timelineBrokers?: number;
  /**
   * Most topics whose recent requesters are kept; past it the topic asked for least recently is forgotten.
   * @default 1_024
   */
  readonly requesterTopics?: number;
  /**
   * Most requesters (remote addresses) kept per topic.
   * @default 16
   */
  readonly requestersPerTopic?: number;
  /**
   * Most broker addresses whose registrations were refused or ignored kept
   * (for the refused graph's note and `/stats/history`'s `notApplied`); the least recent is forgotten.
   * @default 16
   */
  readonly notAppliedAddresses?: number;
  /**
   * The memory graph's figure, e.g. `() => remotingServer.memoryStats()`.
   * @default the process's V8 heap in use out of its limit
   */
  readonly memoryStats?: () => ConsoleMemoryStats;
  /**
   * Route requests served elsewhere (e.g. by a remoting server) since start:
   * a counter the sampler reads and adds to the HTTP route lookups it counts itself.
   * @default none: only this handler's `GET /topics/:topic/route` lookups are counted
   */
  readonly routeRequests?: () => number;
}

/** The defaults of {@link ConsoleHistoryOptions}. */
export const CONSOLE_HISTORY_DEFAULTS = Object.freeze({
  intervalMillis: 2_000,
  samples: 450,
  timelineEntries: 64,
  timelineBrokers: 1_024,
  requesterTopics: 1_024,
  requestersPerTopic: 16,
  notAppliedAddresses: 16,
});

/** {@link ConsoleHistoryOptions} with every default applied. */
export interface ResolvedConsoleHistoryOptions {
  readonly intervalMillis: number;
  readonly samples: number;
  readonly timelineEntries: number;
  readonly timelineBrokers: number;
  readonly requesterTopics: number;
  readonly requestersPerTopic: number;
  readonly notAppliedAddresses: number;
  readonly memoryStats: (() => ConsoleMemoryStats) | null;
  readonly routeRequests: (() => number) | null;
}

const KEYS: ReadonlySet<string> = new Set([
  'intervalMillis', 'samples', 'timelineEntries', 'timelineBrokers', 'requesterTopics', 'requestersPerTopic',
  'notAppliedAddresses', 'memoryStats', 'routeRequests',
]);

/** Applies defaults and validates; `false` (history off) stays `null`. Throws `InvalidOptionError`. */
export function resolveConsoleHistoryOptions(options: ConsoleHistoryOptions | false | undefined): ResolvedConsoleHistoryOptions | null {
  if (options === false) return null;
  const o = checkOptions(options, 'consoleHistory', KEYS) as ConsoleHistoryOptions;
  const d = CONSOLE_HISTORY_DEFAULTS;
  return {
    // Faster than 100 ms would make the sampler itself the load it shows.
    intervalMillis: checkNumber(o.intervalMillis, d.intervalMillis, 'consoleHistory.intervalMillis', { integer: true, min: 100 }),
    samples: checkNumber(o.samples, d.samples, 'consoleHistory.samples', { integer: true, min: 2, max: 100_000 }),
    timelineEntries: checkPositiveInteger(o.timelineEntries, d.timelineEntries, 'consoleHistory.timelineEntries'),
    timelineBrokers: checkPositiveInteger(o.timelineBrokers, d.timelineBrokers, 'consoleHistory.timelineBrokers'),
    requesterTopics: checkPositiveInteger(o.requesterTopics, d.requesterTopics, 'consoleHistory.requesterTopics'),
    requestersPerTopic: checkPositiveInteger(o.requestersPerTopic, d.requestersPerTopic, 'consoleHistory.requestersPerTopic'),
    notAppliedAddresses: checkPositiveInteger(o.notAppliedAddresses, d.notAppliedAddresses, 'consoleHistory.notAppliedAddresses'),
    memoryStats: checkFunction(o.memoryStats, 'consoleHistory.memoryStats'),
    routeRequests: checkFunction(o.routeRequests, 'consoleHistory.routeRequests'),
  };
}
