/**
 * `rocketmq-namesrv/remoting`: RocketMQ's remoting protocol (TCP) in front
 * of a {@link RouteRegistry}, and a small client: the server, the client,
 * codes, errors and the types of their options. The wire codec and the
 * register-body decode pool, for tools, are at
 * `rocketmq-namesrv/experimental/codec`; metrics at `rocketmq-namesrv/metrics`.
 * @packageDocumentation
 */
export { RemotingServer } from './server.js';
export type { RemotingServerEvents, ProtocolErrorEvent, RequestErrorEvent, NotifyErrorEvent } from './events.js';
export { REMOTING_SERVER_DEFAULTS } from './options.js';
export type { RemotingServerOptions, ResolvedRemotingServerOptions } from './options.js';
export type { RegisterBodyDecoder } from './request-context.js';
export type { MemoryBudgetStats } from './memory-budget.js';
export type { TlsMode, TlsServerOptions } from './tls/index.js';
// The value of the server's `accessControl` option (`AccessControl.load(file, { watch })`).
export { AccessControl } from './access/index.js';
export type { AccessControlEvents, AccessControlOptions, AclCredentials } from './access/index.js';
export { RemotingClient } from './client.js';
export type { RemotingClientOptions, InvokeOptions, RemotingResponse } from './client.js';
export type { RemotingCommand, RemotingHeader } from './command.js';
export {
  RequestCode, ResponseCode, LanguageCode, SerializeType, MQVersion, FLAG_RESPONSE, FLAG_ONEWAY, languageCode, languageName,
} from './codes.js';
export type { SerializeTypeValue } from './codes.js';
export {
  FrameDecodeError, FrameTooLargeError, BodyDecodeError, RemotingTimeoutError, RemotingConnectionError, TlsConfigError, TlsConnectionError,
  ProxyProtocolError, BodyTooLargeError, SlowFrameError,
} from './errors.js';
export { AccessPolicyError } from './access/index.js';
