/**
 * `rocketmq-namesrv/experimental/codec`: RocketMQ's remoting wire format for
 * tools (proxies, capture readers, broker simulators): frames, both header
 * serializations, the REGISTER_BROKER body and the body checksum.
 *
 * @experimental Not covered by semver: names and signatures may change in
 * any release. Servers and clients should use `rocketmq-namesrv/remoting`.
 * @packageDocumentation
 */
export { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, decodeFrame, decodeFrameAt, encodeFrame, encodeHeader } from './frame.js';
export { decodeJsonHeader, encodeJsonHeader } from './header-json.js';
export { decodeBinaryHeader, encodeBinaryHeader } from './header-binary.js';
export { encodeRegisterBrokerBody, decodeRegisterBrokerBody, isZlibStream } from './register-body.js';
export type {
  RegisterBrokerBody, DecodedRegisterBrokerBody, TopicConfigSerializeWrapper, TopicQueueMappingInfo, DecodeRegisterBrokerBodyOptions,
} from './register-body.js';
export { parseFastjson } from './fastjson.js';
export { bodyCrc32, crc32 } from './crc32.js';
export type { RemotingCommand, RemotingHeader } from '../command.js';
export { SerializeType } from '../codes.js';
export type { SerializeTypeValue } from '../codes.js';
export { FrameDecodeError, FrameTooLargeError, BodyDecodeError } from '../errors.js';
