/** What the page knows, in one object shared by its modules. */
import type { ClusterInfo, LiveBroker, TopicRouteData } from './types.js';

/** A broker address that left, kept and marked in text. */
export interface Gone {
  readonly info: { readonly clusterName: string; readonly brokerName: string; readonly brokerAddr: string; readonly brokerId: number };
  readonly reason: string;
  /** When it left, on the server's clock. */
  readonly at: number;
}

/** A route as the topic list holds it: known, known absent (null), or being fetched. */
export type CachedRoute = TopicRouteData | null | 'loading';

function meta(name: string): string {
  const m = document.querySelector(`meta[name="${name}"]`);
  return m === null ? '' : m.getAttribute('content') ?? '';
}

/** The page's settings, from its `<meta>` tags. */
export const BASE = meta('namesrv-base');
export const HAS_KV = meta('namesrv-kv') === '1';
export const HAS_CONTROLLER = meta('namesrv-controller') === '1';

/** Most departed addresses kept on the page. */
export const MAX_GONE = 200;

/** The page's state. */
export const S = {
  token: sessionStorage.getItem('namesrv-token') ?? '',
  cluster: { brokerAddrTable: {}, clusterAddrTable: {} } as ClusterInfo,
  live: new Map<string, LiveBroker>(),
  gone: new Map<string, Gone>(),
  /** The server's clock at `local` (performance.now()), from `X-Namesrv-Now`. */
  clock: { server: 0, local: 0 },
  topics: [] as string[],
  shown: [] as string[],
  filter: '',
  routes: new Map<string, CachedRoute>(),
  kv: null as Map<string, Readonly<Record<string, string>>> | null,
  kvError: '',
  lastId: '',
  loaded: false,
  waitingForToken: false,
  timers: new Map<string, number>(),
};

/** The key of a live or departed address. */
export function liveKey(cluster: string, addr: string): string {
  return `${cluster}\u0000${addr}`;
}

/** Now on the server's clock (the registry's, which tests may fake). */
export function serverNow(): number {
  return S.clock.server + (performance.now() - S.clock.local);
}

/** Runs `fn` once after `ms`, however often asked meanwhile. */
export function later(name: string, ms: number, fn: () => void): void {
  if (S.timers.has(name)) return;
  S.timers.set(name, window.setTimeout(() => {
    S.timers.delete(name);
    fn();
  }, ms));
}
