/**
 * The route registry: RocketMQ's `RouteInfoManager`, transport-agnostic.
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { InvalidRequestError } from './errors.js';
import { ExpiryQueue, type ExpiryNode } from './expiry.js';
import { NAMESPACE_ORDER_TOPIC_CONFIG, type KvConfigChangeEvent } from './kv-config.js';
import { resolveRouteRegistryOptions, type ResolvedRouteRegistryOptions, type RouteRegistryOptions } from './options.js';
import { setOwn } from './records.js';
import { tableGet, tableHas, tableHasExactlyOne, type UncheckedTopicTable } from './topic-table.js';
import type {
  BrokerData,
  BrokerMemberGroup,
  BrokerRegisteredEvent,
  BrokerUnregisteredEvent,
  BrokerUnregisterReason,
  ClusterInfo,
  DataVersion,
  LiveBrokerInfo,
  QueueData,
  RegisterBrokerRequest,
  RegisterBrokerResult,
  RouteRegistryEvents,
  TopicConfig,
  TopicList,
  TopicRouteData,
  UnregisterBrokerRequest,
} from './types.js';
import {
  normalizeQueueDatas,
  normalizeRegistration,
  normalizeTopicConfig,
  normalizeUnregistration,
  isValidTopicConfig,
  requireString,
  type NormalizedRegistration,
} from './validate.js';

/** RocketMQ's `MixAll.MASTER_ID`. */
export const MASTER_ID = 0;
/** Permission bits (RocketMQ's `PermName`). */
export const PERM_READ = 4;
export const PERM_WRITE = 2;
/** Topic system flags (RocketMQ's `TopicSysFlag`). */
export const FLAG_UNIT = 1;
export const FLAG_UNIT_SUB = 2;
/** Topics of this prefix never get an acting master (RocketMQ's `TopicValidator`). */
const SYNC_BROKER_MEMBER_GROUP_PREFIX = 'rmq_sys_SYNC_BROKER_MEMBER_';

const EMPTY_FILTER_SERVER_TABLE: Readonly<Record<string, readonly string[]>> = Object.freeze({});
const NO_QUEUE_DATAS: readonly QueueData[] = Object.freeze([]);
const NO_CHANGES: readonly TopicConfig[] = Object.freeze([]);

/** A broker group (one broker name): RocketMQ's `BrokerData`, plus indexes. */
interface BrokerGroup {
  readonly brokerName: string;
  /** The cluster the group was first registered in (RocketMQ never changes it). */
  readonly cluster: string;
  /** brokerId → address. */
  readonly addrs: Map<number, string>;
  zoneName: string | null;
  enableActingMaster: boolean;
  /** Every topic this group holds queues of, with them: the per-broker view of topicQueueTable. */
  readonly topics: Map<string, QueueData>;
  /** Topics the name server removed from this group since the last table was applied. */
  dropped: Set<string> | null;
  /** Who applied a topic table last, and at which version. */
  lastApplied: { readonly addr: string; readonly version: Required<DataVersion> } | null;
  /** Frozen `BrokerData`, shared by every route that lists this group; null when stale. */
  snapshot: BrokerData | null;
  /** Frozen `QueueData`s of this group by queue figures: most topics share a handful. */
  readonly queueDataIntern: Map<number, QueueData>;
}

/** RocketMQ's `BrokerLiveInfo`, keyed by cluster + address. */
interface LiveBroker extends ExpiryNode {
  readonly clusterName: string;
  readonly brokerAddr: string;
  brokerName: string;
  brokerId: number;
  dataVersion: Required<DataVersion>;
  channel: unknown;
  haServerAddr: string | null;
}

/** A topic's queues (sorted by broker name, frozen, replaced on change) and its cached route. */
interface TopicEntry {
  queueDatas: readonly QueueData[];
  /** The frozen route; undefined when it must be rebuilt. */
  route: TopicRouteData | null | undefined;
}

/** Events gathered during one operation, emitted once the tables are consistent again. */
interface ChangeSet {
  readonly registered: BrokerRegisteredEvent[];
  readonly unregistered: BrokerUnregisteredEvent[];
  /** null when nobody listens to `topicRouteChanged`. */
  readonly topics: Set<string> | null;
  /** The cached route of each changed topic before the operation, when there was one: an event is due only if it differs. */
  readonly previous: Map<string, TopicRouteData | null> | null;
}

/**
 * An in-memory RocketMQ route registry: which clusters, brokers and topics
 * exist, and which brokers are alive. It behaves as RocketMQ 5.3's
 * `RouteInfoManager`, knows nothing of sockets, and emits typed events.
 *
 * Routes returned by {@link RouteRegistry.getRouteInfoByTopic} are deeply
 * frozen snapshots shared between callers: cheap to get, impossible to use to
 * change the registry. Other queries return fresh plain objects.
 *
 * @example
 * ```ts
 * const registry = new RouteRegistry();
 * registry.registerBroker({ clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerId: 0,
 *   brokerAddr: '10.0.0.1:10911', topicConfigWrapper: { topicConfigTable, dataVersion } });
 * registry.getRouteInfoByTopic('TopicTest');
 * ```
 */
export class RouteRegistry extends EventEmitter<RouteRegistryEvents> {
  readonly #options: ResolvedRouteRegistryOptions;
  readonly #now: () => number;

  /** topic → its queues per broker name. */
  readonly #topicQueueTable = new Map<string, TopicEntry>();
  /** broker name → group. */
  readonly #brokerAddrTable = new Map<string, BrokerGroup>();
  /** cluster → broker names. */
  readonly #clusterAddrTable = new Map<string, Set<string>>();
  /** cluster → address → live broker. */
  readonly #brokerLiveTable = new Map<string, Map<string, LiveBroker>>();
  /** cluster → address → filter servers. */
  readonly #filterServerTable = new Map<string, Map<string, readonly string[]>>();
  /** channel → the live brokers registered on it. */
  readonly #channels = new Map<unknown, Set<LiveBroker>>();
  readonly #expiry = new ExpiryQueue<LiveBroker>();
  #liveCount = 0;
  #routeEpoch = 0;
  #scanTimer: ReturnType<typeof setInterval> | null = null;
  #kvListener: ((event: KvConfigChangeEvent) => void) | null = null;

  constructor(options?: RouteRegistryOptions) {
    super();
    this.#options = resolveRouteRegistryOptions(options);
    this.#now = this.#options.now;
    this.#watchOrderTopicConfig();
  }

  /** The options in force, defaults applied. */
  get options(): ResolvedRouteRegistryOptions {
    return this.#options;
  }

  /** How many topics have routes. */
  get topicCount(): number {
    return this.#topicQueueTable.size;
  }

  /** How many broker addresses are live. */
  get liveBrokerCount(): number {
    return this.#liveCount;
  }

  /**
   * A number that changes whenever any topic's route may have changed. While
   * it stays the same, every route is as it was: adapters may trust what they
   * derived from routes (encoded bodies, say) without asking again.
   */
  get routeEpoch(): number {
    return this.#routeEpoch;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts the periodic scan for silent brokers (every `scanIntervalMillis`). Idempotent. */
  start(): void {
    this.#watchOrderTopicConfig();
    if (this.#scanTimer !== null) return;
    this.#scanTimer = setInterval(() => this.#scheduledScan(), this.#options.scanIntervalMillis);
    // The scan must never be what keeps a host process alive.
    this.#scanTimer.unref();
  }

  /** Stops the periodic scan and detaches from the KV store. Idempotent; the tables are kept. */
  close(): void {
    if (this.#scanTimer !== null) {
      clearInterval(this.#scanTimer);
      this.#scanTimer = null;
    }
    if (this.#kvListener !== null && this.#options.kvConfig !== null) {
      this.#options.kvConfig.off('change', this.#kvListener);
      this.#kvListener = null;
    }
  }

  #scheduledScan(): void {
    try {
      this.scanNotActiveBroker();
    } catch (err) {
      // Only a listener can throw here; a timer has no caller to hand it to.
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  #watchOrderTopicConfig(): void {
    const kv = this.#options.kvConfig;
    if (kv === null || !this.#options.orderMessageEnable || this.#kvListener !== null) return;
    this.#kvListener = (event) => {
      if (event.namespace !== NAMESPACE_ORDER_TOPIC_CONFIG) return;
      const entry = this.#topicQueueTable.get(event.key);
      if (entry === undefined) return;
      const cs = this.#begin();
      this.#invalidateTopic(cs, event.key, entry);
      this.#emit(cs);
    };
    kv.on('change', this.#kvListener);
  }

  // ---------------------------------------------------------------- registration

  /**
   * Registers a broker or refreshes its heartbeat (RocketMQ's `registerBroker`).
   *
   * Returns the slave's live master (`masterAddr`, `haServerAddr`), both null
   * for a master; returns null when a first registration carries exactly one
   * topic (RocketMQ refuses those). A known broker id at a new address whose
   * `stateVersion` is older than the live one is ignored.
   *
   * @throws {@link InvalidRequestError} when the request is malformed; nothing changes then.
   */
  registerBroker(req: RegisterBrokerRequest): RegisterBrokerResult | null {
    const r = normalizeRegistration(req);
    const now = this.#now();
    const table = r.topicConfigTable;
    const group = this.#brokerAddrTable.get(r.brokerName);
    const live = this.#live(r.clusterName, r.brokerAddr);
    const isOldVersionBroker = r.enableActingMaster === null;
    const newStateVersion = r.dataVersion?.stateVersion ?? 0;

    // Decide everything before changing anything, so a bad topic table can be refused cleanly.
    const oldAddrOfId = group?.addrs.get(r.brokerId);
    let rejectedByStateVersion = false;
    if (oldAddrOfId !== undefined && oldAddrOfId !== r.brokerAddr) {
      const oldLive = this.#live(r.clusterName, oldAddrOfId);
      if (oldLive !== undefined && oldLive.dataVersion.stateVersion > newStateVersion) rejectedByStateVersion = true;
    }
    const refusedSingleTopic = !rejectedByStateVersion && oldAddrOfId === undefined && table !== null && tableHasExactlyOne(table);
    const registerFirst = group === undefined || !oldAddrOfId;
    const isMaster = r.brokerId === MASTER_ID;
    // The lowest id after this registration (where the address appears under this id only).
    let isPrimeSlave = !isOldVersionBroker && !isMaster;
    if (isPrimeSlave && group !== undefined) {
      for (const [id, addr] of group.addrs) {
        if (id < r.brokerId && addr !== r.brokerAddr) isPrimeSlave = false;
      }
    }
    const appliesTopics = table !== null && (isMaster || isPrimeSlave) && !rejectedByStateVersion && !refusedSingleTopic;
    const versionChanged = live === undefined || r.dataVersion === null || !dataVersionEquals(live.dataVersion, r.dataVersion);
    let mode: 'all' | 'missing' | 'dropped' = 'dropped';
    if (registerFirst || versionChanged) mode = 'all';
    else if (group?.lastApplied == null || group.lastApplied.addr !== r.brokerAddr
      || !dataVersionEquals(group.lastApplied.version, r.dataVersion as Required<DataVersion>)) mode = 'missing';
    const enableActingMaster = !isOldVersionBroker && r.enableActingMaster === true;
    const wipeWrite = isPrimeSlave && enableActingMaster;
    // Validated and compared in one pass; applied only after every check passed.
    let changes: readonly TopicConfig[] = NO_CHANGES;
    if (appliesTopics) {
      if (mode === 'dropped') {
        if (group?.dropped) changes = planDropped(table, group.dropped);
      } else {
        changes = planTable(table, group?.topics, mode === 'missing', wipeWrite);
      }
    }

    const cs = this.#begin();
    let names = this.#clusterAddrTable.get(r.clusterName);
    if (names === undefined) {
      names = new Set();
      this.#clusterAddrTable.set(r.clusterName, names);
    }
    names.add(r.brokerName);

    const g = group ?? this.#createGroup(r.clusterName, r.brokerName);
    let groupChanged = false;
    if (g.enableActingMaster !== enableActingMaster || g.zoneName !== r.zoneName) {
      g.enableActingMaster = enableActingMaster;
      g.zoneName = r.zoneName;
      groupChanged = true;
    }
    // One record per address: a role switch first drops the address's old id.
    for (const [id, addr] of g.addrs) {
      if (addr === r.brokerAddr && id !== r.brokerId) {
        g.addrs.delete(id);
        groupChanged = true;
      }
    }

    if (rejectedByStateVersion) {
      if (live !== undefined) this.#removeLive(cs, live, 'unregister');
      this.#finishGroupChange(cs, g, groupChanged);
      this.#emit(cs);
      return { haServerAddr: null, masterAddr: null };
    }
    if (refusedSingleTopic) {
      this.#finishGroupChange(cs, g, groupChanged);
      this.#dropGroupIfEmpty(g);
      this.#emit(cs);
      return null;
    }

    const oldAddr = g.addrs.get(r.brokerId);
    if (oldAddr !== r.brokerAddr) {
      g.addrs.set(r.brokerId, r.brokerAddr);
      groupChanged = true;
    }
    this.#finishGroupChange(cs, g, groupChanged);

    if (appliesTopics) {
      if (this.#options.deleteTopicWithBrokerRegistration) {
        for (const topic of [...g.topics.keys()]) {
          if (!tableHas(table, topic)) this.#removeQueueData(cs, g, topic, true);
        }
      }
      for (const config of changes) this.#applyTopicConfig(cs, g, config, wipeWrite);
      g.dropped = null;
      g.lastApplied = { addr: r.brokerAddr, version: r.dataVersion ?? this.#freshDataVersion(now) };
    }

    this.#upsertLive(cs, r, live, g, now);
    this.#updateFilterServers(cs, r.clusterName, r.brokerAddr, r.filterServerList, g);

    const result: RegisterBrokerResult = { haServerAddr: null, masterAddr: null };
    if (r.brokerId !== MASTER_ID) {
      const masterAddr = g.addrs.get(MASTER_ID);
      if (masterAddr !== undefined) {
        const masterLive = this.#live(r.clusterName, masterAddr);
        if (masterLive !== undefined) {
          result.haServerAddr = masterLive.haServerAddr;
          result.masterAddr = masterAddr;
        }
      }
    }
    this.#emit(cs);
    return result;
  }

  #createGroup(clusterName: string, brokerName: string): BrokerGroup {
    const g: BrokerGroup = {
      brokerName,
      cluster: clusterName,
      addrs: new Map(),
      zoneName: null,
      enableActingMaster: false,
      topics: new Map(),
      dropped: null,
      lastApplied: null,
      snapshot: null,
      queueDataIntern: new Map(),
    };
    this.#brokerAddrTable.set(brokerName, g);
    return g;
  }

  /** RocketMQ keeps an empty group after a refused first registration; we don't. */
  #dropGroupIfEmpty(g: BrokerGroup): void {
    if (g.addrs.size > 0 || g.topics.size > 0) return;
    this.#brokerAddrTable.delete(g.brokerName);
    this.#forgetGroupName(g.brokerName);
  }

  /**
   * Removes a dropped group's name from every cluster listing it. RocketMQ
   * removes it from the request's cluster only, which leaves a dangling name
   * when a broker name was registered in (or is unregistered with) another cluster.
   */
  #forgetGroupName(brokerName: string): void {
    for (const [cluster, names] of this.#clusterAddrTable) {
      if (names.delete(brokerName) && names.size === 0) this.#clusterAddrTable.delete(cluster);
    }
  }

  #freshDataVersion(now: number): Required<DataVersion> {
    return { stateVersion: 0, timestamp: now, counter: 0 };
  }

  #upsertLive(cs: ChangeSet, r: NormalizedRegistration, live: LiveBroker | undefined, g: BrokerGroup, now: number): void {
    const timeout = r.heartbeatTimeoutMillis ?? this.#options.brokerChannelExpiredMillis;
    const dataVersion = r.dataVersion ?? this.#freshDataVersion(now);
    const channel = r.channel;
    if (live === undefined) {
      const created: LiveBroker = {
        clusterName: r.clusterName,
        brokerAddr: r.brokerAddr,
        brokerName: r.brokerName,
        brokerId: r.brokerId,
        dataVersion,
        channel,
        haServerAddr: r.haServerAddr,
        lastUpdateTimestamp: now,
        heartbeatTimeoutMillis: timeout,
        expiryPrev: null,
        expiryNext: null,
        expiryList: null,
      };
      let byAddr = this.#brokerLiveTable.get(r.clusterName);
      if (byAddr === undefined) {
        byAddr = new Map();
        this.#brokerLiveTable.set(r.clusterName, byAddr);
      }
      byAddr.set(r.brokerAddr, created);
      this.#liveCount++;
      this.#attachChannel(created);
      this.#expiry.touch(created);
      cs.registered.push({ clusterName: r.clusterName, brokerName: g.brokerName, brokerAddr: r.brokerAddr, brokerId: r.brokerId });
      return;
    }
    live.brokerName = r.brokerName;
    live.brokerId = r.brokerId;
    live.dataVersion = dataVersion;
    live.haServerAddr = r.haServerAddr;
    live.lastUpdateTimestamp = now;
    if (live.heartbeatTimeoutMillis !== timeout) {
      this.#expiry.remove(live);
      live.heartbeatTimeoutMillis = timeout;
    }
    this.#expiry.touch(live);
    if (live.channel !== channel) {
      this.#detachChannel(live);
      live.channel = channel;
      this.#attachChannel(live);
    }
  }

  #updateFilterServers(
    cs: ChangeSet, clusterName: string, brokerAddr: string, list: readonly string[] | null, g: BrokerGroup,
  ): void {
    if (list === null) return;
    const byAddr = this.#filterServerTable.get(clusterName);
    const previous = byAddr?.get(brokerAddr);
    if (list.length === 0) {
      if (previous === undefined || byAddr === undefined) return;
      byAddr.delete(brokerAddr);
      if (byAddr.size === 0) this.#filterServerTable.delete(clusterName);
    } else {
      if (previous !== undefined && sameStrings(previous, list)) return;
      let target = byAddr;
      if (target === undefined) {
        target = new Map();
        this.#filterServerTable.set(clusterName, target);
      }
      target.set(brokerAddr, list);
    }
    // Routes list the filter servers of their brokers' addresses.
    if (g.cluster === clusterName) for (const topic of g.topics.keys()) this.#invalidateTopic(cs, topic);
  }

  /** RocketMQ's `createAndUpdateQueueData`: a no-op when nothing differs. */
  #applyTopicConfig(cs: ChangeSet, g: BrokerGroup, config: TopicConfig, wipeWrite: boolean): void {
    const readQueueNums = config.readQueueNums ?? 16;
    const writeQueueNums = config.writeQueueNums ?? 16;
    let perm = config.perm ?? 6;
    // An acting master (prime slave) serves reads only.
    if (wipeWrite) perm &= ~PERM_WRITE;
    const topicSysFlag = config.topicSysFlag ?? 0;
    const topic = config.topicName;
    const existing = g.topics.get(topic);
    if (existing !== undefined && existing.readQueueNums === readQueueNums && existing.writeQueueNums === writeQueueNums
      && existing.perm === perm && existing.topicSysFlag === topicSysFlag) {
      return;
    }
    this.#putQueueData(cs, g, topic, internQueueData(g, readQueueNums, writeQueueNums, perm, topicSysFlag));
  }

  /** Sets `g`'s queues of `topic` in both indexes. */
  #putQueueData(cs: ChangeSet, g: BrokerGroup, topic: string, qd: QueueData): void {
    g.topics.set(topic, qd);
    g.dropped?.delete(topic);
    let entry = this.#topicQueueTable.get(topic);
    if (entry === undefined) {
      entry = { queueDatas: Object.freeze([qd]), route: undefined };
      this.#topicQueueTable.set(topic, entry);
    } else {
      entry.queueDatas = withQueueData(entry.queueDatas, qd);
    }
    this.#invalidateTopic(cs, topic, entry);
  }

  /** Removes `g`'s queues of `topic`; the topic goes when no group is left. */
  #removeQueueData(cs: ChangeSet, g: BrokerGroup, topic: string, recordDropped: boolean): void {
    if (!g.topics.delete(topic)) return;
    if (recordDropped) (g.dropped ??= new Set()).add(topic);
    const entry = this.#topicQueueTable.get(topic);
    if (entry === undefined) return;
    entry.queueDatas = withoutQueueData(entry.queueDatas, g.brokerName);
    if (entry.queueDatas.length === 0) this.#topicQueueTable.delete(topic);
    this.#invalidateTopic(cs, topic, entry);
  }

  #finishGroupChange(cs: ChangeSet, g: BrokerGroup, changed: boolean): void {
    if (!changed) return;
    g.snapshot = null;
    for (const topic of g.topics.keys()) this.#invalidateTopic(cs, topic);
  }

  // ---------------------------------------------------------------- unregistration

  /** Unregisters one broker address (RocketMQ's `unregisterBroker`). */
  unregisterBroker(req: UnregisterBrokerRequest): void {
    this.unregisterBrokers([req]);
  }

  /**
   * Unregisters a batch in one pass, as RocketMQ's batch unregistration
   * service does. Every request is validated before anything changes.
   */
  unregisterBrokers(requests: Iterable<UnregisterBrokerRequest>): void {
    if (requests === null || typeof requests !== 'object' || !(Symbol.iterator in requests)) {
      throw new InvalidRequestError('requests', 'must be an iterable of unregister requests');
    }
    const batch: UnregisterBrokerRequest[] = [];
    let i = 0;
    for (const req of requests) {
      try {
        batch.push(normalizeUnregistration(req));
      } catch (err) {
        if (err instanceof InvalidRequestError) {
          throw new InvalidRequestError(`requests[${i}].${err.field}`, err.message.replace(/^invalid request: \S+ /, ''));
        }
        throw err;
      }
      i++;
    }
    const cs = this.#begin();
    this.#unregister(cs, batch, 'unregister');
    this.#emit(cs);
  }

  #unregister(cs: ChangeSet, batch: readonly UnregisterBrokerRequest[], reason: BrokerUnregisterReason): void {
    const removedGroups = new Set<BrokerGroup>();
    const reducedGroups = new Set<BrokerGroup>();
    for (const req of batch) {
      const live = this.#live(req.clusterName, req.brokerAddr);
      if (live !== undefined) this.#removeLive(cs, live, reason, req);
      const filters = this.#filterServerTable.get(req.clusterName);
      if (filters !== undefined && filters.delete(req.brokerAddr) && filters.size === 0) {
        this.#filterServerTable.delete(req.clusterName);
      }

      const g = this.#brokerAddrTable.get(req.brokerName);
      if (g === undefined) continue;
      let changed = false;
      for (const [id, addr] of g.addrs) {
        if (addr === req.brokerAddr) {
          g.addrs.delete(id);
          changed = true;
        }
      }
      if (g.addrs.size === 0) {
        this.#brokerAddrTable.delete(req.brokerName);
        this.#forgetGroupName(req.brokerName);
        removedGroups.add(g);
        reducedGroups.delete(g);
      } else {
        reducedGroups.add(g);
        this.#finishGroupChange(cs, g, changed);
      }
    }
    for (const g of removedGroups) {
      for (const topic of [...g.topics.keys()]) this.#removeQueueData(cs, g, topic, false);
    }
    for (const g of reducedGroups) {
      // A group left without a master serves reads only until one is back.
      if (!g.enableActingMaster || !hasNoMaster(g)) continue;
      for (const [topic, qd] of g.topics) {
        if ((qd.perm & PERM_WRITE) !== 0) {
          this.#putQueueData(cs, g, topic, internQueueData(g, qd.readQueueNums, qd.writeQueueNums, qd.perm & ~PERM_WRITE, qd.topicSysFlag));
        }
      }
    }
  }

  #removeLive(cs: ChangeSet, live: LiveBroker, reason: BrokerUnregisterReason, req?: UnregisterBrokerRequest): void {
    const byAddr = this.#brokerLiveTable.get(live.clusterName);
    if (byAddr?.get(live.brokerAddr) !== live) return;
    byAddr.delete(live.brokerAddr);
    if (byAddr.size === 0) this.#brokerLiveTable.delete(live.clusterName);
    this.#liveCount--;
    this.#expiry.remove(live);
    this.#detachChannel(live);
    cs.unregistered.push({
      clusterName: live.clusterName,
      brokerName: req?.brokerName ?? live.brokerName,
      brokerAddr: live.brokerAddr,
      brokerId: req?.brokerId ?? live.brokerId,
      reason,
    });
  }

  /**
   * Drops every broker whose `lastUpdateTimestamp + heartbeatTimeoutMillis < now()`
   * and returns how many. Costs O(expired), not O(brokers).
   */
  scanNotActiveBroker(): number {
    const expired = this.#expiry.expired(this.#now());
    if (expired.length === 0) return 0;
    const cs = this.#begin();
    this.#unregister(cs, expired.map((live) => this.#unregisterRequestOf(live)), 'expired');
    this.#emit(cs);
    return expired.length;
  }

  /** Drops the brokers registered on `channel` (a connection closed or went idle). */
  onChannelDestroy(channel: unknown): void {
    const lives = this.#channels.get(channel);
    if (lives === undefined) return;
    const cs = this.#begin();
    this.#unregister(cs, [...lives].map((live) => this.#unregisterRequestOf(live)), 'channelDestroyed');
    this.#emit(cs);
  }

  /** RocketMQ's `setupUnRegisterRequest`: the id the address holds now. */
  #unregisterRequestOf(live: LiveBroker): UnregisterBrokerRequest {
    let brokerId = live.brokerId;
    const g = this.#brokerAddrTable.get(live.brokerName);
    if (g !== undefined) {
      for (const [id, addr] of g.addrs) {
        if (addr === live.brokerAddr) {
          brokerId = id;
          break;
        }
      }
    }
    return { clusterName: live.clusterName, brokerAddr: live.brokerAddr, brokerName: live.brokerName, brokerId };
  }

  #attachChannel(live: LiveBroker): void {
    if (live.channel === null) return;
    let set = this.#channels.get(live.channel);
    if (set === undefined) {
      set = new Set();
      this.#channels.set(live.channel, set);
    }
    set.add(live);
  }

  #detachChannel(live: LiveBroker): void {
    if (live.channel === null) return;
    const set = this.#channels.get(live.channel);
    if (set === undefined) return;
    set.delete(live);
    if (set.size === 0) this.#channels.delete(live.channel);
  }

  #live(clusterName: string, brokerAddr: string): LiveBroker | undefined {
    return this.#brokerLiveTable.get(clusterName)?.get(brokerAddr);
  }

  // ---------------------------------------------------------------- heartbeats and versions

  /** Refreshes a live broker's heartbeat without a full registration (BROKER_HEARTBEAT). */
  updateBrokerInfoUpdateTimestamp(clusterName: string, brokerAddr: string): void {
    const live = this.#live(requireString(clusterName, 'clusterName'), requireString(brokerAddr, 'brokerAddr'));
    if (live === undefined) return;
    live.lastUpdateTimestamp = this.#now();
    this.#expiry.touch(live);
  }

  /** The data version a live broker registered last, or null. */
  queryBrokerTopicConfig(clusterName: string, brokerAddr: string): DataVersion | null {
    const live = this.#live(requireString(clusterName, 'clusterName'), requireString(brokerAddr, 'brokerAddr'));
    return live === undefined ? null : { ...live.dataVersion };
  }

  /** True unless the broker is live with exactly this data version. */
  isBrokerTopicConfigChanged(clusterName: string, brokerAddr: string, dataVersion: DataVersion): boolean {
    const live = this.#live(requireString(clusterName, 'clusterName'), requireString(brokerAddr, 'brokerAddr'));
    return live === undefined || !dataVersionEquals(live.dataVersion, dataVersion);
  }

  /** True when the broker's version changed or the name server lacks `brokerName`'s queues of `topic`. */
  isTopicConfigChanged(
    clusterName: string, brokerAddr: string, dataVersion: DataVersion, brokerName: string, topic: string,
  ): boolean {
    if (this.isBrokerTopicConfigChanged(clusterName, brokerAddr, dataVersion)) return true;
    const entry = this.#topicQueueTable.get(requireString(topic, 'topic'));
    if (entry === undefined || entry.queueDatas.length === 0) return true;
    return indexOfBroker(entry.queueDatas, requireString(brokerName, 'brokerName')) < 0;
  }

  // ---------------------------------------------------------------- routes

  /**
   * The route of `topic`, or null when no broker serves it. The result is a
   * deeply frozen snapshot, rebuilt only after the route changes; copy it
   * (e.g. `structuredClone`) to modify it.
   */
  getRouteInfoByTopic(topic: string): TopicRouteData | null {
    const entry = this.#topicQueueTable.get(topic);
    if (entry === undefined) {
      if (typeof topic !== 'string') requireString(topic, 'topic');
      return null;
    }
    const route = entry.route;
    if (route !== undefined) return route;
    return (entry.route = this.#buildRoute(topic, entry));
  }

  #buildRoute(topic: string, entry: TopicEntry): TopicRouteData | null {
    const queueDatas = entry.queueDatas;
    // Exact length: one of these per looked-up topic, and pushing over-allocates.
    let brokerDatas = new Array<BrokerData>(queueDatas.length);
    let found = 0;
    let filterServerTable: Record<string, readonly string[]> | null = null;
    for (const qd of queueDatas) {
      const g = this.#brokerAddrTable.get(qd.brokerName);
      if (g === undefined) continue;
      brokerDatas[found++] = this.#snapshotOf(g);
      const filters = this.#filterServerTable.size === 0 ? undefined : this.#filterServerTable.get(g.cluster);
      if (filters === undefined) continue;
      for (const addr of g.addrs.values()) {
        const list = filters.get(addr);
        if (list !== undefined) setOwn((filterServerTable ??= {}), addr, list);
      }
    }
    if (found === 0) return null;
    if (found < brokerDatas.length) brokerDatas = brokerDatas.slice(0, found);
    if (this.#options.supportActingMaster && !topic.startsWith(SYNC_BROKER_MEMBER_GROUP_PREFIX)) {
      brokerDatas = this.#withActingMasters(brokerDatas, queueDatas);
    }
    const orderTopicConf = this.#orderTopicConf(topic);
    const route: { -readonly [K in keyof TopicRouteData]: TopicRouteData[K] } = {
      queueDatas,
      brokerDatas: Object.freeze(brokerDatas),
      filterServerTable: filterServerTable === null ? EMPTY_FILTER_SERVER_TABLE : Object.freeze(filterServerTable),
    };
    if (orderTopicConf !== null) route.orderTopicConf = orderTopicConf;
    return Object.freeze(route);
  }

  #orderTopicConf(topic: string): string | null {
    const kv = this.#options.kvConfig;
    if (!this.#options.orderMessageEnable || kv === null) return null;
    return kv.get(NAMESPACE_ORDER_TOPIC_CONFIG, topic);
  }

  /** RocketMQ 5's acting master: a master-less, read-only group shows its lowest slave as id 0. */
  #withActingMasters(brokerDatas: BrokerData[], queueDatas: readonly QueueData[]): BrokerData[] {
    const needsActingMaster = brokerDatas.some((bd) => {
      const ids = Object.keys(bd.brokerAddrs);
      return ids.length > 0 && !ids.includes(String(MASTER_ID));
    });
    if (!needsActingMaster) return brokerDatas;
    return brokerDatas.map((bd) => {
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
    });
  }

  #snapshotOf(g: BrokerGroup): BrokerData {
    if (g.snapshot !== null) return g.snapshot;
    const brokerAddrs: Record<string, string> = {};
    for (const id of [...g.addrs.keys()].sort((a, b) => a - b)) setOwn(brokerAddrs, String(id), g.addrs.get(id) as string);
    const snapshot: { -readonly [K in keyof BrokerData]: BrokerData[K] } = {
      cluster: g.cluster,
      brokerName: g.brokerName,
      brokerAddrs: Object.freeze(brokerAddrs),
      enableActingMaster: g.enableActingMaster,
    };
    if (g.zoneName !== null) snapshot.zoneName = g.zoneName;
    return (g.snapshot = Object.freeze(snapshot));
  }

  // ---------------------------------------------------------------- topics

  /**
   * Removes a topic everywhere, or only from the brokers of `clusterName`.
   * A broker re-adds it on its next registration if it still has it.
   */
  deleteTopic(topic: string, clusterName?: string | null): void {
    requireString(topic, 'topic');
    const entry = this.#topicQueueTable.get(topic);
    let names: Iterable<string>;
    if (clusterName === undefined || clusterName === null) {
      if (entry === undefined) return;
      names = entry.queueDatas.map((qd) => qd.brokerName);
    } else {
      const inCluster = this.#clusterAddrTable.get(requireString(clusterName, 'clusterName'));
      if (inCluster === undefined || inCluster.size === 0 || entry === undefined) return;
      names = [...inCluster];
    }
    const cs = this.#begin();
    for (const name of names) {
      const g = this.#brokerAddrTable.get(name);
      if (g !== undefined) this.#removeQueueData(cs, g, topic, true);
    }
    // Queues of a group no longer known cannot be re-added by anyone: drop them too.
    if (clusterName === undefined || clusterName === null) {
      if (this.#topicQueueTable.delete(topic)) this.#invalidateTopic(cs, topic);
    }
    this.#emit(cs);
  }

  /**
   * Adds or replaces queues of `topic` (REGISTER_TOPIC_IN_NAMESRV). Every
   * broker named must be registered, otherwise nothing changes.
   */
  registerTopic(topic: string, queueDatas: readonly QueueData[]): void {
    requireString(topic, 'topic');
    const normalized = normalizeQueueDatas(queueDatas);
    if (normalized.length === 0) return;
    const groups = normalized.map((qd) => this.#brokerAddrTable.get(qd.brokerName));
    if (groups.some((g) => g === undefined)) return;
    const cs = this.#begin();
    normalized.forEach((qd, i) => {
      const g = groups[i] as BrokerGroup;
      const existing = g.topics.get(topic);
      if (existing !== undefined && sameQueueData(existing, qd)) return;
      this.#putQueueData(cs, g, topic, internQueueData(g, qd.readQueueNums, qd.writeQueueNums, qd.perm, qd.topicSysFlag));
    });
    this.#emit(cs);
  }

  /** Clears the write bit of every topic of `brokerName`; returns how many topics it holds. */
  wipeWritePermOfBroker(brokerName: string): number {
    return this.#setPerm(requireString(brokerName, 'brokerName'), (perm) => perm & ~PERM_WRITE);
  }

  /** Sets read + write on every topic of `brokerName`; returns how many topics it holds. */
  addWritePermOfBroker(brokerName: string): number {
    return this.#setPerm(requireString(brokerName, 'brokerName'), () => PERM_READ | PERM_WRITE);
  }

  #setPerm(brokerName: string, next: (perm: number) => number): number {
    const g = this.#brokerAddrTable.get(brokerName);
    if (g === undefined) return 0;
    const cs = this.#begin();
    for (const [topic, qd] of [...g.topics]) {
      const perm = next(qd.perm);
      if (perm !== qd.perm) {
        this.#putQueueData(cs, g, topic, internQueueData(g, qd.readQueueNums, qd.writeQueueNums, perm, qd.topicSysFlag));
      }
    }
    this.#emit(cs);
    return g.topics.size;
  }

  // ---------------------------------------------------------------- queries

  /** Every broker group and every cluster's broker names (fresh copies). */
  getAllClusterInfo(): ClusterInfo {
    const brokerAddrTable: Record<string, BrokerData> = {};
    for (const [name, g] of this.#brokerAddrTable) setOwn(brokerAddrTable, name, copyBrokerData(this.#snapshotOf(g)));
    const clusterAddrTable: Record<string, string[]> = {};
    for (const [cluster, names] of this.#clusterAddrTable) setOwn(clusterAddrTable, cluster, [...names]);
    return { brokerAddrTable, clusterAddrTable };
  }

  /** Every topic with a route. */
  getAllTopicList(): string[] {
    return [...this.#topicQueueTable.keys()];
  }

  /** A snapshot of every live broker address (shim: the core helper's version replaces this). */
  getLiveBrokers(): LiveBrokerInfo[] {
    const out: LiveBrokerInfo[] = [];
    for (const byAddr of this.#brokerLiveTable.values()) {
      for (const live of byAddr.values()) {
        out.push({
          clusterName: live.clusterName,
          brokerName: live.brokerName,
          brokerId: live.brokerId,
          brokerAddr: live.brokerAddr,
          haServerAddr: live.haServerAddr,
          zoneName: this.#brokerAddrTable.get(live.brokerName)?.zoneName ?? null,
          lastUpdateTimestamp: live.lastUpdateTimestamp,
          heartbeatTimeoutMillis: live.heartbeatTimeoutMillis,
          dataVersion: { ...live.dataVersion },
        });
      }
    }
    return out;
  }

  /** Topics held by any broker of `clusterName` (empty for an unknown cluster). */
  getTopicsByCluster(clusterName: string): string[] {
    const names = this.#clusterAddrTable.get(requireString(clusterName, 'clusterName'));
    if (names === undefined) return [];
    const topics = new Set<string>();
    for (const name of names) {
      const g = this.#brokerAddrTable.get(name);
      if (g !== undefined) for (const topic of g.topics.keys()) topics.add(topic);
    }
    return [...topics];
  }

  /**
   * RocketMQ's system topic list: every cluster name and broker name (brokers
   * create a topic of each), with the address of a broker to ask.
   */
  getSystemTopicList(): TopicList {
    const names = new Set<string>();
    for (const [cluster, brokerNames] of this.#clusterAddrTable) {
      names.add(cluster);
      for (const name of brokerNames) names.add(name);
    }
    const list: TopicList = { topicList: [...names] };
    for (const g of this.#brokerAddrTable.values()) {
      if (g.addrs.size === 0) continue;
      list.brokerAddr = g.addrs.get(Math.min(...g.addrs.keys()));
      break;
    }
    return list;
  }

  /** Topics whose (first) queues carry the unit flag. */
  getUnitTopics(): TopicList {
    return this.#topicsByFlag((flag) => (flag & FLAG_UNIT) !== 0);
  }

  /** Topics whose (first) queues carry the unit-subscription flag. */
  getHasUnitSubTopicList(): TopicList {
    return this.#topicsByFlag((flag) => (flag & FLAG_UNIT_SUB) !== 0);
  }

  /** Topics with the unit-subscription flag but not the unit flag. */
  getHasUnitSubUnUnitTopicList(): TopicList {
    return this.#topicsByFlag((flag) => (flag & FLAG_UNIT) === 0 && (flag & FLAG_UNIT_SUB) !== 0);
  }

  #topicsByFlag(test: (flag: number) => boolean): TopicList {
    const topicList: string[] = [];
    for (const [topic, entry] of this.#topicQueueTable) {
      const first = entry.queueDatas[0];
      if (first !== undefined && test(first.topicSysFlag)) topicList.push(topic);
    }
    return { topicList };
  }

  /** The members (id → address) of a broker group. */
  getBrokerMemberGroup(clusterName: string, brokerName: string): BrokerMemberGroup {
    requireString(clusterName, 'clusterName');
    requireString(brokerName, 'brokerName');
    const brokerAddrs: Record<string, string> = {};
    const g = this.#brokerAddrTable.get(brokerName);
    if (g !== undefined) {
      for (const id of [...g.addrs.keys()].sort((a, b) => a - b)) setOwn(brokerAddrs, String(id), g.addrs.get(id) as string);
    }
    return { cluster: clusterName, brokerName, brokerAddrs };
  }

  // ---------------------------------------------------------------- change tracking

  #begin(): ChangeSet {
    const tracked = this.listenerCount('topicRouteChanged') > 0;
    return {
      registered: [],
      unregistered: [],
      topics: tracked ? new Set() : null,
      previous: tracked ? new Map() : null,
    };
  }

  #invalidateTopic(cs: ChangeSet, topic: string, entry = this.#topicQueueTable.get(topic)): void {
    this.#routeEpoch++;
    if (entry !== undefined) {
      if (cs.previous !== null && entry.route !== undefined && !cs.topics?.has(topic)) cs.previous.set(topic, entry.route);
      entry.route = undefined;
    }
    cs.topics?.add(topic);
  }

  /** Emits after the tables are consistent, so a throwing listener cannot leave them half-changed. */
  #emit(cs: ChangeSet): void {
    for (const event of cs.unregistered) this.emit('brokerUnregistered', event);
    for (const event of cs.registered) this.emit('brokerRegistered', event);
    if (cs.topics === null) return;
    for (const topic of cs.topics) {
      // Internal changes can leave the route as it was (a prime slave acting as master becoming the master).
      const previous = cs.previous?.get(topic);
      if (previous !== undefined && sameRoute(previous, this.getRouteInfoByTopic(topic))) continue;
      this.emit('topicRouteChanged', { topic });
    }
  }
}

// ------------------------------------------------------------------ helpers

/** RocketMQ's `DataVersion.equals`; a missing `stateVersion` counts as 0. */
export function dataVersionEquals(a: DataVersion, b: DataVersion): boolean {
  return (a.stateVersion ?? 0) === (b.stateVersion ?? 0) && a.timestamp === b.timestamp && a.counter === b.counter;
}

/**
 * The entries of a topic table that change the group's queues (or, with
 * `onlyMissing`, that it lacks), validating every entry on the way. This is
 * the hot loop of a registration with a new data version: no closures, no
 * allocation for unchanged topics.
 */
function planTable(
  table: UncheckedTopicTable, existing: ReadonlyMap<string, QueueData> | undefined, onlyMissing: boolean, wipeWrite: boolean,
): TopicConfig[] {
  const changes: TopicConfig[] = [];
  if (table instanceof Map) {
    for (const value of table.values()) {
      const verdict = classify(value, existing, onlyMissing, wipeWrite);
      if (verdict === INVALID) checkMapEntry(table, value);
      if (verdict !== SAME) changes.push(value as TopicConfig);
    }
  } else {
    const record = table as Record<string, unknown>;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      const value = record[key];
      const verdict = classify(value, existing, onlyMissing, wipeWrite);
      if (verdict === INVALID) normalizeTopicConfig(value, key);
      if (verdict !== SAME) changes.push(value as TopicConfig);
    }
  }
  return changes;
}

const SAME = 0;
const CHANGED = 1;
/** Not valid at a glance: {@link normalizeTopicConfig} decides (and throws if it really is invalid). */
const INVALID = 2;

/** Validates and compares one entry, reading each field once. */
function classify(
  value: unknown, existing: ReadonlyMap<string, QueueData> | undefined, onlyMissing: boolean, wipeWrite: boolean,
): number {
  if (!isValidTopicConfig(value)) return INVALID;
  const config = value as TopicConfig;
  const qd = existing?.get(config.topicName);
  if (qd === undefined) return CHANGED;
  if (onlyMissing) return SAME;
  const perm = config.perm ?? 6;
  return qd.readQueueNums !== (config.readQueueNums ?? 16) || qd.writeQueueNums !== (config.writeQueueNums ?? 16)
    || qd.perm !== (wipeWrite ? perm & ~PERM_WRITE : perm) || qd.topicSysFlag !== (config.topicSysFlag ?? 0)
    ? CHANGED : SAME;
}

/** The dropped topics the table still lists (RocketMQ re-adds them on an unchanged version). */
function planDropped(table: UncheckedTopicTable, dropped: ReadonlySet<string>): TopicConfig[] {
  const changes: TopicConfig[] = [];
  for (const topic of dropped) {
    if (!tableHas(table, topic)) continue;
    const value = tableGet(table, topic);
    if (!isValidTopicConfig(value)) normalizeTopicConfig(value, topic);
    changes.push(value as TopicConfig);
  }
  return changes;
}

/** Slow path: finds the entry's key so an invalid entry's error names it. */
function checkMapEntry(table: ReadonlyMap<string, unknown>, value: unknown): void {
  for (const [key, v] of table) {
    if (v === value) {
      normalizeTopicConfig(v, key);
      return;
    }
  }
}

function hasNoMaster(g: BrokerGroup): boolean {
  if (g.addrs.size === 0) return true;
  return Math.min(...g.addrs.keys()) > MASTER_ID;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Structural equality of two route snapshots (what their JSON would show). */
function sameRoute(a: TopicRouteData | null, b: TopicRouteData | null): boolean {
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
  return sameRecord(a.filterServerTable, b.filterServerTable, sameStrings);
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

function sameQueueData(a: QueueData, b: QueueData): boolean {
  return a.brokerName === b.brokerName && a.readQueueNums === b.readQueueNums && a.writeQueueNums === b.writeQueueNums
    && a.perm === b.perm && a.topicSysFlag === b.topicSysFlag;
}

/** One frozen QueueData per distinct figures of a group: thousands of topics share a few objects. */
function internQueueData(g: BrokerGroup, readQueueNums: number, writeQueueNums: number, perm: number, topicSysFlag: number): QueueData {
  const internable = readQueueNums < 0x10000 && writeQueueNums < 0x10000 && topicSysFlag < 0x100;
  // perm < 8, so the key stays below 2^51: exact in a double.
  const key = internable ? ((readQueueNums * 0x10000 + writeQueueNums) * 8 + perm) * 0x100 + topicSysFlag : -1;
  if (internable) {
    const cached = g.queueDataIntern.get(key);
    if (cached !== undefined) return cached;
  }
  const qd: QueueData = Object.freeze({ brokerName: g.brokerName, readQueueNums, writeQueueNums, perm, topicSysFlag });
  if (internable) g.queueDataIntern.set(key, qd);
  return qd;
}

/** Index of `brokerName` in a list sorted by broker name, or -1. */
function indexOfBroker(list: readonly QueueData[], brokerName: string): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const name = (list[mid] as QueueData).brokerName;
    if (name === brokerName) return mid;
    if (name < brokerName) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * A new frozen list with `qd` in its sorted place, replacing the same broker's
 * entry. Built at its exact length: growing arrays over-allocate, and there is
 * one of these per topic.
 */
function withQueueData(list: readonly QueueData[], qd: QueueData): readonly QueueData[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as QueueData).brokerName < qd.brokerName) lo = mid + 1;
    else hi = mid;
  }
  if (lo < list.length && (list[lo] as QueueData).brokerName === qd.brokerName) {
    const next = list.slice();
    next[lo] = qd;
    return Object.freeze(next);
  }
  const next = new Array<QueueData>(list.length + 1);
  for (let i = 0; i < lo; i++) next[i] = list[i] as QueueData;
  next[lo] = qd;
  for (let i = lo; i < list.length; i++) next[i + 1] = list[i] as QueueData;
  return Object.freeze(next);
}

function withoutQueueData(list: readonly QueueData[], brokerName: string): readonly QueueData[] {
  const i = indexOfBroker(list, brokerName);
  if (i < 0) return list;
  if (list.length === 1) return NO_QUEUE_DATAS;
  return Object.freeze(list.filter((_, j) => j !== i));
}

function copyBrokerData(bd: BrokerData): BrokerData {
  const copy: { -readonly [K in keyof BrokerData]: BrokerData[K] } = {
    cluster: bd.cluster,
    brokerName: bd.brokerName,
    brokerAddrs: { ...bd.brokerAddrs },
    enableActingMaster: bd.enableActingMaster,
  };
  if (bd.zoneName !== undefined) copy.zoneName = bd.zoneName;
  return copy;
}
