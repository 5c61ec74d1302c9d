/**
 * The JSON the console reads, as the HTTP adapter sends it (RocketMQ's field
 * names). Only what the page uses; everything from the server is data, never markup.
 */
// What the server's own types describe is imported from them (type-only
// imports vanish from the bundle), so the page cannot drift from what it is sent.
import type { ControllerGroupView, ControllerView } from '../../../controller/view.js';
import type { BrokerLiveInfo } from '../../../controller/types.js';
import type { QueueData } from '../../../core/types.js';
import type { ConsoleHistoryReply, ConsoleSample } from '../history-reply.js';
import type { NotAppliedEntry } from '../not-applied.js';
import type { BrokerTimeline, TimelineEntry } from '../timeline.js';

export type { QueueData, BrokerTimeline, TimelineEntry };
/** `GET /stats/history`. */
export type HistoryReply = ConsoleHistoryReply;
/** One graph sample of `GET /stats/history`: rates per second. */
export type Sample = ConsoleSample;
/** An address whose registrations were refused or ignored lately. */
export type NotApplied = NotAppliedEntry;

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
