/**
 * prom-client's default metrics (process CPU and memory, heap, event-loop
 * lag, GC, handles), collected once per process on a registry of their own
 * and shared by every {@link NamesrvMetrics}: each collection starts an
 * event-loop monitor and a GC observer that cannot be stopped, so one per
 * instance would grow with every handler a host creates.
 * @internal
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

// The process-wide collection, made on first use (a const holder: no module-level `let`).
const shared: { registry: Registry | null } = { registry: null };

/** The registry holding the default metrics, created (and collecting) on the first call. */
export function defaultMetricsRegistry(): Registry {
  if (shared.registry === null) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    shared.registry = registry;
  }
  return shared.registry;
}
