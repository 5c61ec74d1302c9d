/**
 * The JSON the console reads, as the HTTP adapter sends it (RocketMQ's field
 * names). Only what the page uses; everything from the server is data, never markup.
 */
// The controller's view is the server's own type (type-only imports vanish
// from the bundle), so the page cannot drift from what `GET /controller` sends.
import type { ControllerGroupView, ControllerView } from '../../../controller/view.js';
import type { BrokerLiveInfo } from '../../../controller/types.js';

export interface DataVersion {
  readonly stateVersion?: number;
  readonly timestamp: number;
  readonly counter: number;
}

export interface BrokerData {
  readonly cluster: string;
  readonly brokerName: string;
  readonly brokerAddrs: Readonly<Record<string, string>>;
  readonly zoneName?: string | null;
}

export interface ClusterInfo {
  readonly brokerAddrTable: Readonly<Record<string, BrokerData>>;
  readonly clusterAddrTable: Readonly<Record<string, readonly string[]>>;
}

/** One element of `GET /brokers`. */
export interface LiveBroker {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddr: string;
  readonly haServerAddr: string | null;
  readonly zoneName: string | null;
  readonly lastUpdateTimestamp: number;
  readonly heartbeatTimeoutMillis: number;
  readonly dataVersion: DataVersion;
}

export interface QueueData {
  readonly brokerName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag: number;
}

export interface TopicRouteData {
  readonly orderTopicConf?: string;
  readonly queueDatas: readonly QueueData[];
  readonly brokerDatas: readonly BrokerData[];
  readonly filterServerTable?: Readonly<Record<string, readonly string[]>>;
  readonly topicQueueMappingByBroker?: Readonly<Record<string, unknown>>;
}

/** Broker events of `/events` (the registry's, as JSON). */
export interface BrokerEvent {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerAddr: string;
  readonly brokerId: number;
  readonly reason?: string;
}

/** One graph sample of `GET /stats/history`: rates per second. */
export interface Sample {
  readonly seq: number;
  readonly at: number;
  readonly routeRequests: number;
  readonly registered: number;
  readonly heartbeats: number;
  readonly updated: number;
  readonly left: number;
  readonly refused: number;
  readonly ignored: number;
  readonly liveBrokers: number;
  readonly loopDelayP99Millis: number;
  readonly loopDelayMaxMillis: number;
  readonly memoryUsedBytes: number;
  readonly memoryLimitBytes: number;
}

export interface HistoryReply {
  readonly intervalMillis: number;
  readonly capacity: number;
  readonly memory: 'budget' | 'heap';
  readonly samples: readonly Sample[];
  /** Addresses whose registrations were refused or ignored lately, most recent first. */
  readonly notApplied?: readonly NotApplied[];
}

export interface NotApplied {
  readonly clusterName: string;
  readonly brokerAddr: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly outcome: 'refused' | 'ignored';
  readonly reason: string;
  readonly count: number;
  readonly lastAt: number;
}

export type TimelineEntry =
  | { readonly kind: 'registered'; readonly at: number; readonly brokerName: string; readonly brokerId: number }
  | { readonly kind: 'heartbeats'; readonly at: number; readonly until: number; readonly count: number }
  | { readonly kind: 'updated'; readonly at: number; readonly counter: number }
  | { readonly kind: 'left'; readonly at: number; readonly reason: string }
  | { readonly kind: 'refused' | 'ignored'; readonly at: number; readonly brokerId: number; readonly reason: string };

export interface BrokerTimeline {
  readonly clusterName: string;
  readonly brokerAddr: string;
  readonly entries: readonly TimelineEntry[];
}

export interface Requester {
  readonly remoteAddress: string;
  readonly via: string;
  readonly count: number;
  readonly lastAt: number;
  readonly found: boolean;
}


/** `GET /controller`. */
export type { ControllerView };
/** One broker group in `GET /controller`. */
export type ControllerGroup = ControllerGroupView;
/** One replica of a group in `GET /controller`. */
export type ControllerReplica = ControllerGroupView['replicas'][number];
/** A broker heartbeating to the controller. */
export type ControllerLiveBroker = BrokerLiveInfo;

/** A controller event of `/events` (masterElected, syncStateSetChanged, brokerInactive), as the page keeps it. */
export interface ControllerEventItem {
  readonly type: string;
  /** When the page saw it, on the server's clock. */
  readonly at: number;
  readonly text: string;
}
