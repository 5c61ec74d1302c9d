/**
 * Data shapes of the route registry. Field names are RocketMQ's Java ones, so
 * these objects serialize to the JSON that RocketMQ brokers and clients read.
 * @module
 */

/** Version stamp a broker attaches to its topic configuration. */
export interface DataVersion {
  /** Bumped on master/slave state changes (RocketMQ 5). Missing means 0. */
  stateVersion?: number;
  /** Milliseconds since the epoch at the broker when the version was made. */
  timestamp: number;
  /** Monotonic change counter at the broker. */
  counter: number;
}

/** A topic as a broker declares it in its registration. */
export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  /** Permission bits: 4 read, 2 write, 1 inherit. */
  perm: number;
  topicFilterType?: string;
  /** 1 unit topic, 2 has unit subscription. */
  topicSysFlag?: number;
  order?: boolean;
  attributes?: Record<string, string>;
}

/** The topic table a broker sends with each registration. */
export interface TopicConfigWrapper {
  /**
   * Keyed by topic name; the name used is each entry's `topicName`. A plain
   * object (RocketMQ's JSON) or a `Map`; prefer a `Map` for thousands of
   * topics, which V8 iterates much faster than a large object.
   */
  topicConfigTable: Record<string, TopicConfig> | ReadonlyMap<string, TopicConfig>;
  dataVersion: DataVersion;
  /**
   * Static topics hosted by the broker, by topic name (RocketMQ's
   * `TopicConfigAndMappingSerializeWrapper`); routes show them as
   * `topicQueueMappingByBroker`.
   */
  topicQueueMappingInfoMap?: ReadonlyMap<string, TopicQueueMappingInfo> | Readonly<Record<string, TopicQueueMappingInfo>>;
}

/**
 * A static topic's queue mapping on one broker (RocketMQ's
 * `TopicQueueMappingInfo`, Java's field names): logical queue id → physical
 * queue id on broker `bname`.
 */
export interface TopicQueueMappingInfo {
  topic: string;
  /** RocketMQ's `MixAll.METADATA_SCOPE_GLOBAL` (`__global__`) unless set. */
  scope: string;
  totalQueues: number;
  /** The broker hosting the queues; null when the broker sent none. */
  bname: string | null;
  /** Fences stale mappings: a higher epoch wins. */
  epoch: number;
  dirty: boolean;
  /** Logical queue id → physical queue id (Java's `Map<Integer, Integer>`; keys are decimal ints). */
  currIdMap: Record<string, number>;
}

/** The queues one broker group (broker name) holds for a topic. */
export interface QueueData {
  readonly brokerName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag: number;
}

/** A broker group: its cluster, name and address per broker id (0 = master). */
export interface BrokerData {
  readonly cluster: string;
  readonly brokerName: string;
  /** Keyed by the decimal broker id. */
  readonly brokerAddrs: Readonly<Record<string, string>>;
  readonly zoneName?: string;
  readonly enableActingMaster: boolean;
}

/** What a client needs to produce to or consume from a topic. */
export interface TopicRouteData {
  /** Set only when `orderMessageEnable` is on and the KV store holds one. */
  readonly orderTopicConf?: string;
  /** Sorted by `brokerName`. */
  readonly queueDatas: readonly QueueData[];
  /** Sorted by `brokerName`. */
  readonly brokerDatas: readonly BrokerData[];
  /** Filter servers keyed by broker address. */
  readonly filterServerTable: Readonly<Record<string, readonly string[]>>;
  /**
   * Static topics only: the topic's queue mapping per broker name (the
   * mapping's `bname`), as the brokers registered it; absent otherwise.
   */
  readonly topicQueueMappingByBroker?: Readonly<Record<string, Readonly<TopicQueueMappingInfo>>>;
}

/** Every broker group and every cluster's broker names. */
export interface ClusterInfo {
  brokerAddrTable: Record<string, BrokerData>;
  clusterAddrTable: Record<string, string[]>;
}

/** A list of topic names, optionally with the address of a broker to ask. */
export interface TopicList {
  topicList: string[];
  brokerAddr?: string;
}

/** The members of one broker group. */
export interface BrokerMemberGroup {
  cluster: string;
  brokerName: string;
  /** Keyed by the decimal broker id. */
  brokerAddrs: Record<string, string>;
}

/** A broker's registration (RocketMQ's REGISTER_BROKER header plus body). */
export interface RegisterBrokerRequest {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  /** 0 for the master, > 0 for slaves. */
  brokerId: number;
  haServerAddr?: string | null;
  zoneName?: string | null;
  /** How long this broker may stay silent; default `brokerChannelExpiredMillis`. */
  heartbeatTimeoutMillis?: number | null;
  /** Absent (or null) marks a broker older than RocketMQ 5 (no acting master). */
  enableActingMaster?: boolean | null;
  topicConfigWrapper?: TopicConfigWrapper | null;
  /** null/absent keeps the stored list; an empty list removes it. */
  filterServerList?: string[] | null;
  /** The connection the registration came on; {@link RouteRegistry.onChannelDestroy} drops its brokers. */
  channel?: unknown;
}

/** What a registering broker learns: for a slave, its live master. */
export interface RegisterBrokerResult {
  haServerAddr: string | null;
  masterAddr: string | null;
}

/**
 * What {@link RouteRegistry.registerBroker} did, filled in when passed
 * (as lru-cache's status objects are): the return value alone cannot tell
 * an ignored registration from a master's success.
 */
export interface RegisterBrokerStatus {
  /**
   * - `registered`: the address became live;
   * - `updated`: it was live, and its registration changed a route or its data version;
   * - `heartbeat`: it was live, and nothing a route shows changed;
   * - `refused`: RocketMQ's rules refuse it (the call returned null), see `reason`;
   * - `ignored`: another address holds the broker id with a newer `stateVersion`; nothing
   *   of it was applied, yet (as in RocketMQ) the call returned a success-shaped result.
   */
  outcome?: 'registered' | 'updated' | 'heartbeat' | 'refused' | 'ignored';
  /** Why it was refused or ignored, for people; undefined otherwise. */
  reason?: string | undefined;
}

/** One live broker address (what `GET /brokers` lists); every field is always present. */
export interface LiveBrokerInfo {
  clusterName: string;
  /** The group and id of its last registration. */
  brokerName: string;
  brokerId: number;
  brokerAddr: string;
  /** null when the broker sent none. */
  haServerAddr: string | null;
  /** null when the broker sent none. */
  zoneName: string | null;
  /** Epoch milliseconds on the registry's clock of its last registration or heartbeat. */
  lastUpdateTimestamp: number;
  /** Its own timeout, or the registry's `brokerChannelExpiredMillis` when it sent none. */
  heartbeatTimeoutMillis: number;
  dataVersion: Required<DataVersion>;
}

/** A broker's unregistration (RocketMQ's UNREGISTER_BROKER header). */
export interface UnregisterBrokerRequest {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
}

/** Why a broker address left the live table. */
export type BrokerUnregisterReason = 'unregister' | 'expired' | 'channelDestroyed';

/** Payload of `brokerRegistered`. */
export interface BrokerRegisteredEvent {
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  brokerId: number;
}

/** Payload of `brokerUnregistered`. */
export interface BrokerUnregisteredEvent extends BrokerRegisteredEvent {
  reason: BrokerUnregisterReason;
}

/** Payload of `topicRouteChanged`. */
export interface TopicRouteChangedEvent {
  topic: string;
}

/**
 * Payload of `minBrokerIdChanged`: what RocketMQ's NOTIFY_MIN_BROKER_ID_CHANGE
 * (905) carries, and to whom it goes.
 */
export interface MinBrokerIdChangedEvent {
  readonly brokerName: string;
  /** The group's lowest broker id now. */
  readonly minBrokerId: number;
  readonly minBrokerAddr: string;
  /** The address that left (unregistration path), else null. */
  readonly offlineBrokerAddr: string | null;
  /** The registering broker's `haServerAddr` (registration path), else null. */
  readonly haBrokerAddr: string | null;
  /** The broker addresses to notify (RocketMQ's `chooseBrokerAddrsToNotify`), ids ascending. */
  readonly targets: readonly string[];
}

/** The events a {@link RouteRegistry} emits (eventemitter3 object-map form). */
/** A registration the registry did not apply ({@link RegisterBrokerStatus} `refused` or `ignored`). */
export interface RegistrationNotAppliedEvent {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerAddr: string;
  readonly brokerId: number;
  /** Why, for people (the same text as {@link RegisterBrokerStatus.reason}). */
  readonly reason: string;
}

export interface RouteRegistryEvents {
  /** An address became live (first registration, not each heartbeat). */
  brokerRegistered: (event: BrokerRegisteredEvent) => void;
  /** An address left the live table. */
  brokerUnregistered: (event: BrokerUnregisteredEvent) => void;
  /** What `getRouteInfoByTopic(topic)` returns changed. */
  topicRouteChanged: (event: TopicRouteChangedEvent) => void;
  /**
   * A group's lowest broker id changed, under RocketMQ's rules; emitted only
   * while the `notifyMinBrokerIdChanged` option is on.
   */
  minBrokerIdChanged: (event: MinBrokerIdChangedEvent) => void;
  /**
   * A registration was refused: RocketMQ's rules refuse it, or it would take
   * the registry past a limit. `registerBroker` returned null; nothing of its
   * table was applied.
   */
  registrationRefused: (event: RegistrationNotAppliedEvent) => void;
  /**
   * A registration was ignored: another address holds the broker id with a
   * newer `stateVersion`. Nothing of it was applied, yet (as in RocketMQ)
   * `registerBroker` returned a success-shaped result.
   */
  registrationIgnored: (event: RegistrationNotAppliedEvent) => void;
}
