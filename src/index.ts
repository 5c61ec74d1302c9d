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
