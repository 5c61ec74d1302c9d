/**
 * `rocketmq-namesrv/remoting`: RocketMQ's remoting protocol (TCP) in front
 * of a {@link RouteRegistry}, a small client, and the frame codec.
 * @packageDocumentation
 */
export { RemotingServer } from './server.js';
export type { RemotingServerEvents, ProtocolErrorEvent, RequestErrorEvent } from './server.js';
export { REMOTING_SERVER_DEFAULTS } from './options.js';
export type { RemotingServerOptions, ResolvedRemotingServerOptions, DecodeRegisterBody } from './options.js';
export { DecodePool, DecodeQueueFullError } from './decode-pool.js';
export type { DecodePoolOptions, DecodePoolStats, PoolDecodeOptions, MappedRegisterBrokerBody } from './decode-pool.js';
export { RemotingClient } from './client.js';
export type { RemotingClientOptions, InvokeOptions, RemotingResponse } from './client.js';
export type { RemotingCommand, RemotingHeader } from './command.js';
export {
  RequestCode, ResponseCode, LanguageCode, SerializeType, MQVersion, FLAG_RESPONSE, FLAG_ONEWAY, languageCode, languageName,
} from './codes.js';
export type { SerializeTypeValue } from './codes.js';
export {
  DEFAULT_MAX_FRAME_BYTES, FrameDecoder, decodeFrame, decodeFrameAt, encodeFrame, encodeFramePrefix, encodeHeader, writeFramePrefix,
} from './frame.js';
export { decodeJsonHeader, decodeJsonHeaderAt, encodeJsonHeader, jsonHeaderString } from './header-json.js';
export { decodeBinaryHeader, encodeBinaryHeader } from './header-binary.js';
export {
  encodeTopicRouteData, encodeClusterInfo, encodeBrokerMemberGroupBody, encodeBrokerData, parseFastjson,
} from './fastjson.js';
export { encodeRegisterBrokerBody, decodeRegisterBrokerBody } from './register-body.js';
export type {
  RegisterBrokerBody, DecodedRegisterBrokerBody, TopicConfigSerializeWrapper, DecodeRegisterBrokerBodyOptions,
} from './register-body.js';
export { bodyCrc32, crc32 } from './crc32.js';
export {
  FrameDecodeError, FrameTooLargeError, BodyDecodeError, RemotingTimeoutError, RemotingConnectionError,
} from './errors.js';
