/**
 * Frames: `int32 length | int32 (serializeType << 24 | headerLength) | header | body`,
 * where `length` counts everything after itself. Encoding, decoding, a
 * streaming splitter for socket reads, and a connection's request decoder
 * that enforces the frame, header and extFields limits (RocketMQ's `NettyDecoder`).
 * @module
 */
import { SerializeType, type SerializeTypeValue } from '../codes.js';
import type { RemotingCommand, RemotingHeader } from '../command.js';
import { FrameDecodeError, FrameTooLargeError } from '../errors.js';
import { decodeBinaryCommand, encodeBinaryHeader } from './header-binary.js';
import { decodeJsonCommandAt, encodeJsonHeader } from './header-json.js';
import { JsonHeaderShape } from './header-scan.js';

/** RocketMQ's default `com.rocketmq.remoting.frameMaxLength`: 16 MiB, length field included. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** The header length shares its int with the serialize type: 24 bits. */
const MAX_HEADER_BYTES = 0xffffff;

/** Encodes a header in the given serialization. */
export function encodeHeader(header: RemotingHeader, serializeType: SerializeTypeValue = SerializeType.JSON): Buffer {
  return serializeType === SerializeType.ROCKETMQ ? encodeBinaryHeader(header) : encodeJsonHeader(header);
}

/** Writes the 8-byte frame prefix into `target` at `offset`. */
export function writeFramePrefix(
  target: Buffer, offset: number, headerBytes: number, bodyBytes: number, serializeType: SerializeTypeValue,
): void {
  if (headerBytes > MAX_HEADER_BYTES) throw new RangeError(`header of ${headerBytes} bytes exceeds 16 MiB`);
  const length = 4 + headerBytes + bodyBytes;
  if (length > 0x7fffffff) throw new RangeError(`frame of ${length} bytes exceeds 2 GiB`);
  target.writeInt32BE(length, offset);
  target.writeInt32BE((serializeType << 24) | headerBytes, offset + 4);
}

/** Encodes a whole frame into one buffer. */
export function encodeFrame(
  header: RemotingHeader, body: Uint8Array | null = null, serializeType: SerializeTypeValue = SerializeType.JSON,
): Buffer {
  const h = encodeHeader(header, serializeType);
  const bodyBytes = body?.length ?? 0;
  const out = Buffer.allocUnsafe(8 + h.length + bodyBytes);
  writeFramePrefix(out, 0, h.length, bodyBytes, serializeType);
  h.copy(out, 8);
  if (body !== null && bodyBytes > 0) out.set(body, 8 + h.length);
  return out;
}

/**
 * Decodes one frame given without its length field (what
 * {@link FrameDecoder} hands out). The body is a view into `frame`, not a copy.
 * @throws {@link FrameDecodeError} when the frame is malformed.
 */
export function decodeFrame(frame: Buffer): RemotingCommand {
  return decodeFrameAt(frame, 0, frame.length);
}

/** {@link decodeFrame} of `buf[start, end)`, without slicing it first. */
export function decodeFrameAt(buf: Buffer, start: number, end: number): RemotingCommand {
  return decodeFrameWithShape(buf, start, end, undefined);
}

/**
 * {@link decodeFrameAt} with a connection's memory of its last JSON header,
 * which speeds up reading the next one.
 * @internal
 */
export function decodeFrameWithShape(buf: Buffer, start: number, end: number, shape: JsonHeaderShape | undefined): RemotingCommand {
  const size = end - start;
  if (size < 4) throw new FrameDecodeError(`frame of ${size} bytes has no header length`);
  const mark = buf.readUInt32BE(start);
  const type = mark >>> 24;
  const headerLength = mark & MAX_HEADER_BYTES;
  if (headerLength > size - 4) {
    throw new FrameDecodeError(`header length ${headerLength} exceeds the frame (${size - 4} bytes)`);
  }
  const headerEnd = start + 4 + headerLength;
  let cmd: RemotingCommand;
  if (type === SerializeType.JSON) cmd = decodeJsonCommandAt(buf, start + 4, headerEnd, shape);
  else if (type === SerializeType.ROCKETMQ) cmd = decodeBinaryCommand(buf.subarray(start + 4, headerEnd));
  else throw new FrameDecodeError(`unknown serialize type ${type}`);
  if (end > headerEnd) cmd.body = buf.subarray(headerEnd, end);
  return cmd;
}

/** Memory for one frame of `frameBytes` (length field included), whose every byte the decoder then writes. */
export type FrameAllocator = (frameBytes: number) => Buffer;

/**
 * Splits a byte stream into frames, whatever way reads cut or coalesce
 * them: what clients and tools read answers with (the server reads requests
 * through `RequestDecoder`, which admits each frame first). Complete frames inside one read are handed out as views without
 * copying; a frame spread over reads is copied once: a large one into a
 * buffer of its exact size as its bytes arrive, a small one when it is complete.
 */
export class FrameDecoder {
  /** Frames at least this large that span reads are assembled in place, not gathered and joined. */
  static readonly ASSEMBLE_BYTES = 64 * 1024;
  readonly #maxFrameBytes: number;
  readonly #onFrame: (buf: Buffer, start: number, end: number) => void;
  /** Bytes of an incomplete frame, in arrival order. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** How many bytes #pending must hold before it is worth joining. */
  #needed = 0;
  #failed = false;
  /** A large frame being assembled (length field included), and how much of it has arrived. */
  #assembly: Buffer | null = null;
  #filled = 0;

  /**
   * @param maxFrameBytes - largest accepted frame, its length field included (Netty's `maxFrameLength`).
   * @param onFrame - receives each frame, without its length field, as `buf[start, end)` (no slice is
   *   made per frame). The decoder never reuses or writes `buf`, so views of it may be kept.
   */
  constructor(maxFrameBytes: number, onFrame: (buf: Buffer, start: number, end: number) => void) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#onFrame = onFrame;
  }

  /** Bytes received but not yet handed out. */
  get bufferedBytes(): number {
    return this.#pendingBytes + this.#filled;
  }

  /**
   * Feeds a read. Throws on the first malformed or oversized length; the
   * decoder then refuses further input, since the stream has lost its framing.
   * @throws {@link FrameTooLargeError} or {@link FrameDecodeError}.
   */
  push(chunk: Buffer): void {
    if (this.#failed) throw new FrameDecodeError('decoder already failed');
    let input = chunk;
    const assembly = this.#assembly;
    if (assembly !== null) {
      const take = Math.min(input.length, assembly.length - this.#filled);
      input.copy(assembly, this.#filled, 0, take);
      this.#filled += take;
      if (this.#filled < assembly.length) return;
      this.#assembly = null;
      this.#filled = 0;
      this.#emit(assembly, 4, assembly.length);
      if (this.#failed || take === input.length) return;
      input = input.subarray(take);
    }
    if (this.#pendingBytes > 0) {
      this.#pending.push(input);
      this.#pendingBytes += input.length;
      if (this.#pendingBytes < this.#needed) return;
      input = this.#takePending();
    }
    this.#process(input);
  }

  /** Drops buffered bytes and refuses further input (the connection is going away). */
  dispose(): void {
    this.#failed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#assembly = null;
    this.#filled = 0;
  }

  #takePending(): Buffer {
    const buf = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    return buf;
  }

  #process(buf: Buffer): void {
    let offset = 0;
    const end = buf.length;
    while (end - offset >= 4) {
      const length = buf.readInt32BE(offset);
      const frameBytes = length + 4;
      if (length < 4) {
        this.#failed = true;
        throw new FrameDecodeError(`frame length ${length} is too small`);
      }
      if (frameBytes > this.#maxFrameBytes) {
        this.#failed = true;
        throw new FrameTooLargeError(frameBytes, this.#maxFrameBytes);
      }
      if (end - offset < frameBytes) {
        if (frameBytes >= FrameDecoder.ASSEMBLE_BYTES) {
          // Held once, in a buffer of its size, rather than gathered in pieces and joined.
          const assembly = Buffer.allocUnsafeSlow(frameBytes);
          this.#filled = buf.copy(assembly, 0, offset, end);
          this.#assembly = assembly;
          return;
        }
        this.#needed = frameBytes;
        break;
      }
      const start = offset + 4;
      offset += frameBytes;
      this.#emit(buf, start, offset);
      if (this.#failed) return;
    }
    if (offset < end) {
      if (end - offset < 4) this.#needed = 4;
      this.#pending.push(offset === 0 ? buf : buf.subarray(offset));
      this.#pendingBytes = end - offset;
    }
  }

  #emit(buf: Buffer, start: number, end: number): void {
    try {
      this.#onFrame(buf, start, end);
    } catch (err) {
      this.#failed = true;
      throw err;
    }
  }
}

/** Limits a connection's `RequestDecoder` enforces; a frame beyond one fails the stream. */
export interface FrameLimits {
  /** Largest frame, its length field included. */
  readonly maxFrameBytes: number;
  /** Largest header. */
  readonly maxHeaderBytes: number;
  /** Most `extFields` entries in one header. */
  readonly maxExtFields: number;
}
