/**
 * `rocketmq-namesrv`: an embeddable Apache RocketMQ NameServer.
 *
 * The core: {@link RouteRegistry} (the route tables, transport-agnostic) and
 * {@link KvConfigStore}. Adapters live in `rocketmq-namesrv/remoting` (TCP,
 * RocketMQ's wire protocol) and `rocketmq-namesrv/http`.
 * @packageDocumentation
 */
export { RouteRegistry, dataVersionEquals, MASTER_ID, PERM_READ, PERM_WRITE, FLAG_UNIT, FLAG_UNIT_SUB } from './core/registry.js';
export { ROUTE_REGISTRY_DEFAULTS } from './core/options.js';
export { TOPIC_CONFIG_DEFAULTS, PERM_PRIORITY, PERM_INHERIT } from './core/registration/topic-config.js';
export { sealTopicTable } from './core/registration/topic-table.js';
export type { RouteRegistryOptions, ResolvedRouteRegistryOptions } from './core/options.js';
export { RUNTIME_OPTION_KEYS } from './core/options.js';
export type { RouteRegistryOptionsPatch } from './core/options.js';
export { NamesrvConfiguration, BUILT_IN_CONFIG_BLACKLIST, BLACKLIST_REMARK } from './config/namesrv-config.js';
export type { NamesrvConfigurationInit, ConfigUpdateOutcome, ConfigUpdateOptions } from './config/namesrv-config.js';
export { ConfigValueError } from './core/errors.js';
export { KvConfigStore, NAMESPACE_ORDER_TOPIC_CONFIG } from './core/kv-config.js';
export type { KvConfigStoreOptions, KvConfigStoreEvents, KvConfigChangeEvent } from './core/kv-config.js';
export { VERSION } from './core/version.js';
export {
  NamesrvError, InvalidRequestError, InvalidOptionError, KvConfigLoadError, KvConfigPersistError, RouteRegistryFullError,
} from './core/errors.js';
export type * from './core/types.js';
// RocketMQ 5's controller (automatic master election), transport-agnostic; RemotingServer's `controller` option serves it.
export { Controller } from './controller/controller.js';
export type { ControllerMetadata } from './controller/controller.js';
export { CONTROLLER_DEFAULTS } from './controller/options.js';
export type { ControllerOptions, ResolvedControllerOptions } from './controller/options.js';
export type { ControllerEvents, MasterElectedEvent, SyncStateSetChangedEvent, BrokerInactiveEvent } from './controller/controller-events.js';
export { MemoryEventLog } from './controller/event-log.js';
export type { ControllerEventLog, ControllerLeaderInfo } from './controller/event-log.js';
export { FileEventLog } from './controller/file-event-log.js';
export type { FileEventLogOptions } from './controller/file-event-log.js';
export { EtcdEventLog } from './controller/etcd/etcd-event-log.js';
export type { EtcdEventLogOptions } from './controller/etcd/etcd-event-log.js';
export { DefaultElectPolicy } from './controller/elect-policy.js';
export type { ElectPolicy, ElectInput, BrokerValidPredicate, BrokerLiveInfoGetter } from './controller/elect-policy.js';
export { ControllerNotLeaderError, ControllerLogError } from './controller/errors.js';
export { ControllerResponseCode, FIRST_BROKER_CONTROLLER_ID } from './controller/response-codes.js';
export type { ControllerView, ControllerGroupView } from './controller/view.js';
export type {
  ControllerLogEvent, ControllerResponse, ControllerResult, ControllerHeartbeat, BrokerLiveInfo as ControllerBrokerLiveInfo, BrokerIdentity,
  SyncStateSetBody, BrokerMemberGroupBody, ElectMasterResponseBody, ReplicaIdentity, ReplicasInfo, BrokerReplicasInfoBody, ResponseHeader,
  ElectMasterRequest, AlterSyncStateSetRequest, RegisterBrokerToControllerRequest, GetNextBrokerIdRequest, ApplyBrokerIdRequest, CleanBrokerDataRequest,
} from './controller/types.js';
