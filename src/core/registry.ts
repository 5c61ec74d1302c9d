/**
 * The route registry: RocketMQ's `RouteInfoManager`, transport-agnostic. Its
 * tables and public API live here; `registration-plan` decides registrations,
 * `route-builder` builds routes, `change-set` turns changes into events.
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { beginChangeSet, emitChanges, type ChangeSet } from './change-set.js';
import { dataVersionEquals, freshDataVersion } from './data-version.js';
import { InvalidRequestError } from './errors.js';
import { FilterServerTable } from './filter-servers.js';
import { GroupTable } from './group-table.js';
import { LiveTable } from './live-table.js';
import { NAMESPACE_ORDER_TOPIC_CONFIG, type KvConfigChangeEvent } from './kv-config.js';
import { resolveRouteRegistryOptions, type ResolvedRouteRegistryOptions, type RouteRegistryOptions } from './options.js';
import { indexOfBroker, sameQueueData } from './queue-datas.js';
import { clusterInfoOf, systemTopicListOf, topicsByFlag, topicsOfCluster } from './queries.js';
import { planRegistration } from './registration-plan.js';
import { ScanTimer } from './scan-timer.js';
import { addrsRecord, buildRoute, type RouteSources } from './route-builder.js';
import { MASTER_ID, hasNoMaster, type BrokerGroup, type LiveBroker } from './tables.js';
import { TopicQueueTable } from './topic-queue-table.js';
import { tableHas } from './topic-table.js';
import { FLAG_UNIT, FLAG_UNIT_SUB, PERM_READ, PERM_WRITE } from './topic-config.js';
import type {
  BrokerMemberGroup, BrokerUnregisterReason, ClusterInfo, DataVersion, LiveBrokerInfo, QueueData, RegisterBrokerRequest,
  RegisterBrokerResult, RegisterBrokerStatus, RouteRegistryEvents, TopicList, TopicRouteData, UnregisterBrokerRequest,
} from './types.js';
import { normalizeQueueDatas, normalizeRegistration, normalizeUnregistration, requireString, type NormalizedRegistration } from './validate.js';

export { MASTER_ID } from './tables.js';
export { PERM_READ, PERM_WRITE, FLAG_UNIT, FLAG_UNIT_SUB } from './topic-config.js';
export { dataVersionEquals } from './data-version.js';

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

  /** topic → its queues per broker name (RocketMQ's topicQueueTable). */
  readonly #topicQueueTable = new TopicQueueTable();
  /** broker name → group (brokerAddrTable) and cluster → broker names (clusterAddrTable). */
  readonly #groups = new GroupTable();
  /** cluster → address → live broker (brokerLiveTable), with its expiry and channel indexes. */
  readonly #brokerLiveTable = new LiveTable();
  /** cluster → address → filter servers (filterServerTable). */
  readonly #filterServerTable = new FilterServerTable();
  readonly #routeSources: RouteSources;
  readonly #scanTimer: ScanTimer;
  #kvListener: ((event: KvConfigChangeEvent) => void) | null = null;

  constructor(options?: RouteRegistryOptions) {
    super();
    this.#options = resolveRouteRegistryOptions(options);
    this.#now = this.#options.now;
    this.#scanTimer = new ScanTimer(this.#options.scanIntervalMillis);
    this.#routeSources = {
      groups: this.#groups.groups,
      filterServers: this.#filterServerTable.byCluster,
      supportActingMaster: this.#options.supportActingMaster,
      orderTopicConf: (topic) => this.#orderTopicConf(topic),
    };
    this.#watchOrderTopicConfig();
  }

  /** The options in force, defaults applied. */
  get options(): ResolvedRouteRegistryOptions {
    return this.#options;
  }

  /** How many topics have routes. */
  get topicCount(): number {
    return this.#topicQueueTable.entries.size;
  }

  /** How many broker addresses are live. */
  get liveBrokerCount(): number {
    return this.#brokerLiveTable.size;
  }

  /**
   * A number that changes whenever any topic's route may have changed. While
   * it stays the same, every route is as it was: adapters may trust what they
   * derived from routes (encoded bodies, say) without asking again.
   */
  get routeEpoch(): number {
    return this.#topicQueueTable.epoch;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts the periodic scan for silent brokers (every `scanIntervalMillis`). Idempotent. */
  start(): void {
    this.#watchOrderTopicConfig();
    this.#scanTimer.start(() => this.scanNotActiveBroker());
  }

  /** Stops the periodic scan and detaches from the KV store. Idempotent; the tables are kept. */
  close(): void {
    this.#scanTimer.stop();
    if (this.#kvListener !== null && this.#options.kvConfig !== null) {
      this.#options.kvConfig.off('change', this.#kvListener);
      this.#kvListener = null;
    }
  }

  #watchOrderTopicConfig(): void {
    const kv = this.#options.kvConfig;
    if (kv === null || !this.#options.orderMessageEnable || this.#kvListener !== null) return;
    this.#kvListener = (event) => {
      if (event.namespace !== NAMESPACE_ORDER_TOPIC_CONFIG) return;
      const entry = this.#topicQueueTable.entries.get(event.key);
      if (entry === undefined) return;
      const cs = this.#begin();
      this.#topicQueueTable.invalidate(cs, event.key, entry);
      this.#emit(cs);
    };
    kv.on('change', this.#kvListener);
  }

  // ---------------------------------------------------------------- registration

  /**
   * Registers a broker or refreshes its heartbeat (RocketMQ's `registerBroker`).
   *
   * Returns the slave's live master (`masterAddr`, `haServerAddr`), both null
   * for a master. Returns null when RocketMQ refuses the registration (a first
   * registration of a broker id carrying exactly one topic). A known broker
   * id at a new address whose `stateVersion` is older than the live one is
   * ignored, and, as in RocketMQ, answered like a master's success: pass
   * `status` to tell the cases apart (lru-cache style, it is filled in).
   *
   * @throws {@link InvalidRequestError} when the request is malformed; nothing changes then.
   */
  registerBroker(req: RegisterBrokerRequest, status?: RegisterBrokerStatus): RegisterBrokerResult | null {
    const r = normalizeRegistration(req);
    const now = this.#now();
    const group = this.#groups.get(r.brokerName);
    const live = this.#live(r.clusterName, r.brokerAddr);
    // Decides everything (and validates the table) before anything changes.
    const plan = planRegistration(r, group, live, (addr) => this.#live(r.clusterName, addr));
    const epoch = this.#topicQueueTable.epoch;

    const cs = this.#begin();
    const g = this.#groups.join(r.clusterName, r.brokerName);
    // As in RocketMQ, these apply even to a registration refused or ignored below.
    let groupChanged = false;
    if (g.enableActingMaster !== plan.enableActingMaster || g.zoneName !== r.zoneName) {
      g.enableActingMaster = plan.enableActingMaster;
      g.zoneName = r.zoneName;
      groupChanged = true;
    }
    // One record per address: a role switch first drops the address's old id.
    for (const [id, addr] of g.addrs) {
      if (addr === r.brokerAddr && id !== r.brokerId) {
        this.#groups.deleteAddr(g, id);
        groupChanged = true;
      }
    }

    if (plan.outcome !== 'apply') {
      // RocketMQ drops the ignored address from the live table; a refused one keeps what it had.
      if (plan.outcome === 'ignored' && live !== undefined) this.#removeLive(cs, live, 'unregister');
      this.#finishGroupChange(cs, g, groupChanged);
      if (plan.outcome === 'refused') this.#dropGroupIfEmpty(cs, g);
      this.#emit(cs);
      if (status !== undefined) Object.assign(status, { outcome: plan.outcome, reason: plan.reason });
      return plan.outcome === 'refused' ? null : { haServerAddr: null, masterAddr: null };
    }

    if (g.addrs.get(r.brokerId) !== r.brokerAddr) {
      this.#groups.setAddr(g, r.brokerId, r.brokerAddr);
      groupChanged = true;
    }
    this.#finishGroupChange(cs, g, groupChanged);

    if (plan.appliesTopics) {
      const table = r.topicConfigTable;
      if (this.#options.deleteTopicWithBrokerRegistration && table !== null) {
        for (const topic of [...g.topics.keys()]) {
          if (!tableHas(table, topic)) this.#topicQueueTable.remove(cs, g, topic, true);
        }
      }
      for (const config of plan.changes) this.#topicQueueTable.apply(cs, g, config, plan.wipeWrite);
      // After `all` or `missing`, every topic of the table is held: none counts as dropped.
      if (plan.mode !== 'dropped') g.dropped = null;
      g.lastApplied = {
        addr: r.brokerAddr,
        version: r.dataVersion ?? freshDataVersion(now),
        count: plan.tableSize >= 0 ? plan.tableSize : (g.lastApplied?.count ?? 0),
      };
    }

    const becameLive = live === undefined;
    const versionChanged = live !== undefined && r.dataVersion !== null && !dataVersionEquals(live.dataVersion, r.dataVersion);
    this.#upsertLive(cs, r, now);
    if (r.filterServerList !== null) this.#setFilterServers(cs, r.clusterName, r.brokerAddr, r.filterServerList);

    const result: RegisterBrokerResult = { haServerAddr: null, masterAddr: null };
    const masterAddr = r.brokerId === MASTER_ID ? undefined : g.addrs.get(MASTER_ID);
    const masterLive = masterAddr === undefined ? undefined : this.#live(r.clusterName, masterAddr);
    if (masterLive !== undefined) {
      result.haServerAddr = masterLive.haServerAddr;
      result.masterAddr = masterLive.brokerAddr;
    }
    this.#emit(cs);
    const outcome = becameLive ? 'registered' : this.#topicQueueTable.epoch !== epoch || versionChanged ? 'updated' : 'heartbeat';
    if (status !== undefined) Object.assign(status, { outcome, reason: undefined });
    return result;
  }

  /**
   * A refused registration can leave a group with no address (a new one, or
   * one whose only address tried a role switch): RocketMQ keeps it, and keeps
   * routing its topics to nobody. We drop it as its last unregistration would.
   */
  #dropGroupIfEmpty(cs: ChangeSet, g: BrokerGroup): void {
    if (g.addrs.size > 0) return;
    this.#groups.remove(g);
    for (const topic of [...g.topics.keys()]) this.#topicQueueTable.remove(cs, g, topic, false);
  }

  #upsertLive(cs: ChangeSet, r: NormalizedRegistration, now: number): void {
    const created = this.#brokerLiveTable.upsert({
      clusterName: r.clusterName, brokerAddr: r.brokerAddr, brokerName: r.brokerName, brokerId: r.brokerId,
      haServerAddr: r.haServerAddr, zoneName: r.zoneName, dataVersion: r.dataVersion ?? freshDataVersion(now),
      heartbeatTimeoutMillis: r.heartbeatTimeoutMillis ?? this.#options.brokerChannelExpiredMillis, channel: r.channel,
    }, now);
    if (created !== null) {
      cs.registered.push({ clusterName: r.clusterName, brokerName: r.brokerName, brokerAddr: r.brokerAddr, brokerId: r.brokerId });
    }
  }

  /**
   * Sets (or, with null or an empty list, removes) the filter servers of an
   * address. Every group of the cluster listing the address shows them in its
   * routes, as RocketMQ's route lookup does, so all of those routes change.
   */
  #setFilterServers(cs: ChangeSet, clusterName: string, brokerAddr: string, list: readonly string[] | null): void {
    if (!this.#filterServerTable.set(clusterName, brokerAddr, list)) return;
    for (const g of this.#groups.listing(brokerAddr)) {
      if (g.cluster === clusterName) this.#topicQueueTable.invalidateGroup(cs, g);
    }
  }

  #finishGroupChange(cs: ChangeSet, g: BrokerGroup, changed: boolean): void {
    if (!changed) return;
    g.snapshot = null;
    this.#topicQueueTable.invalidateGroup(cs, g);
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
        if (err instanceof InvalidRequestError) throw new InvalidRequestError(`requests[${i}].${err.field}`, err.reason, { cause: err });
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
      this.#setFilterServers(cs, req.clusterName, req.brokerAddr, null);

      const g = this.#groups.get(req.brokerName);
      if (g === undefined) continue;
      let changed = false;
      for (const [id, addr] of g.addrs) {
        if (addr === req.brokerAddr) {
          this.#groups.deleteAddr(g, id);
          changed = true;
        }
      }
      if (g.addrs.size === 0) {
        this.#groups.remove(g);
        removedGroups.add(g);
        reducedGroups.delete(g);
      } else {
        reducedGroups.add(g);
        this.#finishGroupChange(cs, g, changed);
      }
    }
    for (const g of removedGroups) {
      for (const topic of [...g.topics.keys()]) this.#topicQueueTable.remove(cs, g, topic, false);
    }
    for (const g of reducedGroups) {
      // A group left without a master serves reads only until one is back.
      if (!g.enableActingMaster || !hasNoMaster(g)) continue;
      for (const [topic, qd] of g.topics) {
        if ((qd.perm & PERM_WRITE) !== 0) {
          this.#topicQueueTable.putFigures(cs, g, topic, { ...qd, perm: qd.perm & ~PERM_WRITE });
        }
      }
    }
  }

  #removeLive(cs: ChangeSet, live: LiveBroker, reason: BrokerUnregisterReason, req?: UnregisterBrokerRequest): void {
    if (!this.#brokerLiveTable.remove(live)) return;
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
    const expired = this.#brokerLiveTable.expired(this.#now());
    if (expired.length === 0) return 0;
    this.#drop(expired, 'expired');
    return expired.length;
  }

  /**
   * A connection closed or went idle (RocketMQ's `onChannelDestroy`). Each
   * live broker that registered on it forgets it, and is dropped when no
   * connection it registered on is left open: a stale connection of a
   * restarted broker, or another peer's connection that registered the same
   * address, closing does not remove a broker that lives on elsewhere.
   */
  onChannelDestroy(channel: unknown): void {
    const orphans = this.#brokerLiveTable.forgetChannel(channel);
    if (orphans.length > 0) this.#drop(orphans, 'channelDestroyed');
  }

  /** Drops live brokers as RocketMQ's `onChannelDestroy` does: from the groups of their cluster that list them. */
  #drop(lives: readonly LiveBroker[], reason: BrokerUnregisterReason): void {
    const cs = this.#begin();
    const batch: UnregisterBrokerRequest[] = [];
    for (const live of lives) {
      const found = this.#groups.unregisterRequestsOf(live);
      if (found.length > 0) {
        batch.push(...found);
      } else {
        // Listed by no group: only its liveness goes (RocketMQ keeps even that, forever).
        this.#removeLive(cs, live, reason);
        this.#setFilterServers(cs, live.clusterName, live.brokerAddr, null);
      }
    }
    this.#unregister(cs, batch, reason);
    this.#emit(cs);
  }

  #live(clusterName: string, brokerAddr: string): LiveBroker | undefined {
    return this.#brokerLiveTable.get(clusterName, brokerAddr);
  }

  // ---------------------------------------------------------------- heartbeats and versions

  /**
   * Refreshes a live broker's heartbeat without a full registration
   * (BROKER_HEARTBEAT). Returns false when the broker is not live: it must
   * register again.
   */
  updateBrokerInfoUpdateTimestamp(clusterName: string, brokerAddr: string): boolean {
    const live = this.#live(requireString(clusterName, 'clusterName'), requireString(brokerAddr, 'brokerAddr'));
    if (live === undefined) return false;
    this.#brokerLiveTable.touch(live, this.#now());
    return true;
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
    const entry = this.#topicQueueTable.entries.get(requireString(topic, 'topic'));
    if (entry === undefined || entry.queueDatas.length === 0) return true;
    return indexOfBroker(entry.queueDatas, requireString(brokerName, 'brokerName')) < 0;
  }

  /** Every live broker address, as fresh objects (what `GET /brokers` serves). */
  getLiveBrokers(): LiveBrokerInfo[] {
    return this.#brokerLiveTable.infos();
  }

  // ---------------------------------------------------------------- routes

  /**
   * The route of `topic`, or null when no broker serves it. The result is a
   * deeply frozen snapshot, rebuilt only after the route changes; copy it
   * (e.g. `structuredClone`) to modify it.
   */
  getRouteInfoByTopic(topic: string): TopicRouteData | null {
    const entry = this.#topicQueueTable.entries.get(topic);
    if (entry === undefined) {
      if (typeof topic !== 'string') requireString(topic, 'topic');
      return null;
    }
    const route = entry.route;
    if (route !== undefined) return route;
    return (entry.route = buildRoute(topic, entry, this.#routeSources));
  }

  #orderTopicConf(topic: string): string | null {
    const kv = this.#options.kvConfig;
    if (!this.#options.orderMessageEnable || kv === null) return null;
    return kv.get(NAMESPACE_ORDER_TOPIC_CONFIG, topic);
  }

  // ---------------------------------------------------------------- topics

  /**
   * Removes a topic everywhere, or only from the brokers of `clusterName`.
   * A broker re-adds it on its next registration if it still has it.
   */
  deleteTopic(topic: string, clusterName?: string | null): void {
    requireString(topic, 'topic');
    const entry = this.#topicQueueTable.entries.get(topic);
    let names: Iterable<string>;
    if (clusterName === undefined || clusterName === null) {
      if (entry === undefined) return;
      names = entry.queueDatas.map((qd) => qd.brokerName);
    } else {
      const inCluster = this.#groups.clusters.get(requireString(clusterName, 'clusterName'));
      if (inCluster === undefined || inCluster.size === 0 || entry === undefined) return;
      names = [...inCluster];
    }
    const cs = this.#begin();
    for (const name of names) {
      const g = this.#groups.get(name);
      if (g !== undefined) this.#topicQueueTable.remove(cs, g, topic, true);
    }
    // Queues of a group no longer known cannot be re-added by anyone: drop them too.
    if (clusterName === undefined || clusterName === null) {
      this.#topicQueueTable.delete(cs, topic);
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
    const groups = normalized.map((qd) => this.#groups.get(qd.brokerName));
    if (groups.some((g) => g === undefined)) return;
    const cs = this.#begin();
    normalized.forEach((qd, i) => {
      const g = groups[i] as BrokerGroup;
      const existing = g.topics.get(topic);
      if (existing !== undefined && sameQueueData(existing, qd)) return;
      this.#topicQueueTable.putFigures(cs, g, topic, { ...qd, perm: qd.perm });
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
    const g = this.#groups.get(brokerName);
    if (g === undefined) return 0;
    const cs = this.#begin();
    for (const [topic, qd] of [...g.topics]) {
      const perm = next(qd.perm);
      if (perm !== qd.perm) {
        this.#topicQueueTable.putFigures(cs, g, topic, { ...qd, perm: perm });
      }
    }
    this.#emit(cs);
    return g.topics.size;
  }

  // ---------------------------------------------------------------- queries

  /** Every broker group and every cluster's broker names (fresh copies). */
  getAllClusterInfo(): ClusterInfo {
    return clusterInfoOf(this.#groups.groups, this.#groups.clusters);
  }

  /** Every topic with a route (RocketMQ's `getAllTopicList`); adapters wrap the names in a `TopicList`. */
  getAllTopicList(): string[] {
    return [...this.#topicQueueTable.entries.keys()];
  }

  /** Topics held by any broker of `clusterName` (empty for an unknown cluster); names alone, like {@link getAllTopicList}. */
  getTopicsByCluster(clusterName: string): string[] {
    return topicsOfCluster(this.#groups.groups, this.#groups.clusters, requireString(clusterName, 'clusterName')).topicList;
  }

  /**
   * RocketMQ's system topic list: every cluster name and broker name (brokers
   * create a topic of each), with the address of a broker to ask.
   */
  getSystemTopicList(): TopicList {
    return systemTopicListOf(this.#groups.groups, this.#groups.clusters);
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
    return topicsByFlag(this.#topicQueueTable.entries, test);
  }

  /** The members (id → address) of a broker group. */
  getBrokerMemberGroup(clusterName: string, brokerName: string): BrokerMemberGroup {
    requireString(clusterName, 'clusterName');
    requireString(brokerName, 'brokerName');
    const g = this.#groups.get(brokerName);
    return { cluster: clusterName, brokerName, brokerAddrs: g === undefined ? {} : addrsRecord(g) };
  }

  // ---------------------------------------------------------------- change tracking

  #begin(): ChangeSet {
    return beginChangeSet(this.listenerCount('topicRouteChanged') > 0);
  }


  /** Emits after the tables are consistent, so a throwing listener cannot leave them half-changed. */
  #emit(cs: ChangeSet): void {
    emitChanges(cs, this, (topic) => this.getRouteInfoByTopic(topic));
  }
}
