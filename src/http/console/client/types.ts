/**
 * The JSON the console reads, as the HTTP adapter sends it (RocketMQ's field
 * names). Only what the page uses; everything from the server is data, never markup.
 */

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

/** One replica of a group in `GET /controller`. */
export interface ControllerReplica {
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddress: string;
  readonly alive: boolean;
  readonly inSync: boolean;
}

/** One broker group in `GET /controller`. */
export interface ControllerGroup {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly masterBrokerId: number | null;
  readonly masterAddress: string | null;
  readonly masterEpoch: number;
  readonly syncStateSetEpoch: number;
  readonly syncStateSet: readonly number[];
  readonly replicas: readonly ControllerReplica[];
  readonly inactiveBrokerIds: readonly number[];
}

/** A broker heartbeating to the controller. */
export interface ControllerLiveBroker {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerAddr: string;
  readonly brokerId: number;
  readonly lastUpdateTimestamp: number;
  readonly heartbeatTimeoutMillis: number;
  readonly epoch: number;
  readonly maxOffset: number;
  readonly confirmOffset: number;
  readonly electionPriority: number;
}

/** `GET /controller`. */
export interface ControllerView {
  readonly isLeader: boolean;
  readonly leaderId: string | null;
  readonly leaderAddress: string | null;
  readonly peers: string;
  readonly groups: readonly ControllerGroup[];
  readonly liveBrokers: readonly ControllerLiveBroker[];
}

/** A controller event of `/events` (masterElected, syncStateSetChanged, brokerInactive), as the page keeps it. */
export interface ControllerEventItem {
  readonly type: string;
  /** When the page saw it, on the server's clock. */
  readonly at: number;
  readonly text: string;
}
