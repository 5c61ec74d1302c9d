/**
 * Process and runtime metrics (CPU, memory, event-loop lag) in Prometheus'
 * text format, read at scrape time. Uses only `node:process` and
 * `node:perf_hooks`: nothing transport-specific.
 * @internal
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Event-loop delay sampling resolution: fine enough for lag an operator cares about, cheap. */
const LOOP_RESOLUTION_MILLIS = 20;

/** Samples event-loop delay while started; renders process gauges on demand. */
export class ProcessMetrics {
  #loop: IntervalHistogram | null = null;

  /** Starts sampling event-loop delay. Idempotent. */
  start(): void {
    if (this.#loop !== null) return;
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MILLIS });
    this.#loop.enable();
  }

  /** Stops sampling. Idempotent. */
  stop(): void {
    this.#loop?.disable();
    this.#loop = null;
  }

  /** Appends the process metrics, each with HELP and TYPE lines, to `out`. */
  render(out: string[], prefix: string): void {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    metric(out, `${prefix}_process_cpu_seconds_total`, 'counter', 'User and system CPU time spent, in seconds.',
      (cpu.user + cpu.system) / 1e6);
    metric(out, `${prefix}_process_resident_memory_bytes`, 'gauge', 'Resident set size in bytes.', mem.rss);
    metric(out, `${prefix}_nodejs_heap_used_bytes`, 'gauge', 'V8 heap in use, in bytes.', mem.heapUsed);
    metric(out, `${prefix}_nodejs_heap_total_bytes`, 'gauge', 'V8 heap allocated, in bytes.', mem.heapTotal);
    metric(out, `${prefix}_process_uptime_seconds`, 'gauge', 'Seconds since the process started.', process.uptime());
    const loop = this.#loop;
    if (loop === null) return;
    // Histogram values are nanoseconds; reset after each scrape so each scrape reports its own interval.
    const seconds = (ns: number): number => (Number.isFinite(ns) && loop.count > 0 ? ns / 1e9 : 0);
    metric(out, `${prefix}_eventloop_lag_seconds`, 'gauge',
      'Mean event-loop delay since the previous scrape, in seconds.', seconds(loop.mean));
    metric(out, `${prefix}_eventloop_lag_p99_seconds`, 'gauge',
      '99th percentile event-loop delay since the previous scrape, in seconds.', seconds(loop.percentile(99)));
    metric(out, `${prefix}_eventloop_lag_max_seconds`, 'gauge',
      'Largest event-loop delay since the previous scrape, in seconds.', seconds(loop.max));
    loop.reset();
  }
}

function metric(out: string[], name: string, type: string, help: string, value: number): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
}
