/**
 * A connection's request decoder (RocketMQ's `NettyDecoder`), pulled by its
 * connection: reads are pushed in, and the connection asks, frame by frame,
 * how long the next one is ({@link RequestDecoder.nextFrameBytes}), what its
 * header says before its body arrives ({@link RequestDecoder.peekHeader}),
 * admits it ({@link RequestDecoder.admit}), and takes the decoded command once
 * it is complete ({@link RequestDecoder.take}). The decoder never calls back
 * into the connection: bytes of a frame not admitted yet stay where they
 * arrived, so whoever admits decides when memory is spent.
 *
 * Frames complete within one read are decoded in place (the body is a view of
 * the read); a frame spread over reads is copied once: a large one into memory
 * of its exact size as its bytes arrive, a small one when it is complete.
 * The {@link FrameLimits} are enforced; any failure throws, and the decoder
 * then refuses further input: the connection must be closed.
 * @internal
 * @module
 */
import type { RemotingCommand } from '../command.js';
import { FrameDecodeError, FrameTooLargeError } from '../errors.js';
import { decodeFrameWithShape, FrameDecoder, type FrameAllocator, type FrameLimits } from './frame.js';
import { JsonHeaderShape } from './header-scan.js';

/** The header length shares its int with the serialize type: 24 bits. */
const HEADER_LENGTH_MASK = 0xffffff;
const EMPTY = Buffer.alloc(0);

/** A frame's header, read before its body: the request (without body) and the body's length. */
export interface FrameHead {
  readonly request: RemotingCommand;
  readonly bodyBytes: number;
}

/** See the module doc. */
export class RequestDecoder {
  readonly #limits: FrameLimits;
  readonly #allocate: FrameAllocator;
  /** The layout of this peer's last JSON header: its next one is usually read by comparison. */
  readonly #shape = new JsonHeaderShape();
  /** Unconsumed input is `#buf[#pos, end)` followed by `#parts` (reads not joined yet). */
  #buf: Buffer = EMPTY;
  #pos = 0;
  #parts: Buffer[] = [];
  #partsBytes = 0;
  /** A large admitted frame being assembled (length field included), and how much of it has arrived. */
  #assembly: Buffer | null = null;
  #filled = 0;
  /** The next frame was admitted. */
  #admitted = false;
  /** The next frame's length, once read by {@link nextFrameBytes}. */
  #frameBytes = 0;
  #failed = false;

  /** @param allocate - memory for a large frame spanning reads, assembled in place. */
  constructor(limits: FrameLimits, allocate: FrameAllocator = (bytes) => Buffer.allocUnsafeSlow(bytes)) {
    this.#limits = limits;
    this.#allocate = allocate;
  }

  /** Bytes received and not yet handed out as a command. */
  get bufferedBytes(): number {
    return this.#buf.length - this.#pos + this.#partsBytes + this.#filled;
  }

  /** Whether the next frame was admitted (its bytes may still be on their way). */
  get admitted(): boolean {
    return this.#admitted;
  }

  /**
   * Adds a read. An admitted large frame takes its bytes at once; anything
   * else waits for {@link take}.
   * @throws {@link FrameDecodeError} after a failure.
   */
  push(chunk: Buffer): void {
    if (this.#failed) throw new FrameDecodeError('decoder already failed');
    let input = chunk;
    const assembly = this.#assembly;
    if (assembly !== null) {
      const take = Math.min(input.length, assembly.length - this.#filled);
      input.copy(assembly, this.#filled, 0, take);
      this.#filled += take;
      if (take === input.length) return;
      input = input.subarray(take);
    }
    if (this.#pos === this.#buf.length && this.#partsBytes === 0) {
      this.#buf = input;
      this.#pos = 0;
    } else {
      this.#parts.push(input);
      this.#partsBytes += input.length;
    }
  }

  /**
   * The next frame's length (its length field included), or -1 while fewer
   * than 4 of its bytes have arrived.
   * @throws {@link FrameTooLargeError} or {@link FrameDecodeError} for a length out of bounds.
   */
  nextFrameBytes(): number {
    if (this.#assembly !== null) return this.#assembly.length;
    if (!this.#contiguous(4)) return -1;
    const length = this.#buf.readInt32BE(this.#pos);
    if (length < 4) this.#fail(new FrameDecodeError(`frame length ${length} is too small`));
    const frameBytes = length + 4;
    if (frameBytes > this.#limits.maxFrameBytes) this.#fail(new FrameTooLargeError(frameBytes, this.#limits.maxFrameBytes));
    this.#frameBytes = frameBytes;
    return frameBytes;
  }

  /**
   * The next frame's header (a command without body) and its body's length, once the header has
   * arrived; null before. For deciding about a frame before its body is
   * buffered; call only before it is admitted.
   * @throws {@link FrameDecodeError} when the header is malformed or over `maxHeaderBytes`.
   */
  peekHeader(): FrameHead | null {
    if (!this.#contiguous(8)) return null;
    const frameBytes = this.#buf.readInt32BE(this.#pos) + 4;
    const headerBytes = this.#headerBytesAt(this.#pos + 4, frameBytes);
    if (!this.#contiguous(8 + headerBytes)) return null;
    try {
      const request = decodeFrameWithShape(this.#buf, this.#pos + 4, this.#pos + 8 + headerBytes, undefined);
      return { request, bodyBytes: frameBytes - 8 - headerBytes };
    } catch (err) {
      return this.#fail(err as Error);
    }
  }

  /** Lets the next frame in: {@link take} may now buffer it. */
  admit(): void {
    this.#admitted = true;
  }

  /**
   * The next command, once its frame is admitted and complete; null while
   * its bytes are still on their way (a large one is then assembled as they arrive).
   * Its body is a view into the read or the frame's memory, not a copy.
   * @throws {@link FrameDecodeError} when the frame is malformed or over a limit.
   */
  take(): RemotingCommand | null {
    if (!this.#admitted) return null;
    const assembly = this.#assembly;
    if (assembly !== null) {
      if (this.#filled < assembly.length) return null;
      this.#assembly = null;
      this.#filled = 0;
      this.#admitted = false;
      return this.#decode(assembly, 4, assembly.length);
    }
    const frameBytes = this.#frameBytes;
    // Usually the whole frame is in the read at hand.
    if (this.#buf.length - this.#pos >= frameBytes || this.#contiguous(frameBytes)) {
      const start = this.#pos + 4;
      this.#pos += frameBytes;
      this.#admitted = false;
      return this.#decode(this.#buf, start, this.#pos);
    }
    if (frameBytes >= FrameDecoder.ASSEMBLE_BYTES) this.#assemble(frameBytes);
    return null;
  }

  /** Drops buffered bytes and refuses further input (the connection is going away). */
  dispose(): void {
    this.#failed = true;
    this.#buf = EMPTY;
    this.#pos = 0;
    this.#parts = [];
    this.#partsBytes = 0;
    this.#assembly = null;
    this.#filled = 0;
  }

  /** Whether `bytes` are available in `#buf` from `#pos`, joining pending reads when that makes them so. */
  #contiguous(bytes: number): boolean {
    const inBuf = this.#buf.length - this.#pos;
    if (inBuf >= bytes) return true;
    if (inBuf + this.#partsBytes < bytes) {
      // All consumed: let go of the last read rather than keep it until the next one.
      if (inBuf === 0 && this.#partsBytes === 0 && this.#buf !== EMPTY) {
        this.#buf = EMPTY;
        this.#pos = 0;
      }
      return false;
    }
    this.#buf = Buffer.concat([this.#buf.subarray(this.#pos), ...this.#parts], inBuf + this.#partsBytes);
    this.#pos = 0;
    this.#parts = [];
    this.#partsBytes = 0;
    return true;
  }

  /** Moves what has arrived of an admitted large frame into memory of its size; later reads go straight there. */
  #assemble(frameBytes: number): void {
    const assembly = this.#allocate(frameBytes);
    let filled = this.#buf.copy(assembly, 0, this.#pos);
    for (const part of this.#parts) filled += part.copy(assembly, filled);
    this.#buf = EMPTY;
    this.#pos = 0;
    this.#parts = [];
    this.#partsBytes = 0;
    this.#assembly = assembly;
    this.#filled = filled;
  }

  /** The header length at `at` (the int after the length field), checked against the limits and the frame. */
  #headerBytesAt(at: number, frameBytes: number): number {
    const headerBytes = this.#buf.readUInt32BE(at) & HEADER_LENGTH_MASK;
    const { maxHeaderBytes } = this.#limits;
    if (headerBytes > maxHeaderBytes) {
      this.#fail(new FrameDecodeError(`header of ${headerBytes} bytes is over maxHeaderBytes (${maxHeaderBytes})`));
    }
    if (headerBytes > frameBytes - 8) {
      this.#fail(new FrameDecodeError(`header length ${headerBytes} exceeds the frame (${frameBytes - 8} bytes)`));
    }
    return headerBytes;
  }

  #decode(buf: Buffer, start: number, end: number): RemotingCommand {
    const { maxHeaderBytes, maxExtFields } = this.#limits;
    const headerBytes = end - start >= 4 ? buf.readUInt32BE(start) & HEADER_LENGTH_MASK : 0;
    if (headerBytes > maxHeaderBytes) {
      this.#fail(new FrameDecodeError(`header of ${headerBytes} bytes is over maxHeaderBytes (${maxHeaderBytes})`));
    }
    let command: RemotingCommand;
    try {
      command = decodeFrameWithShape(buf, start, end, this.#shape);
    } catch (err) {
      return this.#fail(err as Error);
    }
    // Each entry takes at least 6 header bytes (`"k":"",`): only a long header can hold too many.
    if (headerBytes > 6 * maxExtFields && countKeys(command.extFields) > maxExtFields) {
      this.#fail(new FrameDecodeError(`request has more than maxExtFields (${maxExtFields}) extFields`));
    }
    return command;
  }

  #fail(error: Error): never {
    this.#failed = true;
    throw error;
  }
}

function countKeys(record: Record<string, string>): number {
  let n = 0;
  for (const key in record) if (Object.hasOwn(record, key)) n++;
  return n;
}
