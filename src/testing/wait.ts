/**
 * Waiting for the name server to see something, bounded in time: driven by
 * the registry's events, never by polling or sleeping.
 * @module
 */
import { WaitTimeoutError } from './errors.js';
import { InvalidOptionError, type RouteRegistry, type TopicRouteData } from './deps.js';

/** A registry, or anything holding one (a {@link TestNamesrv}). */
export type RegistrySource = RouteRegistry | { readonly registry: RouteRegistry };

/** Options of the wait helpers. */
export interface WaitOptions {
  /** Give up (reject with {@link WaitTimeoutError}) after this long. @default 5_000 */
  readonly timeoutMillis?: number;
}

/** Options of {@link waitForRoute}. */
export interface WaitForRouteOptions extends WaitOptions {
  /** Wait until the route also satisfies this (e.g. lists two brokers). @default any route */
  readonly until?: (route: TopicRouteData) => boolean;
}

/** Which broker to wait for: a broker name, or fields that must all match. */
export type BrokerMatch = string | {
  readonly clusterName?: string;
  readonly brokerName?: string;
  readonly brokerAddr?: string;
  readonly brokerId?: number;
};

/** A broker address the name server holds. */
export interface BrokerRef {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddr: string;
}

const DEFAULT_TIMEOUT_MILLIS = 5_000;

/**
 * Resolves with the topic's route as soon as the name server has one (that
 * satisfies `until`, when given): at once when it already has.
 * @throws {@link WaitTimeoutError} when none comes within `timeoutMillis`.
 */
export function waitForRoute(source: RegistrySource, topic: string, options: WaitForRouteOptions = {}): Promise<TopicRouteData> {
  const registry = registryOf(source);
  const until = options.until ?? ((): boolean => true);
  return waitFor(registry, ['topicRouteChanged'], () => {
    const route = registry.getRouteInfoByTopic(topic);
    return route !== null && until(route) ? route : undefined;
  }, `a route of topic ${JSON.stringify(topic)}`, options);
}

/**
 * Resolves once the name server holds a broker address matching `match`
 * (at once when it already does).
 * @throws {@link WaitTimeoutError} when none appears within `timeoutMillis`.
 */
export function waitForBroker(source: RegistrySource, match: BrokerMatch, options: WaitOptions = {}): Promise<BrokerRef> {
  const registry = registryOf(source);
  return waitFor(registry, ['brokerRegistered', 'brokerUnregistered'], () => findBrokers(registry, match)[0],
    `broker ${describe(match)}`, options);
}

/**
 * Resolves once the name server holds no broker address matching `match`
 * (unregistered, expired or its connection closed).
 * @throws {@link WaitTimeoutError} when one is still there after `timeoutMillis`.
 */
export async function waitForBrokerGone(source: RegistrySource, match: BrokerMatch, options: WaitOptions = {}): Promise<void> {
  const registry = registryOf(source);
  await waitFor(registry, ['brokerRegistered', 'brokerUnregistered'], () => (findBrokers(registry, match).length === 0 ? true : undefined),
    `broker ${describe(match)} to leave`, options);
}

/** Every broker address the name server holds that matches `match`. */
export function findBrokers(source: RegistrySource, match: BrokerMatch): BrokerRef[] {
  const m = typeof match === 'string' ? { brokerName: match } : match;
  const found: BrokerRef[] = [];
  for (const data of Object.values(registryOf(source).getAllClusterInfo().brokerAddrTable)) {
    if (m.brokerName !== undefined && data.brokerName !== m.brokerName) continue;
    if (m.clusterName !== undefined && data.cluster !== m.clusterName) continue;
    for (const [id, brokerAddr] of Object.entries(data.brokerAddrs)) {
      const brokerId = Number(id);
      if (m.brokerId !== undefined && brokerId !== m.brokerId) continue;
      if (m.brokerAddr !== undefined && brokerAddr !== m.brokerAddr) continue;
      found.push({ clusterName: data.cluster, brokerName: data.brokerName, brokerId, brokerAddr });
    }
  }
  return found;
}

type WaitEvent = 'topicRouteChanged' | 'brokerRegistered' | 'brokerUnregistered';

function waitFor<T>(
  registry: RouteRegistry, events: readonly WaitEvent[], check: () => T | undefined, what: string, options: WaitOptions,
): Promise<T> {
  const timeoutMillis = options.timeoutMillis ?? DEFAULT_TIMEOUT_MILLIS;
  if (typeof timeoutMillis !== 'number' || !(timeoutMillis > 0) || timeoutMillis > 0x7fffffff) {
    return Promise.reject(new InvalidOptionError('timeoutMillis', `must be a positive number of milliseconds, got ${String(timeoutMillis)}`));
  }
  return new Promise<T>((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      for (const event of events) registry.off(event, onEvent);
    };
    const onEvent = (): void => {
      let value: T | undefined;
      try {
        value = check();
      } catch (err) {
        finish();
        reject(err as Error);
        return;
      }
      if (value === undefined) return;
      finish();
      resolve(value);
    };
    const timer = setTimeout(() => {
      finish();
      reject(new WaitTimeoutError(what, timeoutMillis));
    }, timeoutMillis);
    // Listen first, then look: nothing can happen in between, but the listener is what makes the registry track route changes.
    for (const event of events) registry.on(event, onEvent);
    onEvent();
  });
}

function registryOf(source: RegistrySource): RouteRegistry {
  return 'registry' in source && typeof source.registry === 'object' ? source.registry : (source as RouteRegistry);
}

function describe(match: BrokerMatch): string {
  return JSON.stringify(match);
}
