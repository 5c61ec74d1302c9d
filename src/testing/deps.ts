/**
 * Everything the testing kit takes from the rest of the package, through the
 * package's public entry points only (and the experimental codec): the kit is a user of the name server
 * like any other, and moving files behind those entry points cannot break it.
 * @module
 */
export { RouteRegistry, NamesrvError, InvalidOptionError } from '../index.js';
export type { RouteRegistryOptions, TopicConfig, TopicRouteData, DataVersion } from '../index.js';
export {
  RemotingServer, RequestCode, ResponseCode, SerializeType, LanguageCode, MQVersion, FLAG_ONEWAY, FLAG_RESPONSE,
} from '../remoting/index.js';
export { FrameDecoder, decodeFrameAt, encodeFrame, encodeRegisterBrokerBody, bodyCrc32 } from '../remoting/codec/index.js';
export type { RemotingCommand, RemotingServerOptions, SerializeTypeValue } from '../remoting/index.js';
export { signExtFields } from '../remoting/index.js';
export type { AclCredentials } from '../remoting/index.js';
export { createHttpServer } from '../http/index.js';
export type { NamesrvHttpServer } from '../http/index.js';
