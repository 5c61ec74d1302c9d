/**
 * Everything the testing kit takes from the rest of the package. Servers,
 * clients, codes and errors come through the package's stable entry points:
 * the kit is a user of the name server like any other. The wire format a fake
 * broker speaks (frames, the REGISTER_BROKER body, its checksum, signatures)
 * comes from the modules that implement it, shipped in the same package and
 * release, not through `/experimental/codec`, whose names may change.
 * @module
 */
export { RouteRegistry, NamesrvError, InvalidOptionError } from '../index.js';
export type { RouteRegistryOptions, TopicConfig, TopicRouteData, DataVersion, ClusterInfo, TopicList } from '../index.js';
export {
  RemotingClient, RemotingServer, RemotingConnectionError,
  RequestCode, ResponseCode, SerializeType, LanguageCode, MQVersion, FLAG_ONEWAY, FLAG_RESPONSE,
} from '../remoting/index.js';
export type { RemotingCommand, RemotingServerOptions, SerializeTypeValue } from '../remoting/index.js';
export { createHttpServer } from '../http/index.js';
export type { NamesrvHttpServer } from '../http/index.js';
export { FrameDecoder, decodeFrameAt, encodeFrame } from '../remoting/codec/frame.js';
export { encodeRegisterBrokerBody } from '../remoting/codec/register-body.js';
export { bodyCrc32 } from '../remoting/codec/crc32.js';
export { signExtFields } from '../remoting/access/signature.js';
export type { AclCredentials } from '../remoting/access/signature.js';
