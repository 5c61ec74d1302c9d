/**
 * `rocketmq-namesrv/experimental/codec`: RocketMQ's remoting wire format for
 * tools (proxies, capture readers, broker simulators): frames, both header
 * serializations, the REGISTER_BROKER body, its checksum, and the pool that
 * decodes register bodies on worker threads.
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
  RegisterBrokerBody, DecodedRegisterBrokerBody, TopicConfigSerializeWrapper, DecodeRegisterBrokerBodyOptions,
} from './register-body.js';
export { parseFastjson } from './fastjson.js';
export { bodyCrc32, crc32 } from './crc32.js';
// Decoding REGISTER_BROKER bodies on worker threads (what RemotingServer's `decodeRegisterBody` may use).
export { DecodePool } from '../decode/decode-pool.js';
export type { DecodePoolOptions, DecodePoolStats, PoolDecodeOptions, MappedRegisterBrokerBody } from '../decode/decode-pool.js';
// RemotingCommand, SerializeType and the frame errors are `rocketmq-namesrv/remoting`'s (each name has one entry).
