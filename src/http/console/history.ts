/**
 * The console's history: a sampler that every few seconds turns what it
 * counted (route requests, broker events) and what it reads (live brokers,
 * event-loop delay, memory) into one sample, kept in a bounded ring for the
 * graphs; plus the broker timelines and recent route requesters it feeds.
 *
 * It listens to `brokerRegistered`, `brokerUnregistered`, `registrationRefused`
 * and `registrationIgnored` only (never
 * `topicRouteChanged`, which would make the registry track changed topics).
 * Heartbeats and data version changes are not events: the sampler sees them
 * as a live broker's `lastUpdateTimestamp` or data version moving between two
 * samples, so two heartbeats within one interval count as one.
 * @internal
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { RouteRegistry } from '../../core/registry.js';
import type { BrokerRegisteredEvent, BrokerUnregisteredEvent, LiveBrokerInfo, RegistrationNotAppliedEvent } from '../../core/types.js';
import type { ConsoleMemoryStats, ResolvedConsoleHistoryOptions } from './history-options.js';
import type { ConsoleHistoryReply, ConsoleSample } from './history-reply.js';
import { RecentNotApplied } from './not-applied.js';
import { RecentRequesters } from './requesters.js';
import { BrokerTimelines } from './timeline.js';

/** Counters between two samples. */
interface Counts {
  http: number;
  registered: number;
  left: number;
  refused: number;
  ignored: number;
}

/** The last data a live broker was seen with. */
interface Seen {
  readonly at: number;
  readonly version: string;
}

/** The sampler, its ring, and the timelines and requesters it feeds. */
export class ConsoleHistory {
  readonly timelines: BrokerTimelines;
  readonly requesters: RecentRequesters;
  readonly #notApplied: RecentNotApplied;
  readonly #registry: RouteRegistry;
  readonly #o: ResolvedConsoleHistoryOptions;
  readonly #ring: ConsoleSample[] = [];
  readonly #counts: Counts = { http: 0, registered: 0, left: 0, refused: 0, ignored: 0 };
  readonly #seen = new Map<string, Seen>();
  readonly #loop: IntervalHistogram;
  readonly #timer: ReturnType<typeof setInterval>;
  #seq = 0;
  #lastExternal: number;
  #lastAt: number;

  readonly #onRegistered = (e: BrokerRegisteredEvent): void => {
    this.#counts.registered++;
    this.timelines.add(e, { kind: 'registered', at: this.#registry.options.now(), brokerName: e.brokerName, brokerId: e.brokerId });
  };

  readonly #onUnregistered = (e: BrokerUnregisteredEvent): void => {
    this.#counts.left++;
    this.#seen.delete(`${e.clusterName}\u0000${e.brokerAddr}`);
    this.timelines.add(e, { kind: 'left', at: this.#registry.options.now(), reason: e.reason });
  };

  readonly #onRefused = (e: RegistrationNotAppliedEvent): void => {
    this.#counts.refused++;
    const at = this.#registry.options.now();
    this.#notApplied.record(e, 'refused', at);
    this.timelines.add(e, { kind: 'refused', at, brokerId: e.brokerId, reason: e.reason });
  };

  readonly #onIgnored = (e: RegistrationNotAppliedEvent): void => {
    this.#counts.ignored++;
    const at = this.#registry.options.now();
    this.#notApplied.record(e, 'ignored', at);
    this.timelines.add(e, { kind: 'ignored', at, brokerId: e.brokerId, reason: e.reason });
  };

  constructor(registry: RouteRegistry, options: ResolvedConsoleHistoryOptions) {
    this.#registry = registry;
    this.#o = options;
    this.timelines = new BrokerTimelines(options.timelineEntries, options.timelineBrokers);
    this.requesters = new RecentRequesters(options.requesterTopics, options.requestersPerTopic);
    this.#notApplied = new RecentNotApplied(options.notAppliedAddresses);
    this.#lastExternal = this.#external();
    this.#lastAt = registry.options.now();
    registry.on('brokerRegistered', this.#onRegistered);
    registry.on('brokerUnregistered', this.#onUnregistered);
    registry.on('registrationRefused', this.#onRefused);
    registry.on('registrationIgnored', this.#onIgnored);
    this.#loop = monitorEventLoopDelay({ resolution: 10 });
    this.#loop.enable();
    this.#timer = setInterval(() => this.sample(), options.intervalMillis);
    // The history must never be what keeps a host process alive.
    this.#timer.unref();
  }

  /** Records a route lookup served by this handler. */
  routeRequested(topic: string, remoteAddress: string, found: boolean): void {
    this.#counts.http++;
    this.requesters.record(topic, remoteAddress, 'http', this.#registry.options.now(), found);
  }

  /** The samples after `afterSeq` (all kept ones for 0), oldest first. */
  reply(afterSeq: number): ConsoleHistoryReply {
    return {
      intervalMillis: this.#o.intervalMillis,
      capacity: this.#o.samples,
      memory: this.#o.memoryStats === null ? 'heap' : 'budget',
      samples: this.#ring.filter((s) => s.seq > afterSeq),
      notApplied: this.#notApplied.list(),
    };
  }

  /** Takes one sample now (the timer calls it; tests may too). */
  sample(): ConsoleSample {
    const at = this.#registry.options.now();
    // A clock that stood still (an injected one) still gives rates: one interval is assumed.
    const seconds = at > this.#lastAt ? (at - this.#lastAt) / 1000 : this.#o.intervalMillis / 1000;
    this.#lastAt = at;
    const external = this.#external();
    const routeRequests = this.#counts.http + Math.max(0, external - this.#lastExternal);
    this.#lastExternal = external;
    const beats = this.#scanLive();
    const memory = this.#memory();
    const p99 = this.#loop.count > 0 ? this.#loop.percentile(99) / 1e6 : 0;
    const max = this.#loop.count > 0 ? this.#loop.max / 1e6 : 0;
    this.#loop.reset();
    const rate = (n: number): number => Math.round((n / seconds) * 100) / 100;
    const sample: ConsoleSample = {
      seq: ++this.#seq,
      at,
      routeRequests: rate(routeRequests),
      registered: rate(this.#counts.registered),
      heartbeats: rate(beats.heartbeats),
      updated: rate(beats.updated),
      left: rate(this.#counts.left),
      refused: rate(this.#counts.refused),
      ignored: rate(this.#counts.ignored),
      liveBrokers: this.#registry.liveBrokerCount,
      loopDelayP99Millis: Math.round(p99 * 100) / 100,
      loopDelayMaxMillis: Math.round(max * 100) / 100,
      memoryUsedBytes: memory.heldBytes,
      memoryLimitBytes: memory.limitBytes,
    };
    Object.assign(this.#counts, { http: 0, registered: 0, left: 0, refused: 0, ignored: 0 });
    this.#ring.push(sample);
    if (this.#ring.length > this.#o.samples) this.#ring.shift();
    return sample;
  }

  /** Stops the timer and the listeners. Idempotent. */
  close(): void {
    clearInterval(this.#timer);
    this.#loop.disable();
    this.#registry.off('brokerRegistered', this.#onRegistered);
    this.#registry.off('brokerUnregistered', this.#onUnregistered);
    this.#registry.off('registrationRefused', this.#onRefused);
    this.#registry.off('registrationIgnored', this.#onIgnored);
  }

  /** Heartbeats and data version changes since the last scan, read off the live brokers (O(live brokers)). */
  #scanLive(): { heartbeats: number; updated: number } {
    let heartbeats = 0;
    let updated = 0;
    const live = new Set<string>();
    for (const b of this.#registry.getLiveBrokers()) {
      const key = `${b.clusterName}\u0000${b.brokerAddr}`;
      live.add(key);
      const version = versionOf(b);
      const seen = this.#seen.get(key);
      this.#seen.set(key, { at: b.lastUpdateTimestamp, version });
      // First seen: its registration is the `registered` event already counted.
      if (seen === undefined || seen.at === b.lastUpdateTimestamp) continue;
      if (seen.version !== version) {
        updated++;
        this.timelines.add(b, { kind: 'updated', at: b.lastUpdateTimestamp, counter: b.dataVersion.counter });
      } else {
        heartbeats++;
        this.timelines.add(b, { kind: 'heartbeats', at: b.lastUpdateTimestamp, until: b.lastUpdateTimestamp, count: 1 });
      }
    }
    for (const key of this.#seen.keys()) if (!live.has(key)) this.#seen.delete(key);
    return { heartbeats, updated };
  }

  #memory(): ConsoleMemoryStats {
    if (this.#o.memoryStats !== null) {
      try {
        const m = this.#o.memoryStats();
        return { heldBytes: finite(m.heldBytes), limitBytes: finite(m.limitBytes) };
      } catch {
        // A failing figure must not stop the graphs: show nothing for it.
        return { heldBytes: 0, limitBytes: 0 };
      }
    }
    const heap = getHeapStatistics();
    return { heldBytes: heap.used_heap_size, limitBytes: heap.heap_size_limit };
  }

  #external(): number {
    if (this.#o.routeRequests === null) return 0;
    try {
      return finite(this.#o.routeRequests());
    } catch {
      return this.#lastExternal;
    }
  }
}

function versionOf(b: LiveBrokerInfo): string {
  const v = b.dataVersion;
  return `${v.stateVersion}:${v.timestamp}:${v.counter}`;
}

function finite(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}
