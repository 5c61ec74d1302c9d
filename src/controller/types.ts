/**
 * The controller's data shapes. Field names are RocketMQ's (Java 5.3.3's
 * request/response headers and bodies), so the remoting adapter puts them on
 * the wire as they are. Broker ids are Java `Long`s kept as safe integers.
 * @module
 */

/**
 * One entry of the controller's event log: what Java's `ReplicasInfoManager`
 * applies (`EventMessage` subclasses). Only these change the state; replaying
 * them in order rebuilds it exactly.
 */
export type ControllerLogEvent =
  | ApplyBrokerIdLogEvent
  | UpdateBrokerAddressLogEvent
  | AlterSyncStateSetLogEvent
  | ElectMasterLogEvent
  | CleanBrokerDataLogEvent;

/** A broker took a broker id (Java's `ApplyBrokerIdEvent`); the first one creates its group. */
export interface ApplyBrokerIdLogEvent {
  readonly type: 'applyBrokerId';
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerAddress: string;
  readonly newBrokerId: number;
  readonly registerCheckCode: string;
}

/** A registered broker came back on another address (Java's `UpdateBrokerAddressEvent`). */
export interface UpdateBrokerAddressLogEvent {
  readonly type: 'updateBrokerAddress';
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerAddress: string;
  readonly brokerId: number;
}

/** The master reported a new sync-state set (Java's `AlterSyncStateSetEvent`). */
export interface AlterSyncStateSetLogEvent {
  readonly type: 'alterSyncStateSet';
  readonly brokerName: string;
  readonly newSyncStateSet: readonly number[];
}

/**
 * An election's outcome (Java's `ElectMasterEvent`): a new master (the
 * sync-state set becomes just it), or none (the old master is forgotten,
 * the set kept).
 */
export interface ElectMasterLogEvent {
  readonly type: 'electMaster';
  readonly brokerName: string;
  readonly newMasterElected: boolean;
  readonly newMasterBrokerId: number | null;
}

/** An admin dropped a group, or some of its ids (Java's `CleanBrokerDataEvent`). */
export interface CleanBrokerDataLogEvent {
  readonly type: 'cleanBrokerData';
  readonly brokerName: string;
  /** null or empty: the whole group. */
  readonly brokerIdSetToClean: readonly number[] | null;
}

/** Java's `SyncStateSet` body. */
export interface SyncStateSetBody {
  readonly syncStateSet: readonly number[];
  readonly syncStateSetEpoch: number;
}

/** Java's `BrokerMemberGroup` body: the group's ids and addresses. */
export interface BrokerMemberGroupBody {
  readonly cluster: string;
  readonly brokerName: string;
  readonly brokerAddrs: ReadonlyMap<number, string>;
}

/** Java's `ElectMasterResponseBody`. */
export interface ElectMasterResponseBody {
  readonly brokerMemberGroup: BrokerMemberGroupBody | null;
  readonly syncStateSet: readonly number[];
}

/** Java's `BrokerReplicasInfo.ReplicaIdentity`. */
export interface ReplicaIdentity {
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddress: string;
  readonly alive: boolean;
}

/** Java's `BrokerReplicasInfo.ReplicasInfo`: one group in CONTROLLER_GET_SYNC_STATE_DATA's answer. */
export interface ReplicasInfo {
  readonly masterBrokerId: number | null;
  readonly masterAddress: string | null;
  readonly masterEpoch: number;
  readonly syncStateSetEpoch: number;
  readonly inSyncReplicas: readonly ReplicaIdentity[];
  readonly notInSyncReplicas: readonly ReplicaIdentity[];
}

/** Java's `BrokerReplicasInfo` body. */
export interface BrokerReplicasInfoBody {
  readonly replicasInfoTable: ReadonlyMap<string, ReplicasInfo>;
}

/** A response header: Java's field names; null fields are left off the wire. */
export type ResponseHeader = Readonly<Record<string, string | number | boolean | null>>;

/** What each controller request answers (Java's `ControllerResult` made into a response). */
export interface ControllerResponse<H extends ResponseHeader = ResponseHeader, B = unknown> {
  /** RocketMQ's response code: 0 (SUCCESS) or one of the controller's 2000–2016. */
  readonly code: number;
  readonly remark: string | null;
  readonly header: H;
  /** The body object (see the `*Body` types), or null. */
  readonly body: B | null;
}

/** A {@link ControllerResponse} and the events to commit before it is answered. */
export interface ControllerResult<H extends ResponseHeader = ResponseHeader, B = unknown> extends ControllerResponse<H, B> {
  readonly events: readonly ControllerLogEvent[];
}

/** `ElectMasterRequestHeader` (1002). */
export interface ElectMasterRequest {
  readonly clusterName: string;
  readonly brokerName: string;
  /** -1 (or null): triggered by the controller, not by a broker. */
  readonly brokerId: number | null;
  /** An admin's `electMaster`: only `brokerId` may be elected. */
  readonly designateElect: boolean;
}

/** `AlterSyncStateSetRequestHeader` (1001). */
export interface AlterSyncStateSetRequest {
  readonly brokerName: string;
  readonly masterBrokerId: number | null;
  readonly masterEpoch: number | null;
}

/** `RegisterBrokerToControllerRequestHeader` (1003). */
export interface RegisterBrokerToControllerRequest {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddress: string;
}

/** `GetNextBrokerIdRequestHeader` (1012). */
export interface GetNextBrokerIdRequest {
  readonly clusterName: string;
  readonly brokerName: string;
}

/** `ApplyBrokerIdRequestHeader` (1013). */
export interface ApplyBrokerIdRequest {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly appliedBrokerId: number;
  /** `brokerAddress;timestamp`: lets a broker that restarts take its id again. */
  readonly registerCheckCode: string;
}

/** `CleanControllerBrokerDataRequestHeader` (1011). */
export interface CleanBrokerDataRequest {
  readonly clusterName: string | null;
  readonly brokerName: string;
  /** Ids separated by `;`; null or blank: the whole group. */
  readonly brokerControllerIdsToClean: string | null;
  /** Clean even brokers still heartbeating. */
  readonly isCleanLivingBroker: boolean;
}

/** The controller fields of `BrokerHeartbeatRequestHeader` (904). */
export interface ControllerHeartbeat {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerAddr: string;
  readonly brokerId: number;
  /** null: {@link DEFAULT_HEARTBEAT_TIMEOUT_MILLIS}. */
  readonly heartbeatTimeoutMillis: number | null;
  readonly epoch: number | null;
  readonly maxOffset: number | null;
  readonly confirmOffset: number | null;
  readonly electionPriority: number | null;
  /** The connection it came on: when it closes, the broker is inactive at once. */
  readonly channel?: object | null;
}

/** Java's `BrokerHeartbeatManager.DEFAULT_BROKER_CHANNEL_EXPIRED_TIME`. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MILLIS = 10_000;

/** What the heartbeat manager knows of a live broker (Java's `BrokerLiveInfo`). */
export interface BrokerLiveInfo {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerAddr: string;
  readonly brokerId: number;
  readonly lastUpdateTimestamp: number;
  readonly heartbeatTimeoutMillis: number;
  readonly epoch: number;
  readonly maxOffset: number;
  readonly confirmOffset: number;
  /** Lower wins among equal epochs and offsets. */
  readonly electionPriority: number;
}

/** Who a broker is to the controller (Java's `BrokerIdentityInfo`). */
export interface BrokerIdentity {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
}
