/**
 * The records of the registry's five tables (RocketMQ's `RouteInfoManager`
 * keeps the same five: topicQueueTable, brokerAddrTable, clusterAddrTable,
 * brokerLiveTable, filterServerTable). The maps themselves live in
 * {@link RouteRegistry}; these are their values.
 * @internal
 * @module
 */
import type { ExpiryNode } from '../expiry/expiry-queue.js';
import type { UncheckedTopicTable } from '../registration/topic-table.js';
import { SharedRoutes } from '../routes/shared-routes.js';
import type { BrokerData, DataVersion, QueueData, TopicRouteData } from '../types.js';

/** RocketMQ's `MixAll.MASTER_ID`. */
export const MASTER_ID = 0;

/**
 * The sealed topic table a group's last walk applied (a sealed table cannot
 * change, so what the walk left is known): the group held every topic of it
 * at {@link topicsVersion}, and, when {@link exact}, each with the table's
 * figures too.
 */
export interface LastApplied {
  readonly sealedTable: UncheckedTopicTable;
  /** A whole walk (a new data version) applied it: the group held its figures, not only its topics. */
  readonly exact: boolean;
  /** Whether write permission was wiped from its queues (an acting master). */
  readonly wipeWrite: boolean;
  /** The group's {@link BrokerGroup.topicsVersion} right after it was applied. */
  readonly topicsVersion: number;
}

/** A broker group (one broker name): RocketMQ's `BrokerData`, plus indexes. */
export interface BrokerGroup {
  readonly brokerName: string;
  /** The cluster the group was first registered in (RocketMQ never changes it). */
  readonly cluster: string;
  /** brokerId → address. Change it only through the registry, which indexes addresses. */
  readonly addrs: Map<number, string>;
  zoneName: string | null;
  enableActingMaster: boolean;
  /** Every topic this group holds queues of, with them: the per-broker view of topicQueueTable. */
  readonly topics: Map<string, QueueData>;
  /** Counts changes to {@link topics}: equal counts mean the same queues. */
  topicsVersion: number;
  lastApplied: LastApplied | null;
  /** Frozen `BrokerData`, shared by every route that lists this group; null when stale. */
  snapshot: BrokerData | null;
  /** Frozen `QueueData`s of this group by queue figures: most topics share a handful. */
  readonly queueDataIntern: Map<number, QueueData>;
  /** Route parts shared by topics whose queue lists start with this group's queues. */
  readonly sharedRoutes: SharedRoutes;
}

/** RocketMQ's `BrokerLiveInfo`, keyed by cluster + address. */
export interface LiveBroker extends ExpiryNode {
  readonly clusterName: string;
  readonly brokerAddr: string;
  /** The group and id of its last registration. */
  brokerName: string;
  brokerId: number;
  dataVersion: Required<DataVersion>;
  /**
   * Every open connection this address registered on. Closing one of them
   * drops the broker only when none is left (see `onChannelDestroy`).
   */
  readonly channels: Set<unknown>;
  haServerAddr: string | null;
  zoneName: string | null;
}

/**
 * A topic's queues (sorted by broker name, frozen, replaced on change) and
 * its cached route. Both may be shared with other topics of equal content
 * (see {@link SharedRoutes}): neither names the topic.
 */
export interface TopicEntry {
  /** The one instance of the topic's name every group and route shares. */
  readonly name: string;
  queueDatas: readonly QueueData[];
  /** The frozen route; undefined when it must be rebuilt. */
  route: TopicRouteData | null | undefined;
}

/** A new, empty group. */
export function newGroup(clusterName: string, brokerName: string): BrokerGroup {
  return {
    brokerName,
    cluster: clusterName,
    addrs: new Map(),
    zoneName: null,
    enableActingMaster: false,
    topics: new Map(),
    topicsVersion: 0,
    lastApplied: null,
    snapshot: null,
    queueDataIntern: new Map(),
    sharedRoutes: new SharedRoutes(),
  };
}

/** The lowest id of a group, or -1 when it lists no address. */
export function minBrokerId(g: BrokerGroup): number {
  let min = -1;
  for (const id of g.addrs.keys()) if (min < 0 || id < min) min = id;
  return min;
}

/** True when the group has no master (id 0) address. */
export function hasNoMaster(g: BrokerGroup): boolean {
  return g.addrs.size === 0 || minBrokerId(g) > MASTER_ID;
}

/** The id under which `g` lists `addr`, or -1. */
export function idOfAddr(g: BrokerGroup, addr: string): number {
  for (const [id, a] of g.addrs) if (a === addr) return id;
  return -1;
}

