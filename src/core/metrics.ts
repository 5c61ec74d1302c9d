/**
 * Transport-agnostic metrics: counters and fixed-bucket histograms fed by the
 * registry's events and by the adapters, rendered in Prometheus' text format.
 * @module
 */
import { InvalidOptionError } from './errors.js';
import { ProcessMetrics } from './process-metrics.js';
import { checkOptions, checkPositiveInteger } from './option-checks.js';

const METRICS_OPTION_KEYS: ReadonlySet<string> = new Set(['prefix', 'maxOperationsPerAdapter', 'requestCodeNames', 'processMetrics', 'version']);
import type { RouteRegistry } from './registry.js';
import type { BrokerUnregisteredEvent, BrokerUnregisterReason } from './types.js';
import { VERSION } from './version.js';

/** The adapter a request came through: a label of every request metric. */
export type MetricsAdapter = 'http' | 'remoting';

/** Options of {@link NamesrvMetrics}. */
export interface NamesrvMetricsOptions {
  /**
   * Prefix of every metric name.
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
   * Also report process metrics: CPU, resident memory, heap and event-loop
   * lag (sampled while a registry is attached).
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

/** The same bounds in milliseconds, the unit callers observe in. */
const BOUNDS_MS: readonly number[] = REQUEST_DURATION_BUCKETS_SECONDS.map((s) => s * 1000);
const BUCKET_COUNT = BOUNDS_MS.length + 1;
const REASONS: readonly BrokerUnregisterReason[] = ['unregister', 'expired', 'channelDestroyed'];
const OTHER_OPERATION = 'other';
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Counts and latencies of one operation of one adapter. */
interface RequestSeries {
  readonly operation: string;
  ok: number;
  error: number;
  sumMillis: number;
  /** Per-bucket (not cumulative) counts; the last one is `+Inf`. */
  readonly buckets: number[];
}

interface AdapterSeries {
  readonly adapter: string;
  readonly byName: Map<string, RequestSeries>;
  /** Numeric operations (request codes), sharing series with their decimal names. */
  readonly byCode: Map<number, RequestSeries>;
  other: RequestSeries | null;
  routeFound: number;
  routeNotFound: number;
}

interface Attachment {
  readonly onRegistered: () => void;
  readonly onUnregistered: (event: BrokerUnregisteredEvent) => void;
}

/**
 * Collects name server metrics independent of any transport: broker
 * registrations and unregistrations (by reason) from an attached
 * {@link RouteRegistry}, live brokers and topics read at scrape time, route
 * lookups, and request counts and latency histograms per adapter and
 * operation. One instance may be shared by the HTTP and remoting adapters.
 *
 * It never listens to `topicRouteChanged`: a listener there makes the
 * registry track changed topics on every registration.
 *
 * @example
 * ```ts
 * const metrics = new NamesrvMetrics();
 * metrics.attach(registry);
 * metrics.observeRequest('remoting', 105, 0.2, true);
 * const text = metrics.toPrometheus();
 * ```
 */
export class NamesrvMetrics {
  readonly #prefix: string;
  readonly #maxOperations: number;
  readonly #attached = new Map<RouteRegistry, Attachment>();
  readonly #adapters = new Map<string, AdapterSeries>();
  #registrations = 0;
  readonly #unregistrations = new Map<string, number>(REASONS.map((r) => [r, 0]));
  readonly #codeNames = new Map<number, string>();
  readonly #connections = new Map<string, number>();
  readonly #process: ProcessMetrics | null;
  readonly #version: string;

  /** @throws {@link InvalidOptionError} when an option is of the wrong type or out of range. */
  constructor(options: NamesrvMetricsOptions = {}) {
    const o = checkOptions(options, 'NamesrvMetrics', METRICS_OPTION_KEYS) as NamesrvMetricsOptions;
    const d = NAMESRV_METRICS_DEFAULTS;
    const prefix = o.prefix ?? d.prefix;
    if (typeof prefix !== 'string' || !METRIC_NAME.test(prefix)) {
      throw new InvalidOptionError('options.prefix', `must be a Prometheus metric name, got ${String(prefix)}`);
    }
    const max = checkPositiveInteger(o.maxOperationsPerAdapter, d.maxOperationsPerAdapter, 'maxOperationsPerAdapter');
    this.#prefix = prefix;
    this.#maxOperations = max;
    const processMetrics = options.processMetrics ?? d.processMetrics;
    if (typeof processMetrics !== 'boolean') throw new InvalidOptionError('options.processMetrics', 'must be a boolean');
    this.#process = processMetrics ? new ProcessMetrics() : null;
    const version = options.version ?? VERSION;
    if (typeof version !== 'string') throw new InvalidOptionError('options.version', 'must be a string');
    this.#version = version;
    if (options.requestCodeNames !== undefined) this.nameRequestCodes(options.requestCodeNames);
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
    this.#connections.set(String(adapter), Number.isFinite(count) && count > 0 ? Math.floor(count) : 0);
  }

  /**
   * Counts `registry`'s broker events and reports its live brokers and topics.
   * Attaching the same registry again does nothing, so every adapter may call
   * it. Returns a function that detaches.
   */
  attach(registry: RouteRegistry): () => void {
    if (!this.#attached.has(registry)) {
      const attachment: Attachment = {
        onRegistered: () => {
          this.#registrations++;
        },
        onUnregistered: (event) => {
          this.#unregistrations.set(event.reason, (this.#unregistrations.get(event.reason) ?? 0) + 1);
        },
      };
      registry.on('brokerRegistered', attachment.onRegistered);
      registry.on('brokerUnregistered', attachment.onUnregistered);
      this.#attached.set(registry, attachment);
      this.#process?.start();
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
    // The event-loop sampler is a timer of its own: nothing keeps sampling once nobody is attached.
    if (this.#attached.size === 0) this.#process?.stop();
  }

  /**
   * Records one request. Cheap enough for every request: after the first
   * call per operation it costs two `Map` lookups and a few additions.
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
    const ms = millis > 0 ? millis : 0;
    let i = 0;
    while (i < BOUNDS_MS.length && ms > (BOUNDS_MS[i] as number)) i++;
    s.buckets[i] = (s.buckets[i] as number) + 1;
    s.sumMillis += ms;
    if (ok) s.ok++;
    else s.error++;
  }

  /** Records one route lookup and whether the topic had a route. */
  observeRouteLookup(adapter: MetricsAdapter, found: boolean): void {
    const a = this.#adapters.get(adapter) ?? this.#addAdapter(adapter);
    if (found) a.routeFound++;
    else a.routeNotFound++;
  }

  /** The metrics in Prometheus' text exposition format 0.0.4. */
  toPrometheus(): string {
    const p = this.#prefix;
    const out: string[] = [];
    let live = 0;
    let topics = 0;
    for (const registry of this.#attached.keys()) {
      live += registry.liveBrokerCount;
      topics += registry.topicCount;
    }
    header(out, `${p}_build_info`, 'gauge', 'Always 1; the version label says which rocketmq-namesrv this is.');
    out.push(`${p}_build_info{version="${escapeLabel(this.#version)}"} 1`);
    header(out, `${p}_brokers_live`, 'gauge', 'Broker addresses currently live.');
    out.push(`${p}_brokers_live ${live}`);
    header(out, `${p}_topics`, 'gauge', 'Topics that have a route.');
    out.push(`${p}_topics ${topics}`);
    header(out, `${p}_broker_registrations_total`, 'counter', 'Broker addresses that became live.');
    out.push(`${p}_broker_registrations_total ${this.#registrations}`);
    header(out, `${p}_broker_unregistrations_total`, 'counter',
      'Broker addresses that left the live table, by reason (expired: missed heartbeats).');
    for (const [reason, n] of this.#unregistrations) {
      out.push(`${p}_broker_unregistrations_total{reason="${escapeLabel(reason)}"} ${n}`);
    }

    const adapters = [...this.#adapters.values()];
    header(out, `${p}_route_lookups_total`, 'counter', 'Topic route lookups, by whether the topic had a route.');
    for (const a of adapters) {
      const labels = `adapter="${escapeLabel(a.adapter)}"`;
      out.push(`${p}_route_lookups_total{${labels},result="found"} ${a.routeFound}`);
      out.push(`${p}_route_lookups_total{${labels},result="not_found"} ${a.routeNotFound}`);
    }

    header(out, `${p}_requests_total`, 'counter', 'Requests served, by adapter, operation and outcome.');
    const histogram: string[] = [];
    const name = `${p}_request_duration_seconds`;
    header(histogram, name, 'histogram', 'Request latency in seconds, by adapter and operation.');
    for (const a of adapters) {
      const all = [...a.byName.values()];
      if (a.other !== null) all.push(a.other);
      for (const s of all) {
        const labels = `adapter="${escapeLabel(a.adapter)}",operation="${escapeLabel(s.operation)}"`;
        out.push(`${p}_requests_total{${labels},outcome="ok"} ${s.ok}`);
        out.push(`${p}_requests_total{${labels},outcome="error"} ${s.error}`);
        let cumulative = 0;
        for (let i = 0; i < BUCKET_COUNT; i++) {
          cumulative += s.buckets[i] as number;
          const le = i < REQUEST_DURATION_BUCKETS_SECONDS.length ? String(REQUEST_DURATION_BUCKETS_SECONDS[i]) : '+Inf';
          histogram.push(`${name}_bucket{${labels},le="${le}"} ${cumulative}`);
        }
        histogram.push(`${name}_sum{${labels}} ${s.sumMillis / 1000}`);
        histogram.push(`${name}_count{${labels}} ${cumulative}`);
      }
    }
    out.push(...histogram);
    header(out, `${p}_open_connections`, 'gauge', 'Connections open now, by adapter.');
    for (const [adapter, n] of this.#connections) out.push(`${p}_open_connections{adapter="${escapeLabel(adapter)}"} ${n}`);
    this.#process?.render(out, p);
    return `${out.join('\n')}\n`;
  }

  #addAdapter(adapter: string): AdapterSeries {
    const a: AdapterSeries = {
      adapter: String(adapter), byName: new Map(), byCode: new Map(), other: null, routeFound: 0, routeNotFound: 0,
    };
    this.#adapters.set(a.adapter, a);
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
    if (a.byName.size >= this.#maxOperations) return (a.other ??= newSeries(OTHER_OPERATION));
    const s = newSeries(operation);
    a.byName.set(operation, s);
    return s;
  }
}

function newSeries(operation: string): RequestSeries {
  return { operation, ok: 0, error: 0, sumMillis: 0, buckets: new Array<number>(BUCKET_COUNT).fill(0) };
}

function header(out: string[], name: string, type: string, help: string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

/** Label values escape backslash, double quote and line feed (format 0.0.4). */
function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
