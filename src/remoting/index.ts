/**
 * `rocketmq-namesrv/remoting`: RocketMQ's remoting protocol (TCP) in front
 * of a {@link RouteRegistry}, and a small client. The wire codec, for tools,
 * is at `rocketmq-namesrv/experimental/codec`.
 * @packageDocumentation
 */
export { RemotingServer } from './server.js';
export type { RemotingServerEvents, ProtocolErrorEvent, RequestErrorEvent } from './events.js';
export type { NotifyErrorEvent } from './events.js';
export { REMOTING_SERVER_DEFAULTS } from './options.js';
export type { RemotingServerOptions, ResolvedRemotingServerOptions } from './options.js';
export type { RegisterBodyDecoder as DecodeRegisterBody } from './request-context.js';
export { DecodePool, DecodeQueueFullError } from './decode/decode-pool.js';
export type { DecodePoolOptions, DecodePoolStats, PoolDecodeOptions, MappedRegisterBrokerBody } from './decode/decode-pool.js';
export { RemotingClient } from './client.js';
export type { RemotingClientOptions, InvokeOptions, RemotingResponse } from './client.js';
export type { RemotingCommand, RemotingHeader } from './command.js';
export {
  RequestCode, ResponseCode, LanguageCode, SerializeType, MQVersion, FLAG_RESPONSE, FLAG_ONEWAY, languageCode, languageName,
} from './codes.js';
export type { SerializeTypeValue } from './codes.js';
export {
  FrameDecodeError, FrameTooLargeError, BodyDecodeError, RemotingTimeoutError, RemotingConnectionError,
} from './errors.js';
export { TlsConfigError, TlsConnectionError } from './errors.js';
export { BodyTooLargeError, SlowFrameError } from './errors.js';
export {
  resolveTlsOptions, tlsOptionsFromProperties, TLS_DEFAULTS, TLS_PROPERTY_KEYS, ROCKETMQ_TLS_CONFIG_FILE,
  generateSelfSignedCertificate, certificateMatchesKey,
} from './tls/index.js';
export type { TlsMode, TlsServerOptions, ResolvedTlsOptions, SelfSignedCertificate, SelfSignedOptions } from './tls/index.js';
export {
  AccessControl, AccessPolicyError, loadAccessPolicy, parseAccessPolicy, decide, requestClassOf, isRequestClass, REQUEST_CLASSES,
  signExtFields, computeSignature, verifySignature, ACL_ACCESS_KEY, ACL_SIGNATURE, ACL_SECURITY_TOKEN,
} from './access/index.js';
export type {
  AccessControlEvents, AccessControlOptions, AccessPolicy, AccessAccount, AccessDecision, AccessRequest, AllowedVia, RefusalReason,
  RequestClass, AclCredentials, AddressRange,
} from './access/index.js';
export { DEFAULT_MEMORY_BUDGET_BYTES } from './memory-budget.js';
export type { MemoryBudgetStats } from './memory-budget.js';
export { InflateLimitError, InflateDataError } from './limit-errors.js';
