/**
 * RocketMQ 5's controller, transport-agnostic: Java's `ControllerManager`
 * and `DLedgerController` around an event-sourced state machine
 * (`ReplicasInfoManager`), with no sockets. Requests run one at a time (as
 * Java's single event scheduler); a request's events are committed to the
 * {@link ControllerEventLog} before it is answered; only the leader answers.
 * @module
 */
import { EventEmitter } from 'eventemitter3';
import { ScanTimer } from '../core/expiry/scan-timer.js';
import type { BrokerInactiveEvent, ControllerEvents, MasterElectedEvent } from './controller-events.js';
import { DefaultElectPolicy, type BrokerValidPredicate, type ElectPolicy } from './elect-policy.js';
import { ControllerNotLeaderError } from './errors.js';
import { MemoryEventLog, type ControllerEventLog } from './event-log.js';
import { HeartbeatManager, type HeartbeatOutcome } from './heartbeat-manager.js';
import { resolveControllerOptions, type ControllerOptions, type ResolvedControllerOptions } from './options.js';
import * as requests from './replicas-requests.js';
import { ReplicasState } from './replicas-state.js';
import { ControllerResponseCode as Code } from './response-codes.js';
import { ControllerRuntimeConfig } from './runtime-config.js';
import type {
  AlterSyncStateSetRequest, ApplyBrokerIdRequest, BrokerLiveInfo, BrokerReplicasInfoBody, CleanBrokerDataRequest, ControllerHeartbeat,
  ControllerResponse, ControllerResult, ElectMasterRequest, ElectMasterResponseBody, GetNextBrokerIdRequest, RegisterBrokerToControllerRequest,
  ResponseHeader, SyncStateSetBody,
} from './types.js';
import { controllerView, type ControllerView } from './view.js';

/** GET_METADATA_INFO's answer (Java's `GetMetaDataResponseHeader`). */
export interface ControllerMetadata extends ResponseHeader {
  group: string | null;
  controllerLeaderId: string | null;
  controllerLeaderAddress: string | null;
  isLeader: boolean;
  peers: string;
}

const NOT_LEADER_REMARK = 'The controller is not in leader state';

/**
 * The controller. `await start()` replays the log and schedules the scans;
 * `await close()` stops them.
 *
 * @example
 * ```ts
 * const controller = new Controller({ log: new FileEventLog({ path: '/var/lib/rmq/controller.log' }) });
 * await controller.start();
 * controller.on('masterElected', (e) => console.log(e.brokerName, 'master is', e.masterAddress));
 * ```
 */
export class Controller extends EventEmitter<ControllerEvents> {
  readonly #options: ResolvedControllerOptions;
  readonly #log: ControllerEventLog;
  readonly #state = new ReplicasState();
  readonly #heartbeats: HeartbeatManager;
  readonly #policy: ElectPolicy;
  readonly #alive: BrokerValidPredicate;
  readonly #config: ControllerRuntimeConfig;
  readonly #brokerScan: ScanTimer;
  readonly #masterScan: ScanTimer;
  /** The tail of the request queue: each request waits for the one before. */
  #queue: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #started: Promise<void> | null = null;
  #closed = false;
  #advertisedAddress: string | null = null;
  /** When this instance last became leader (null: not leading), for {@link ControllerOptions.leaderGraceMillis}. */
  #leaderSince: number | null = null;

  /** @throws `InvalidOptionError` when an option is invalid. */
  constructor(options: ControllerOptions = {}) {
    super();
    this.#options = resolveControllerOptions(options);
    this.#log = this.#options.log ?? new MemoryEventLog();
    this.#heartbeats = new HeartbeatManager(this.#options.now, this.#options.maxBrokers);
    this.#alive = (cluster, brokerName, id) => this.#heartbeats.isActive(cluster, brokerName, id);
    this.#policy = new DefaultElectPolicy(this.#alive, (cluster, brokerName, id) => this.#heartbeats.liveInfo(cluster, brokerName, id));
    this.#config = new ControllerRuntimeConfig(this.#options, () => this.#reschedule());
    this.#brokerScan = new ScanTimer(this.#options.scanNotActiveBrokerInterval);
    this.#masterScan = new ScanTimer(this.#options.scanInactiveMasterInterval);
  }

  /** The options in force at construction, defaults applied (see {@link config} for what 1009 changed since). */
  get options(): ResolvedControllerOptions {
    return this.#options;
  }

  /** What GET/UPDATE_CONTROLLER_CONFIG (1010/1009) read and change. */
  get config(): ControllerRuntimeConfig {
    return this.#config;
  }

  /** The event log. */
  get log(): ControllerEventLog {
    return this.#log;
  }

  /** Whether this instance answers requests (it leads its log). */
  get isLeader(): boolean {
    return !this.#closed && this.#log.isLeader();
  }

  /** The address GET_METADATA_INFO gives for this instance when its log knows none (the remoting server sets it once listening). */
  setAdvertisedAddress(address: string): void {
    this.#advertisedAddress = address;
    this.#log.advertise?.(address);
  }

  /** Replays the log and schedules the scans. Idempotent. */
  start(): Promise<void> {
    this.#started ??= this.#log.open((event) => this.#state.apply(event)).then(() => {
      if (this.isLeader) this.#leaderSince = this.#options.now();
      this.#brokerScan.start(() => this.#scheduled(this.scanNotActiveBrokers()));
      this.#masterScan.start(() => this.#scheduled(this.scanInactiveMasters()));
    });
    return this.#started;
  }

  /** Stops the scans, lets queued requests finish, closes the log. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#brokerScan.stop();
    this.#masterScan.stop();
    await this.#queue.catch(() => undefined);
    await this.#log.close();
  }

  // ---- requests (the codes of Java's ControllerRequestProcessor) ----

  /** CONTROLLER_ALTER_SYNC_STATE_SET (1001). */
  alterSyncStateSet(request: AlterSyncStateSetRequest, proposed: SyncStateSetBody): Promise<ControllerResponse<ResponseHeader, SyncStateSetBody>> {
    return this.#request(() => requests.alterSyncStateSet(this.#state, request, proposed, this.#alive), (result) => {
      const group = this.#state.group(request.brokerName);
      if (result.body !== null && group !== null) {
        this.emit('syncStateSetChanged', { clusterName: group.replicas.clusterName, brokerName: request.brokerName, ...result.body });
      }
    });
  }

  /** CONTROLLER_ELECT_MASTER (1002): a broker electing itself, an admin's designated election, or (brokerId -1) the controller's own. */
  electMaster(request: ElectMasterRequest): Promise<ControllerResponse<ResponseHeader, ElectMasterResponseBody>> {
    return this.#request(() => requests.electMaster(this.#state, request, this.#policy, this.#config.enableElectUncleanMaster),
      (result) => this.#onElected(request, result));
  }

  /** CONTROLLER_REGISTER_BROKER (1003). */
  registerBroker(request: RegisterBrokerToControllerRequest): Promise<ControllerResponse<ResponseHeader, SyncStateSetBody>> {
    return this.#request(() => requests.registerBroker(this.#state, request, this.#alive));
  }

  /** CONTROLLER_GET_REPLICA_INFO (1004). */
  getReplicaInfo(brokerName: string): Promise<ControllerResponse<ResponseHeader, SyncStateSetBody>> {
    return this.#request(() => requests.getReplicaInfo(this.#state, brokerName));
  }

  /** CONTROLLER_GET_SYNC_STATE_DATA (1006). */
  getSyncStateData(brokerNames: readonly string[]): Promise<ControllerResponse<ResponseHeader, BrokerReplicasInfoBody>> {
    return this.#request(() => requests.getSyncStateData(this.#state, brokerNames, this.#alive));
  }

  /** CLEAN_BROKER_DATA (1011). */
  cleanBrokerData(request: CleanBrokerDataRequest): Promise<ControllerResponse> {
    return this.#request(() => requests.cleanBrokerData(this.#state, request, this.#alive));
  }

  /** CONTROLLER_GET_NEXT_BROKER_ID (1012). */
  getNextBrokerId(request: GetNextBrokerIdRequest): Promise<ControllerResponse> {
    return this.#request(() => requests.getNextBrokerId(this.#state, request));
  }

  /** CONTROLLER_APPLY_BROKER_ID (1013). */
  applyBrokerId(request: ApplyBrokerIdRequest): Promise<ControllerResponse> {
    return this.#request(() => requests.applyBrokerId(this.#state, request, this.#options.maxReplicas));
  }

  /** CONTROLLER_GET_METADATA_INFO (1005): who leads, answered by every instance (brokers ask any to find the leader). */
  metadata(): ControllerMetadata {
    const leader = this.#closed ? null : this.#log.leader();
    const isLeader = this.isLeader;
    return {
      group: this.#log.group ?? null,
      controllerLeaderId: leader?.id ?? null,
      controllerLeaderAddress: leader?.address ?? (isLeader ? this.#advertisedAddress : null),
      isLeader,
      peers: this.#log.peers(),
    };
  }

  /** BROKER_HEARTBEAT (904) with a broker id: the broker is alive. Any instance records it (brokers send to the leader). */
  brokerHeartbeat(heartbeat: ControllerHeartbeat): HeartbeatOutcome {
    return this.#heartbeats.onHeartbeat(heartbeat);
  }

  /**
   * A connection closed: the brokers whose heartbeats came on it are
   * inactive at once and, where one was its group's master, a new master is
   * elected at once (Java's `BrokerHousekeepingService` → `onBrokerInactive`). `elect: false` when
   * the connection closed because this side is shutting down: every
   * connection closes then, and that is not the masters failing.
   */
  onChannelClose(channel: object, options: { readonly elect?: boolean } = {}): void {
    for (const info of this.#heartbeats.onChannelClose(channel)) {
      this.#scheduled(this.#inactive(info, 'channelClosed', options.elect !== false));
    }
  }

  /** Whether a broker heartbeats within its timeout. */
  isBrokerActive(clusterName: string, brokerName: string, brokerId: number): boolean {
    return this.#heartbeats.isActive(clusterName, brokerName, brokerId);
  }

  /** Every broker heartbeating to this instance. */
  liveBrokers(): BrokerLiveInfo[] {
    return this.#heartbeats.all();
  }

  /** A snapshot of every group (for views such as HTTP's `/controller`). */
  view(): ControllerView {
    return controllerView(this.#state, this.#alive, this.metadata(), this.#heartbeats.all());
  }

  // ---- scans ----

  /** Drops brokers silent past their timeout; elects a new master where one of them was master (Java's heartbeat scan). */
  async scanNotActiveBrokers(): Promise<void> {
    const elections = this.#heartbeats.scanNotActive().map((info) => this.#inactive(info, 'expired'));
    await Promise.all(elections);
  }

  /** Re-elects every group whose master is inactive while a replica is alive (Java's `scanInactiveMasterAndTriggerReelect`). */
  async scanInactiveMasters(): Promise<void> {
    if (!this.isLeader) {
      this.#leaderSince = null;
      return;
    }
    const now = this.#options.now();
    this.#leaderSince ??= now;
    // Brokers have not found a new leader yet: their silence is not a failure.
    if (now - this.#leaderSince < this.#options.leaderGraceMillis) return;
    for (const brokerName of requests.scanNeedReelectBrokerSets(this.#state, this.#alive)) await this.#triggerElect(brokerName);
  }

  /**
   * Tells listeners (at once, before any await); elects a new master when it
   * was one and `elect` holds. Resolves once that election is done. With no
   * candidate left the election records "no master" (a new master epoch, as
   * Java's does): a restarted 5.3.3 master must then take a new epoch, since
   * reusing the old one rewrites its epoch file so that its slaves find no
   * consistent point and never rejoin the sync-state set.
   */
  async #inactive(info: BrokerLiveInfo, reason: BrokerInactiveEvent['reason'], elect = true): Promise<void> {
    const { clusterName, brokerName, brokerId, brokerAddr } = info;
    this.emit('brokerInactive', { clusterName, brokerName, brokerId, brokerAddr, reason });
    if (!elect || !this.isLeader) return;
    // Only the master's loss needs an election (Java's onBrokerInactive).
    if (this.#state.syncStates.get(brokerName)?.masterBrokerId !== brokerId) return;
    await this.#triggerElect(brokerName);
  }

  /** Java's `triggerElectMaster`: up to electMasterMaxRetryCount controller-triggered elections until one answers. */
  async #triggerElect(brokerName: string): Promise<void> {
    const clusterName = this.#state.replicas.get(brokerName)?.clusterName ?? '';
    for (let i = 0; i < this.#config.electMasterMaxRetryCount; i++) {
      const response = await this.electMaster({ clusterName, brokerName, brokerId: -1, designateElect: false });
      if (response.code === Code.SUCCESS || response.code === Code.CONTROLLER_MASTER_STILL_EXIST || response.code === Code.CONTROLLER_NOT_LEADER) return;
    }
  }

  #scheduled(work: Promise<void>): void {
    work.catch((err: unknown) => this.emit('error', err instanceof Error ? err : new Error(String(err))));
  }

  #reschedule(): void {
    this.#brokerScan.reschedule(this.#config.scanNotActiveBrokerInterval);
    this.#masterScan.reschedule(this.#config.scanInactiveMasterInterval);
  }

  #onElected(request: ElectMasterRequest, result: ControllerResult<requests.ElectMasterHeader, ElectMasterResponseBody>): void {
    const { header, body } = result;
    const group = body?.brokerMemberGroup;
    if (result.code !== Code.SUCCESS || header.masterBrokerId === null || group === undefined || group === null) return;
    const byController = request.brokerId === null || request.brokerId === -1;
    const notifyTargets = this.#config.notifyBrokerRoleChanged
      ? [...group.brokerAddrs].filter(([id]) => this.#alive(group.cluster, group.brokerName, id)).map(([, addr]) => addr)
      : [];
    const event: MasterElectedEvent = {
      clusterName: group.cluster, brokerName: group.brokerName, masterBrokerId: header.masterBrokerId, masterAddress: header.masterAddress,
      masterEpoch: header.masterEpoch ?? 0, syncStateSetEpoch: header.syncStateSetEpoch ?? 0, syncStateSet: body?.syncStateSet ?? [],
      brokerAddrs: group.brokerAddrs, notifyTargets, trigger: byController ? 'controller' : request.designateElect ? 'admin' : 'broker',
    };
    this.emit('masterElected', event);
    this.emit('syncStateSetChanged', {
      clusterName: event.clusterName, brokerName: event.brokerName, syncStateSet: event.syncStateSet, syncStateSetEpoch: event.syncStateSetEpoch,
    });
  }

  /**
   * Runs one request in turn: computes its result from the state, commits
   * its events, then answers. Followers answer CONTROLLER_NOT_LEADER, as
   * Java's `appendEvent` does.
   */
  #request<H extends ResponseHeader, B>(
    compute: () => ControllerResult<H, B>, committed?: (result: ControllerResult<H, B>) => void,
  ): Promise<ControllerResponse<ResponseHeader, B>> {
    if (this.#pending >= this.#options.maxPendingRequests) {
      return Promise.resolve(failure(Code.SYSTEM_ERROR, `the controller has ${this.#pending} requests waiting (maxPendingRequests)`));
    }
    this.#pending++;
    const run = this.#queue.catch(() => undefined).then(async (): Promise<ControllerResponse<ResponseHeader, B>> => {
      if (!this.isLeader) return failure(Code.CONTROLLER_NOT_LEADER, NOT_LEADER_REMARK);
      const result = compute();
      if (result.events.length > 0) {
        try {
          await this.#log.append(result.events);
        } catch (err) {
          if (err instanceof ControllerNotLeaderError) return failure(Code.CONTROLLER_NOT_LEADER, NOT_LEADER_REMARK);
          throw err;
        }
      }
      committed?.(result);
      return { code: result.code, remark: result.remark, header: result.header, body: result.body };
    });
    this.#queue = run;
    return run.finally(() => {
      this.#pending--;
    });
  }
}

function failure<B>(code: number, remark: string): ControllerResponse<ResponseHeader, B> {
  return { code, remark, header: {}, body: null };
}
