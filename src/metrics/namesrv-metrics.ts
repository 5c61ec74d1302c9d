/**
 * The name server's metrics on `prom-client`, the Node.js ecosystem's
 * Prometheus client: its own series (`rocketmq_namesrv_*`, fed by a
 * registry's events and by the adapters) and Node's default process metrics
 * under their standard names (`process_cpu_seconds_total`,
 * `nodejs_heap_size_used_bytes`, `nodejs_eventloop_lag_*`,
 * `nodejs_gc_duration_seconds`, …), on a prom-client `Registry` of its own
 * (never prom-client's global one).
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { InvalidOptionError } from '../core/errors.js';
import { checkOptions, checkPositiveInteger } from '../core/option-checks.js';
import type { RouteRegistry } from '../core/registry.js';
import type { BrokerUnregisteredEvent, BrokerUnregisterReason } from '../core/types.js';
import { VERSION } from '../core/version.js';
import { defaultMetricsRegistry } from './default-metrics.js';

const METRICS_OPTION_KEYS: ReadonlySet<string> = new Set(['prefix', 'maxOperationsPerAdapter', 'requestCodeNames', 'processMetrics', 'version']);

/** The adapter a request came through: a label of every request metric. */
export type MetricsAdapter = 'http' | 'remoting';

/** Options of {@link NamesrvMetrics}. */
export interface NamesrvMetricsOptions {
  /**
   * Prefix of the name server's own metric names (not of Node's default metrics).
   * @default 'rocketmq_namesrv'
   */
  readonly prefix?: string;
  /**
   * How many distinct operations one adapter may record; later ones are
   * counted under `operation="other"`. Bounds memory and scrape size when a
   * client sends arbitrary request codes.
   * @default 256
   */
  readonly maxOperationsPerAdapter?: number;
  /**
   * Names of numeric operations (request codes), e.g. `103 → 'REGISTER_BROKER'`.
   * Once any name is known, a code without one is counted as `UNKNOWN`, so a
   * client sending arbitrary codes adds one series, not one per code. The
   * remoting adapter supplies RocketMQ's names through
   * {@link NamesrvMetrics.nameRequestCodes}; without names, codes are labelled
   * by their decimal value.
   */
  readonly requestCodeNames?: ReadonlyMap<number, string>;
  /**
   * Also report prom-client's default metrics (process CPU and memory, heap,
   * event-loop lag, GC), under their standard names. They are collected once
   * per process and shared by every instance.
   * @default true
   */
  readonly processMetrics?: boolean;
  /**
   * The `version` label of `<prefix>_build_info`.
   * @default this package's version
   */
  readonly version?: string;
}

/** The defaults of {@link NamesrvMetricsOptions}. */
export const NAMESRV_METRICS_DEFAULTS = Object.freeze({
  prefix: 'rocketmq_namesrv',
  maxOperationsPerAdapter: 256,
  processMetrics: true,
});

/** The operation label of a request code that has no name. */
export const UNKNOWN_OPERATION = 'UNKNOWN';

/** Upper bounds (seconds) of the request latency histogram buckets; `+Inf` is implied. */
export const REQUEST_DURATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

const REASONS: readonly BrokerUnregisterReason[] = ['unregister', 'expired', 'channelDestroyed'];
const OTHER_OPERATION = 'other';
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

type RequestLabels = 'adapter' | 'operation' | 'outcome';
type DurationLabels = 'adapter' | 'operation';

/** One operation's series, bound once so that recording a request hashes no labels twice. */
interface RequestSeries {
  readonly ok: Counter.Internal;
  readonly error: Counter.Internal;
  readonly duration: Histogram.Internal<DurationLabels>;
}

interface AdapterSeries {
  readonly adapter: string;
  readonly byName: Map<string, RequestSeries>;
  /** Numeric operations (request codes), sharing series with their names. */
  readonly byCode: Map<number, RequestSeries>;
  other: RequestSeries | null;
  readonly found: Counter.Internal;
  readonly notFound: Counter.Internal;
  /** Route lookups so far, found or not: what the console's route graph reads. */
  lookups: number;
}

interface Attachment {
  readonly onRegistered: () => void;
  readonly onUnregistered: (event: BrokerUnregisteredEvent) => void;
}

/** The name server's own metric families. */
interface Families {
  readonly registrations: Counter;
  readonly unregistrations: Counter<'reason'>;
  readonly lookups: Counter<'adapter' | 'result'>;
  readonly requests: Counter<RequestLabels>;
  readonly duration: Histogram<DurationLabels>;
  readonly connections: Gauge<'adapter'>;
}

/**
 * Collects name server metrics independent of any transport: broker
 * registrations and unregistrations (by reason) from an attached
 * {@link RouteRegistry}, live brokers and topics read at scrape time, route
 * lookups, and request counts and latency histograms per adapter and
 * operation, plus Node's default metrics. One instance may be shared by the
 * HTTP and remoting adapters; {@link NamesrvMetrics.promRegistry} is its
 * prom-client `Registry`, to merge with an application's own.
 *
 * It never listens to `topicRouteChanged`: a listener there makes the
 * registry track changed topics on every registration.
 *
 * @example
 * ```ts
 * const metrics = new NamesrvMetrics();
 * metrics.attach(registry);
 * metrics.observeRequest('remoting', 105, 0.2, true);
 * const text = await metrics.toPrometheus();
 * ```
 */
export class NamesrvMetrics {
  /** The prom-client `Registry` every series is registered on (this instance's own). */
  readonly promRegistry: Registry;
  readonly #maxOperations: number;
  readonly #attached = new Map<RouteRegistry, Attachment>();
  readonly #adapters = new Map<string, AdapterSeries>();
  readonly #codeNames = new Map<number, string>();
  readonly #families: Families;

  /** @throws {@link InvalidOptionError} when an option is of the wrong type or out of range. */
  constructor(options: NamesrvMetricsOptions = {}) {
    const o = checkOptions(options, 'NamesrvMetrics', METRICS_OPTION_KEYS) as NamesrvMetricsOptions;
    const d = NAMESRV_METRICS_DEFAULTS;
    const prefix = o.prefix ?? d.prefix;
    if (typeof prefix !== 'string' || !METRIC_NAME.test(prefix)) {
      throw new InvalidOptionError('options.prefix', `must be a Prometheus metric name, got ${String(prefix)}`);
    }
    this.#maxOperations = checkPositiveInteger(o.maxOperationsPerAdapter, d.maxOperationsPerAdapter, 'maxOperationsPerAdapter');
    const processMetrics = o.processMetrics ?? d.processMetrics;
    if (typeof processMetrics !== 'boolean') throw new InvalidOptionError('options.processMetrics', 'must be a boolean');
    const version = o.version ?? VERSION;
    if (typeof version !== 'string') throw new InvalidOptionError('options.version', 'must be a string');
    this.promRegistry = new Registry();
    this.#families = this.#register(prefix, version);
    if (processMetrics) {
      const defaults = defaultMetricsRegistry();
      // The same metric objects, registered here too: collected once per scrape of either registry.
      for (const { name } of defaults.getMetricsAsArray()) {
        const metric = defaults.getSingleMetric(name);
        if (metric !== undefined) this.promRegistry.registerMetric(metric);
      }
    }
    if (o.requestCodeNames !== undefined) this.nameRequestCodes(o.requestCodeNames);
  }

  /**
   * Adds names of request codes (see {@link NamesrvMetricsOptions.requestCodeNames}).
   * Idempotent; the remoting adapter calls it with RocketMQ's names.
   * @throws {@link InvalidOptionError} when a code is not an integer or a name not a non-empty string.
   */
  nameRequestCodes(names: ReadonlyMap<number, string> | Iterable<readonly [number, string]>): void {
    if (typeof names !== 'object' || names === null || typeof (names as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new InvalidOptionError('requestCodeNames', 'must be a Map of code to name');
    }
    for (const [code, name] of names) {
      if (!Number.isSafeInteger(code) || typeof name !== 'string' || name === '') {
        throw new InvalidOptionError('requestCodeNames', `must map integers to names, got ${String(code)} → ${String(name)}`);
      }
      this.#codeNames.set(code, name);
    }
    // Codes seen before they had names were labelled by number: label them by name from now on.
    for (const a of this.#adapters.values()) a.byCode.clear();
  }

  /**
   * Sets how many connections `adapter` has open now (a gauge), e.g. from
   * its server's `connection` and `close` events.
   */
  setOpenConnections(adapter: MetricsAdapter, count: number): void {
    this.#families.connections.set({ adapter: String(adapter) }, Number.isFinite(count) && count > 0 ? Math.floor(count) : 0);
  }

  /**
   * Counts `registry`'s broker events and reports its live brokers and topics.
   * Attaching the same registry again does nothing, so every adapter may call
   * it. Returns a function that detaches.
   */
  attach(registry: RouteRegistry): () => void {
    if (!this.#attached.has(registry)) {
      const { registrations, unregistrations } = this.#families;
      const attachment: Attachment = {
        onRegistered: () => registrations.inc(),
        onUnregistered: (event) => unregistrations.inc({ reason: event.reason }),
      };
      registry.on('brokerRegistered', attachment.onRegistered);
      registry.on('brokerUnregistered', attachment.onUnregistered);
      this.#attached.set(registry, attachment);
    }
    return () => this.detach(registry);
  }

  /** Stops counting `registry`'s events and reporting its gauges. Idempotent. */
  detach(registry: RouteRegistry): void {
    const attachment = this.#attached.get(registry);
    if (attachment === undefined) return;
    registry.off('brokerRegistered', attachment.onRegistered);
    registry.off('brokerUnregistered', attachment.onUnregistered);
    this.#attached.delete(registry);
  }

  /**
   * Records one request. After the first call per operation it costs a `Map`
   * lookup and two prom-client updates.
   *
   * @param adapter - which adapter served it.
   * @param operation - a bounded name: a route pattern (`GET /topics/:topic/route`),
   *   a request name, or a request code as a number (labelled by its name, see
   *   {@link NamesrvMetricsOptions.requestCodeNames}).
   * @param millis - how long it took; negative or NaN counts as 0.
   * @param ok - whether it succeeded (HTTP status below 400, remoting SUCCESS).
   */
  observeRequest(adapter: MetricsAdapter, operation: string | number, millis: number, ok: boolean): void {
    const s = this.#series(this.#adapters.get(adapter) ?? this.#addAdapter(adapter), operation);
    s.duration.observe(millis > 0 ? millis / 1000 : 0);
    (ok ? s.ok : s.error).inc();
  }

  /** Records one route lookup and whether the topic had a route. */
  observeRouteLookup(adapter: MetricsAdapter, found: boolean): void {
    const a = this.#adapters.get(adapter) ?? this.#addAdapter(adapter);
    (found ? a.found : a.notFound).inc();
    a.lookups++;
  }

  /** Route lookups recorded so far for `adapter` (found or not); 0 for an adapter never seen. */
  routeLookups(adapter: MetricsAdapter): number {
    return this.#adapters.get(adapter)?.lookups ?? 0;
  }

  /** The Content-Type of {@link toPrometheus}'s text. */
  get contentType(): string {
    return this.promRegistry.contentType;
  }

  /** Every metric in Prometheus' text exposition format 0.0.4 (what `GET /metrics` serves). */
  toPrometheus(): Promise<string> {
    return this.promRegistry.metrics();
  }

  /** Creates the name server's own families on {@link promRegistry}. */
  #register(p: string, version: string): Families {
    const registers = [this.promRegistry];
    const attached = this.#attached;
    new Gauge({ name: `${p}_build_info`, help: 'Always 1; the version label says which rocketmq-namesrv this is.', labelNames: ['version'], registers })
      .set({ version }, 1);
    new Gauge({
      name: `${p}_brokers_live`, help: 'Broker addresses currently live.', registers,
      collect() {
        this.set([...attached.keys()].reduce((n, r) => n + r.liveBrokerCount, 0));
      },
    });
    new Gauge({
      name: `${p}_topics`, help: 'Topics that have a route.', registers,
      collect() {
        this.set([...attached.keys()].reduce((n, r) => n + r.topicCount, 0));
      },
    });
    const registrations = new Counter({ name: `${p}_broker_registrations_total`, help: 'Broker addresses that became live.', registers });
    const unregistrations = new Counter({
      name: `${p}_broker_unregistrations_total`, registers, labelNames: ['reason'] as const,
      help: 'Broker addresses that left the live table, by reason (expired: missed heartbeats).',
    });
    for (const reason of REASONS) unregistrations.inc({ reason }, 0);
    return {
      registrations, unregistrations,
      lookups: new Counter({
        name: `${p}_route_lookups_total`, help: 'Topic route lookups, by whether the topic had a route.', labelNames: ['adapter', 'result'] as const, registers,
      }),
      requests: new Counter({
        name: `${p}_requests_total`, help: 'Requests served, by adapter, operation and outcome.', labelNames: ['adapter', 'operation', 'outcome'] as const, registers,
      }),
      duration: new Histogram({
        name: `${p}_request_duration_seconds`, help: 'Request latency in seconds, by adapter and operation.',
        labelNames: ['adapter', 'operation'] as const, buckets: [...REQUEST_DURATION_BUCKETS_SECONDS], registers,
      }),
      connections: new Gauge({ name: `${p}_open_connections`, help: 'Connections open now, by adapter.', labelNames: ['adapter'] as const, registers }),
    };
  }

  #addAdapter(adapter: string): AdapterSeries {
    const name = String(adapter);
    const { lookups } = this.#families;
    const a: AdapterSeries = {
      adapter: name, byName: new Map(), byCode: new Map(), other: null,
      found: lookups.labels({ adapter: name, result: 'found' }), notFound: lookups.labels({ adapter: name, result: 'not_found' }), lookups: 0,
    };
    a.found.inc(0);
    a.notFound.inc(0);
    this.#adapters.set(name, a);
    return a;
  }

  #series(a: AdapterSeries, operation: string | number): RequestSeries {
    if (typeof operation === 'number') {
      const byCode = a.byCode.get(operation);
      if (byCode !== undefined) return byCode;
      const name = this.#codeNames.size === 0 ? String(operation) : (this.#codeNames.get(operation) ?? UNKNOWN_OPERATION);
      const s = this.#named(a, name);
      // Cache only codes with a series of their own: caching every unknown code would grow without bound.
      if (s !== a.other && name !== UNKNOWN_OPERATION) a.byCode.set(operation, s);
      return s;
    }
    return a.byName.get(operation) ?? this.#named(a, String(operation));
  }

  #named(a: AdapterSeries, operation: string): RequestSeries {
    const existing = a.byName.get(operation);
    if (existing !== undefined) return existing;
    if (a.byName.size >= this.#maxOperations) return (a.other ??= this.#newSeries(a.adapter, OTHER_OPERATION));
    const s = this.#newSeries(a.adapter, operation);
    a.byName.set(operation, s);
    return s;
  }

  #newSeries(adapter: string, operation: string): RequestSeries {
    const { requests, duration } = this.#families;
    const s: RequestSeries = {
      ok: requests.labels({ adapter, operation, outcome: 'ok' }),
      error: requests.labels({ adapter, operation, outcome: 'error' }),
      duration: duration.labels({ adapter, operation }),
    };
    s.ok.inc(0);
    s.error.inc(0);
    return s;
  }
}
