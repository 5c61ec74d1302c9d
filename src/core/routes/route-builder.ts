/**
 * Building a topic's route (RocketMQ's `pickupTopicRouteData`): the group
 * snapshots it shares, the filter servers of their addresses, RocketMQ 5's
 * acting masters, sharing lists and routes of equal content between
 * topics; and the structural equality that decides whether a
 * `topicRouteChanged` event is due. Functions over the tables: building
 * only adopts shared lists of equal content, so it changes no route.
 * @internal
 * @module
 */
import { setOwn } from '../records.js';
import { indexOfBroker, sameQueueData } from '../tables/queue-datas.js';
import { sameElements, type SharedRoute } from './shared-routes.js';
import { sameMappingsByBroker, type MappingsByBroker } from '../tables/static-topics.js';
import { MASTER_ID, type BrokerGroup, type TopicEntry } from '../tables/records.js';
import { PERM_WRITE, SYNC_BROKER_MEMBER_GROUP_PREFIX } from '../registration/topic-config.js';
import type { BrokerData, QueueData, TopicRouteData } from '../types.js';

const EMPTY_FILTER_SERVER_TABLE: Readonly<Record<string, readonly string[]>> = Object.freeze({});

/** What a route is built from. */
export interface RouteSources {
  readonly groups: ReadonlyMap<string, BrokerGroup>;
  /** cluster → address → filter servers. */
  readonly filterServers: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /** Read at each build: the option may change at runtime. */
  readonly supportActingMaster: boolean;
  /** The `orderTopicConf` of a topic, or null. */
  readonly orderTopicConf: (topic: string) => string | null;
  /** The static topic mappings of a topic, or null. */
  readonly topicQueueMappings: (topic: string) => MappingsByBroker | null;
}

/**
 * The frozen route of `topic`, or null when none of its groups is known.
 * Adopts, into `entry`, the list of equal content other topics share, and
 * reuses their frozen lists and route when nothing differs (see `SharedRoutes`).
 */
export function buildRoute(topic: string, entry: TopicEntry, from: RouteSources): TopicRouteData | null {
  const shared = sharedRouteOf(entry, from.groups);
  const queueDatas = entry.queueDatas;
  // Exact length: one of these per built route that is not shared, and pushing over-allocates.
  let built = new Array<BrokerData>(queueDatas.length);
  let found = 0;
  let filterServerTable: Record<string, readonly string[]> | null = null;
  for (const qd of queueDatas) {
    const g = from.groups.get(qd.brokerName);
    if (g === undefined) continue;
    built[found++] = snapshotOf(g);
    const filters = from.filterServers.size === 0 ? undefined : from.filterServers.get(g.cluster);
    if (filters === undefined) continue;
    for (const addr of g.addrs.values()) {
      const list = filters.get(addr);
      if (list !== undefined) setOwn((filterServerTable ??= {}), addr, list);
    }
  }
  if (found === 0) return null;
  if (found < built.length) built = built.slice(0, found);
  // Identity of every snapshot: a group that changed since has a new one, so a stale list never matches.
  let snapshots: readonly BrokerData[];
  if (shared !== null && shared.brokerDatas !== null && sameElements(shared.brokerDatas, built)) {
    snapshots = shared.brokerDatas;
  } else {
    snapshots = Object.freeze(built);
    if (shared !== null) {
      shared.brokerDatas = snapshots;
      shared.route = null;
    }
  }
  let brokerDatas = snapshots;
  if (from.supportActingMaster && !topic.startsWith(SYNC_BROKER_MEMBER_GROUP_PREFIX)) {
    brokerDatas = withActingMasters(snapshots, queueDatas);
  }
  const orderTopicConf = from.orderTopicConf(topic);
  const mappings = from.topicQueueMappings(topic);
  const plain = shared !== null && brokerDatas === snapshots && filterServerTable === null
    && orderTopicConf === null && mappings === null;
  if (plain && shared.route !== null && shared.route.brokerDatas === brokerDatas) return shared.route;
  const route: { -readonly [K in keyof TopicRouteData]: TopicRouteData[K] } = {
    queueDatas,
    brokerDatas,
    filterServerTable: filterServerTable === null ? EMPTY_FILTER_SERVER_TABLE : Object.freeze(filterServerTable),
  };
  if (orderTopicConf !== null) route.orderTopicConf = orderTopicConf;
  if (mappings !== null) route.topicQueueMappingByBroker = mappings;
  Object.freeze(route);
  if (plain) shared.route = route;
  return route;
}

/**
 * The shared parts for `entry`'s queue list, which the entry adopts (the
 * same content, so its route is the same); null when its first group is gone.
 */
function sharedRouteOf(entry: TopicEntry, groups: ReadonlyMap<string, BrokerGroup>): SharedRoute | null {
  const first = entry.queueDatas[0];
  const g = first === undefined ? undefined : groups.get(first.brokerName);
  if (g === undefined) return null;
  const shared = g.sharedRoutes.share(entry.queueDatas);
  entry.queueDatas = shared.queueDatas;
  return shared;
}

/** RocketMQ 5's acting master: a master-less, read-only group shows its lowest slave as id 0. */
function withActingMasters(brokerDatas: readonly BrokerData[], queueDatas: readonly QueueData[]): readonly BrokerData[] {
  const needsActingMaster = brokerDatas.some((bd) => {
    const ids = Object.keys(bd.brokerAddrs);
    return ids.length > 0 && !ids.includes(String(MASTER_ID));
  });
  if (!needsActingMaster) return brokerDatas;
  return Object.freeze(brokerDatas.map((bd) => {
    const ids = Object.keys(bd.brokerAddrs).map(Number);
    if (ids.length === 0 || ids.includes(MASTER_ID) || !bd.enableActingMaster) return bd;
    const qd = queueDatas[indexOfBroker(queueDatas, bd.brokerName)];
    if (qd === undefined || (qd.perm & PERM_WRITE) !== 0) return bd;
    const minId = Math.min(...ids);
    const brokerAddrs: Record<string, string> = {};
    for (const id of ids) {
      const addr = bd.brokerAddrs[String(id)] as string;
      setOwn(brokerAddrs, String(id === minId ? MASTER_ID : id), addr);
    }
    return Object.freeze({ ...bd, brokerAddrs: Object.freeze(brokerAddrs) });
  }));
}

/** The group's frozen `BrokerData`, made once per change of the group. */
export function snapshotOf(g: BrokerGroup): BrokerData {
  if (g.snapshot !== null) return g.snapshot;
  const snapshot: { -readonly [K in keyof BrokerData]: BrokerData[K] } = {
    cluster: g.cluster,
    brokerName: g.brokerName,
    brokerAddrs: Object.freeze(addrsRecord(g)),
    enableActingMaster: g.enableActingMaster,
  };
  if (g.zoneName !== null) snapshot.zoneName = g.zoneName;
  return (g.snapshot = Object.freeze(snapshot));
}

/** id → address of a group as a fresh record, ids ascending. */
export function addrsRecord(g: BrokerGroup): Record<string, string> {
  const brokerAddrs: Record<string, string> = {};
  for (const id of [...g.addrs.keys()].sort((a, b) => a - b)) setOwn(brokerAddrs, String(id), g.addrs.get(id) as string);
  return brokerAddrs;
}

/** A mutable copy of a snapshot. */
export function copyBrokerData(bd: BrokerData): BrokerData {
  const copy: { -readonly [K in keyof BrokerData]: BrokerData[K] } = {
    cluster: bd.cluster,
    brokerName: bd.brokerName,
    brokerAddrs: { ...bd.brokerAddrs },
    enableActingMaster: bd.enableActingMaster,
  };
  if (bd.zoneName !== undefined) copy.zoneName = bd.zoneName;
  return copy;
}

export function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Structural equality of two route snapshots (what their JSON would show). */
export function sameRoute(a: TopicRouteData | null, b: TopicRouteData | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.orderTopicConf !== b.orderTopicConf) return false;
  if (a.queueDatas.length !== b.queueDatas.length || a.brokerDatas.length !== b.brokerDatas.length) return false;
  for (let i = 0; i < a.queueDatas.length; i++) {
    if (!sameQueueData(a.queueDatas[i] as QueueData, b.queueDatas[i] as QueueData)) return false;
  }
  for (let i = 0; i < a.brokerDatas.length; i++) {
    const x = a.brokerDatas[i] as BrokerData;
    const y = b.brokerDatas[i] as BrokerData;
    if (x === y) continue;
    if (x.cluster !== y.cluster || x.brokerName !== y.brokerName || x.enableActingMaster !== y.enableActingMaster
      || x.zoneName !== y.zoneName || !sameRecord(x.brokerAddrs, y.brokerAddrs, (p, q) => p === q)) return false;
  }
  return sameRecord(a.filterServerTable, b.filterServerTable, sameStrings)
    && sameMappingsByBroker(a.topicQueueMappingByBroker, b.topicQueueMappingByBroker);
}

function sameRecord<V>(a: Readonly<Record<string, V>>, b: Readonly<Record<string, V>>, same: (x: V, y: V) => boolean): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  const otherKeys = Object.keys(b);
  if (keys.length !== otherKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (k !== otherKeys[i] || !same(a[k] as V, b[k] as V)) return false;
  }
  return true;
}
