/**
 * Zone mode, as RocketMQ 5.3.3's `ZoneRouteRPCHook`: a client that sends
 * `__ZONE_MODE=true` and `__ZONE_NAME=<zone>` with GET_ROUTEINFO_BY_TOPIC
 * gets only its zone's broker groups, plus every group without a master
 * (Java: "master down, consume from slave"), their queues and the filter
 * servers of the groups kept.
 *
 * Java's hook decodes the finished route and re-encodes it with fastjson, so
 * a client that asked for standard JSON gets fastjson there; here the
 * filtered route goes through the normal encoder and keeps the choice.
 * @module
 */
import type { BrokerData, TopicRouteData } from '../types.js';

/** The extFields key that switches zone mode on (Java's `MixAll.ZONE_MODE`). */
export const ZONE_MODE_KEY = '__ZONE_MODE';
/** The extFields key naming the client's zone (Java's `MixAll.ZONE_NAME`). */
export const ZONE_NAME_KEY = '__ZONE_NAME';

const MASTER_ID = '0';

/**
 * The zone to filter a route request's answer by, or null to answer it
 * unfiltered. As the hook: `__ZONE_MODE` is read with Java's
 * `Boolean.parseBoolean` (`true` in any case, nothing else), and a missing
 * or blank `__ZONE_NAME` turns the filter off. The hook also requires the
 * request to be GET_ROUTEINFO_BY_TOPIC (105) and the answer SUCCESS with a
 * body: the caller checks those.
 */
export function zoneToFilterBy(
  extFields: Readonly<Record<string, string>> | ReadonlyMap<string, string> | null | undefined,
): string | null {
  if (extFields === null || extFields === undefined) return null;
  const get = (key: string): string | undefined =>
    extFields instanceof Map ? extFields.get(key) : Object.hasOwn(extFields, key) ? (extFields as Record<string, string>)[key] : undefined;
  if (get(ZONE_MODE_KEY)?.toLowerCase() !== 'true') return null;
  const zone = get(ZONE_NAME_KEY);
  return zone === undefined || isBlank(zone) ? null : zone;
}

/**
 * `route` restricted to `zoneName`, as `ZoneRouteRPCHook.filterByZoneName`:
 * - a broker group is kept when it has no master (id 0) or its `zoneName`
 *   equals `zoneName` ignoring case; other groups are removed;
 * - queue datas of removed groups are dropped (queue datas naming a group
 *   the route does not list stay, as in Java);
 * - filter servers keyed by any address of a removed group are dropped;
 * - every other field (`orderTopicConf`, `topicQueueMappingByBroker`, …) is
 *   kept as it is: Java does not filter them either.
 *
 * The input is not modified (routes are shared frozen snapshots): the result
 * is a new frozen object sharing the unchanged parts, or `route` itself when
 * no group is removed.
 */
export function filterRouteByZone<R extends TopicRouteData>(route: R, zoneName: string): R {
  const kept: BrokerData[] = [];
  const removed = new Map<string, BrokerData>();
  for (const bd of route.brokerDatas) {
    if (!Object.hasOwn(bd.brokerAddrs, MASTER_ID) || equalsIgnoreCase(bd.zoneName, zoneName)) kept.push(bd);
    else removed.set(bd.brokerName, bd);
  }
  if (removed.size === 0) return route;

  const queueDatas = route.queueDatas.filter((qd) => !removed.has(qd.brokerName));
  const removedAddrs = new Set<string>();
  for (const bd of removed.values()) for (const addr of Object.values(bd.brokerAddrs)) removedAddrs.add(addr);
  const filterServerTable: Record<string, readonly string[]> = {};
  let filtersChanged = false;
  for (const [addr, servers] of Object.entries(route.filterServerTable)) {
    if (removedAddrs.has(addr)) filtersChanged = true;
    else Object.defineProperty(filterServerTable, addr, { value: servers, enumerable: true, writable: true, configurable: true });
  }
  return Object.freeze({
    ...route,
    brokerDatas: Object.freeze(kept),
    queueDatas: Object.freeze(queueDatas),
    filterServerTable: filtersChanged ? Object.freeze(filterServerTable) : route.filterServerTable,
  });
}

/** `StringUtils.isBlank`: empty or only whitespace (Java's `Character.isWhitespace`). */
function isBlank(s: string): boolean {
  return JAVA_WHITESPACE.test(s);
}

/** Unicode space separators except the non-breaking ones, line/paragraph separators, and the ASCII controls Java counts. */
const JAVA_WHITESPACE = /^(?:(?![\u00a0\u2007\u202f])[\t\n\u000b\f\r\u001c-\u001f\p{Zs}\u2028\u2029])*$/u;

/** `StringUtils.equalsIgnoreCase`: null-safe, char by char as `String.regionMatches(true, …)`. */
function equalsIgnoreCase(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const ux = upper(x);
    const uy = upper(y);
    if (ux === uy || ux.toLowerCase() === uy.toLowerCase()) continue;
    return false;
  }
  return true;
}

/** Java's `Character.toUpperCase` of one UTF-16 unit: a one-to-many mapping (ß → SS) leaves the char alone. */
function upper(c: string): string {
  const u = c.toUpperCase();
  return u.length === 1 ? u : c;
}
