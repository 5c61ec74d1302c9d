/**
 * The route registry: RocketMQ's `RouteInfoManager`, transport-agnostic. Its
 * tables and public API live here; `registration/plan` decides registrations,
 * `routes/route-builder` builds routes, `routes/change-set` turns changes into events.
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { beginChangeSet, emitChanges, type ChangeSet } from './routes/change-set.js';
import { GroupTable } from './tables/group-table.js';
import { FilterServerTable, LiveTable } from './tables/live-table.js';
import { MinBrokerIdWatch, minBrokerIdNotice, previousMinBrokerId } from './registration/min-broker-id.js';
import {
  patchRouteRegistryOptions, resolveRouteRegistryOptions, type ResolvedRouteRegistryOptions, type RouteRegistryOptions,
  type RouteRegistryOptionsPatch,
} from './options.js';
import { indexOfBroker } from './tables/queue-datas.js';
import { clusterInfoOf, systemTopicListOf, topicsByFlag, topicsOfCluster } from './queries/topic-lists.js';
import { lastAppliedAfter, planRegistration, type RegistrationPlan } from './registration/plan.js';
import { checkRoom, registrationEntries, topicEntries } from './registration/route-budget.js';
import { OrderTopicConf } from './routes/order-topic-conf.js';
import { ScanTimer } from './expiry/scan-timer.js';
import { StaticTopicTable } from './tables/static-topics.js';
import { addrsRecord, buildRoute, type RouteSources } from './routes/route-builder.js';
import { MASTER_ID, hasNoMaster, type BrokerGroup, type LiveBroker } from './tables/records.js';
import { deleteTopicIn, registerTopicIn, setPermOf, type TopicTables } from './tables/topic-admin.js';
import { TopicQueueTable } from './tables/topic-queue-table.js';
import { tableHas } from './registration/topic-table.js';
import { FLAG_UNIT, FLAG_UNIT_SUB, PERM_READ, PERM_WRITE } from './registration/topic-config.js';
import type {
  BrokerMemberGroup, BrokerUnregisterReason, ClusterInfo, DataVersion, LiveBrokerInfo, QueueData, RegisterBrokerRequest,
  RegisterBrokerResult, RegisterBrokerStatus, RouteRegistryEvents, TopicList, TopicRouteData, UnregisterBrokerRequest,
} from './types.js';
import {
  dataVersionEquals, freshDataVersion, normalizeQueueDatas, normalizeRegistration, normalizeUnregistrations, requireString,
  type NormalizedRegistration,
} from './registration/validate.js';

export { MASTER_ID } from './tables/records.js';
export { PERM_READ, PERM_WRITE, FLAG_UNIT, FLAG_UNIT_SUB } from './registration/topic-config.js';
export { dataVersionEquals } from './registration/validate.js';

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
  #options: ResolvedRouteRegistryOptions;
  readonly #now: () => number;
  /** When the registry was built, on its clock: `needWaitForService` counts from here. */
  readonly #startedAt: number;

  /** topic → its queues per broker name (RocketMQ's topicQueueTable). */
  readonly #topicQueueTable = new TopicQueueTable();
  /** broker name → group (brokerAddrTable) and cluster → broker names (clusterAddrTable). */
  readonly #groups = new GroupTable();
  /** cluster → address → live broker (brokerLiveTable), with its expiry and channel indexes. */
  readonly #brokerLiveTable = new LiveTable();
  /** cluster → address → filter servers (filterServerTable). */
  readonly #filterServerTable = new FilterServerTable();
  /** topic → broker name → static topic mapping (topicQueueMappingInfoTable). */
  readonly #staticTopics = new StaticTopicTable();
  readonly #routeSources: RouteSources;
  readonly #topicTables: TopicTables = { groups: this.#groups, topicQueueTable: this.#topicQueueTable };
  readonly #scanTimer: ScanTimer;
  readonly #orderTopicConf: OrderTopicConf;

  constructor(options?: RouteRegistryOptions) {
    super();
    this.#options = resolveRouteRegistryOptions(options);
    this.#now = this.#options.now;
    this.#startedAt = this.#now();
    this.#scanTimer = new ScanTimer(this.#options.scanIntervalMillis);
    const registry = this;
    this.#routeSources = {
      groups: this.#groups.groups,
      filterServers: this.#filterServerTable.byCluster,
      get supportActingMaster() {
        return registry.#options.supportActingMaster;
      },
      orderTopicConf: (topic) => this.#orderTopicConf.of(topic),
      topicQueueMappings: (topic) => this.#staticTopics.of(topic),
    };
    this.#orderTopicConf = new OrderTopicConf(this.#options.kvConfig, () => this.#options.orderMessageEnable, (topic) => {
      if (this.#topicQueueTable.entries.has(topic)) this.#change((cs) => this.#invalidateTopics(cs, [topic]));
    });
    this.#orderTopicConf.watch();
  }

  /** The options in force, defaults applied; a new frozen object after each {@link updateOptions}. */
  get options(): ResolvedRouteRegistryOptions {
    return this.#options;
  }

  /**
   * Changes runtime options of the running registry (what UPDATE_NAMESRV_CONFIG
   * applies): all or nothing. Routes that depend on a changed option are
   * rebuilt (and `topicRouteChanged` fires where they differ); a new
   * `scanIntervalMillis` reschedules the running scan.
   * @throws {@link InvalidOptionError} for an unknown or unchangeable key or an invalid value; nothing changes then.
   */
  updateOptions(patch: RouteRegistryOptionsPatch): void {
    const previous = this.#options;
    const next = patchRouteRegistryOptions(previous, patch);
    this.#options = next;
    this.#scanTimer.reschedule(next.scanIntervalMillis);
    this.#orderTopicConf.watch();
    if (next.supportActingMaster !== previous.supportActingMaster || next.orderMessageEnable !== previous.orderMessageEnable) {
      this.#change((cs) => this.#topicQueueTable.invalidateAll(cs));
    }
  }

  /**
   * False while `needWaitForService` is on and fewer than
   * `waitSecondsForService` seconds passed since the registry was built (on
   * its clock): RocketMQ's name server refuses route requests then.
   */
  isServiceReady(): boolean {
    const o = this.#options;
    return !o.needWaitForService || this.#now() - this.#startedAt >= o.waitSecondsForService * 1000;
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
    this.#orderTopicConf.watch();
    this.#scanTimer.start(() => this.scanNotActiveBroker());
  }

  /** Stops the periodic scan and detaches from the KV store. Idempotent; the tables are kept. */
  close(): void {
    this.#scanTimer.stop();
    this.#orderTopicConf.unwatch();
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
   * @throws {@link InvalidRequestError} when the request is malformed, {@link RouteRegistryFullError}
   *   when applying it would pass `maxRouteEntries`; nothing changes then.
   */
  registerBroker(req: RegisterBrokerRequest, status?: RegisterBrokerStatus): RegisterBrokerResult | null {
    const r = normalizeRegistration(req);
    const now = this.#now();
    const group = this.#groups.get(r.brokerName);
    const minIdChanged = r.brokerId < previousMinBrokerId(group);
    const live = this.#live(r.clusterName, r.brokerAddr);
    // Decides everything (and validates the table) before anything changes.
    const plan = planRegistration(r, group, live, (addr) => this.#live(r.clusterName, addr));
    const held = this.routeEntryCount;
    const max = this.#options.maxRouteEntries;
    const adding = plan.outcome === 'apply' ? registrationEntries(plan, group, live === undefined, max - held) : 0;
    if (adding > 0) checkRoom(`registration of ${r.brokerName} at ${r.brokerAddr}`, held, adding, max);
    const epoch = this.#topicQueueTable.epoch;

    const cs = this.#begin();
    const g = this.#groups.join(r.clusterName, r.brokerName);
    // As in RocketMQ, this applies even to a registration refused or ignored below.
    let groupChanged = this.#groups.applyHeader(g, r.brokerId, r.brokerAddr, plan.enableActingMaster, r.zoneName);

    if (plan.outcome !== 'apply') return this.#notApplied(cs, r, g, plan, live, groupChanged, status);

    if (g.addrs.get(r.brokerId) !== r.brokerAddr) {
      this.#groups.setAddr(g, r.brokerId, r.brokerAddr);
      groupChanged = true;
    }
    this.#finishGroupChange(cs, g, groupChanged);

    if (plan.appliesTopics) {
      const table = r.topicConfigTable;
      // As RocketMQ: a broker hosting static topics never has topics deleted this way.
      if (this.#options.deleteTopicWithBrokerRegistration && table !== null && r.topicQueueMappings === null) {
        for (const topic of [...g.topics.keys()]) {
          if (!tableHas(table, topic)) this.#topicQueueTable.remove(cs, g, topic);
        }
      }
      for (const config of plan.changes) this.#topicQueueTable.apply(cs, g, config, plan.wipeWrite);
      // RocketMQ stores mappings on a first registration or a new data version only.
      if (plan.mode === 'all' && r.topicQueueMappings !== null) {
        this.#invalidateTopics(cs, this.#staticTopics.put(g.brokerName, r.topicQueueMappings));
      }
      g.lastApplied = lastAppliedAfter(plan, table, g);
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
    if (minIdChanged && this.#options.notifyMinBrokerIdChanged) {
      const notice = minBrokerIdNotice(g, null, r.haServerAddr);
      if (notice !== null) cs.minBrokerIdChanged.push(notice);
    }
    this.#emit(cs);
    const outcome = becameLive ? 'registered' : this.#topicQueueTable.epoch !== epoch || versionChanged ? 'updated' : 'heartbeat';
    if (status !== undefined) Object.assign(status, { outcome, reason: undefined });
    return result;
  }

  /** Finishes a registration refused or ignored by RocketMQ's rules: its status, events and answer. */
  #notApplied(
    cs: ChangeSet, r: NormalizedRegistration, g: BrokerGroup, plan: RegistrationPlan & { outcome: 'refused' | 'ignored' },
    live: LiveBroker | undefined, groupChanged: boolean, status: RegisterBrokerStatus | undefined,
  ): RegisterBrokerResult | null {
    // RocketMQ drops the ignored address from the live table; a refused one keeps what it had.
    if (plan.outcome === 'ignored' && live !== undefined) this.#removeLive(cs, live, 'unregister');
    this.#finishGroupChange(cs, g, groupChanged);
    if (plan.outcome === 'refused') this.#dropGroupIfEmpty(cs, g);
    this.#emit(cs);
    if (status !== undefined) Object.assign(status, { outcome: plan.outcome, reason: plan.reason });
    const event = { clusterName: r.clusterName, brokerName: r.brokerName, brokerAddr: r.brokerAddr, brokerId: r.brokerId, reason: plan.reason };
    this.emit(plan.outcome === 'refused' ? 'registrationRefused' : 'registrationIgnored', event);
    return plan.outcome === 'refused' ? null : { haServerAddr: null, masterAddr: null };
  }

  /** Route entries held in all: topic × group queue entries plus live broker addresses (bounded by `maxRouteEntries`). */
  get routeEntryCount(): number {
    return this.#topicQueueTable.queueEntries + this.#brokerLiveTable.size;
  }

  /**
   * A refused registration can leave a group with no address (a new one, or
   * one whose only address tried a role switch): RocketMQ keeps it, and keeps
   * routing its topics to nobody. We drop it as its last unregistration would.
   */
  #dropGroupIfEmpty(cs: ChangeSet, g: BrokerGroup): void {
    if (g.addrs.size > 0) return;
    this.#groups.remove(g);
    for (const topic of [...g.topics.keys()]) this.#topicQueueTable.remove(cs, g, topic);
    this.#invalidateTopics(cs, this.#staticTopics.drop(g.brokerName));
  }

  /** Routes of these topics (those that have one) may have changed. */
  #invalidateTopics(cs: ChangeSet, topics: readonly string[]): void {
    for (const topic of topics) {
      const entry = this.#topicQueueTable.entries.get(topic);
      if (entry !== undefined) this.#topicQueueTable.invalidate(cs, topic, entry);
    }
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
    const batch = normalizeUnregistrations(requests);
    const cs = this.#begin();
    this.#unregister(cs, batch, 'unregister');
    this.#emit(cs);
  }

  #unregister(cs: ChangeSet, batch: readonly UnregisterBrokerRequest[], reason: BrokerUnregisterReason): void {
    const removedGroups = new Set<BrokerGroup>();
    const reducedGroups = new Set<BrokerGroup>();
    const minIds = new MinBrokerIdWatch();
    for (const req of batch) {
      const live = this.#live(req.clusterName, req.brokerAddr);
      if (live !== undefined) this.#removeLive(cs, live, reason, req);
      this.#setFilterServers(cs, req.clusterName, req.brokerAddr, null);

      const g = this.#groups.get(req.brokerName);
      if (g === undefined) continue;
      const wasMin = MinBrokerIdWatch.isMin(g, req.brokerId);
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
        if (wasMin) minIds.note(g, req.brokerAddr);
      }
    }
    for (const g of removedGroups) {
      for (const topic of [...g.topics.keys()]) this.#topicQueueTable.remove(cs, g, topic);
      this.#invalidateTopics(cs, this.#staticTopics.drop(g.brokerName));
    }
    if (this.#options.notifyMinBrokerIdChanged) cs.minBrokerIdChanged.push(...minIds.notices((name) => this.#groups.get(name)));
    // A group left without a master serves reads only until one is back.
    for (const g of reducedGroups) {
      if (g.enableActingMaster && hasNoMaster(g)) setPermOf(this.#topicTables, cs, g.brokerName, (perm) => perm & ~PERM_WRITE);
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

  // ---------------------------------------------------------------- topics

  /**
   * Removes a topic everywhere, or only from the brokers of `clusterName`.
   * A broker re-adds it on its next registration if it still has it.
   */
  deleteTopic(topic: string, clusterName?: string | null): void {
    requireString(topic, 'topic');
    const cluster = clusterName === undefined || clusterName === null ? null : requireString(clusterName, 'clusterName');
    this.#change((cs) => deleteTopicIn(this.#topicTables, cs, topic, cluster));
  }

  /**
   * Adds or replaces queues of `topic` (REGISTER_TOPIC_IN_NAMESRV). Every
   * broker named must be registered, otherwise nothing changes.
   * @throws {@link RouteRegistryFullError} when it would pass `maxRouteEntries`; nothing changes then.
   */
  registerTopic(topic: string, queueDatas: readonly QueueData[]): void {
    requireString(topic, 'topic');
    const normalized = normalizeQueueDatas(queueDatas);
    if (normalized.length === 0) return;
    checkRoom(`registerTopic of ${topic}`, this.routeEntryCount, topicEntries(this.#groups, topic, normalized), this.#options.maxRouteEntries);
    this.#change((cs) => registerTopicIn(this.#topicTables, cs, topic, normalized));
  }

  /** Clears the write bit of every topic of `brokerName`; returns how many topics it holds. */
  wipeWritePermOfBroker(brokerName: string): number {
    requireString(brokerName, 'brokerName');
    return this.#change((cs) => setPermOf(this.#topicTables, cs, brokerName, (perm) => perm & ~PERM_WRITE));
  }

  /** Sets read + write on every topic of `brokerName`; returns how many topics it holds. */
  addWritePermOfBroker(brokerName: string): number {
    requireString(brokerName, 'brokerName');
    return this.#change((cs) => setPermOf(this.#topicTables, cs, brokerName, () => PERM_READ | PERM_WRITE));
  }

  /** Runs `change` in one change set and emits its events. */
  #change<T>(change: (cs: ChangeSet) => T): T {
    const cs = this.#begin();
    const result = change(cs);
    this.#emit(cs);
    return result;
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
