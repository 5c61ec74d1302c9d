/**
 * Encoding the name server's responses: the request's serialize type and
 * opaque, the response flag, language JAVA and RocketMQ 5.3.3's version, as
 * a RocketMQ name server answers.
 *
 * Responses to one read are gathered in a {@link ResponseBatch} and written
 * as one buffer: one allocation and one copy of each (cached) body per
 * batch, instead of a buffer per response plus a join. A read with a single
 * request (a client with one request in flight) skips the batch:
 * {@link encodeResponseInto} writes its answer into a reusable buffer.
 * @internal
 */
import { FLAG_RESPONSE, LanguageCode, MQVersion, ResponseCode, SerializeType } from './codes.js';
import type { RemotingCommand } from './command.js';
import { encodeFrame } from './codec/frame.js';
import type { Reply } from './reply.js';

/** RocketMQ's name server sets `rocketmq.remoting.version` to `MQVersion.CURRENT_VERSION`. */
export const SERVER_VERSION = MQVersion.V5_3_3;
const NO_EXT_FIELDS: Record<string, string> = Object.freeze({}) as Record<string, string>;

// A reply without remark and custom header (every route answer) has the JSON
// header `{"code":C,"flag":1,"language":"JAVA","opaque":O,"serializeTypeCurrentRPC":"JSON","version":479}`:
// fixed bytes around the opaque's digits. Writing those bytes directly costs
// a third of building and encoding the string.
const SUFFIX = Buffer.from(`,"serializeTypeCurrentRPC":"JSON","version":${SERVER_VERSION}}`, 'latin1');
/** The header bytes before the opaque, per response code. */
const prefixes = new Map<number, Buffer>();

function prefixOf(code: number): Buffer {
  let prefix = prefixes.get(code);
  if (prefix === undefined) {
    prefix = Buffer.from(`{"code":${code},"flag":1,"language":"JAVA","opaque":`, 'latin1');
    // Handlers answer a handful of codes; the bound only guards against misuse.
    if (prefixes.size < 256) prefixes.set(code, prefix);
  }
  return prefix;
}

function isPlain(request: RemotingCommand, reply: Reply): boolean {
  return request.serializeType === SerializeType.JSON && reply.remark === null && reply.extFields === null;
}

function digitCount(n: number): number {
  let d = 1;
  if (n < 0) {
    d = 2;
    n = -n;
  }
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

function plainBytes(code: number, opaque: number, body: Buffer | null): number {
  return 8 + prefixOf(code).length + digitCount(opaque) + SUFFIX.length + (body === null ? 0 : body.length);
}

/** Writes a plain reply frame at `o`; returns the offset after it. */
function writePlain(out: Buffer, o: number, code: number, opaque: number, body: Buffer | null): number {
  const prefix = prefixOf(code);
  const digits = digitCount(opaque);
  const headerBytes = prefix.length + digits + SUFFIX.length;
  const bodyBytes = body === null ? 0 : body.length;
  out.writeInt32BE(4 + headerBytes + bodyBytes, o);
  out.writeInt32BE(headerBytes, o + 4);
  let p = o + 8;
  out.set(prefix, p);
  p += prefix.length;
  let n = opaque;
  if (n < 0) {
    out[p] = 0x2d;
    n = -n;
  }
  for (let q = p + digits - 1; ; q--) {
    out[q] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
    if (n === 0) break;
  }
  p += digits;
  out.set(SUFFIX, p);
  p += SUFFIX.length;
  if (body !== null) out.set(body, p);
  return p + bodyBytes;
}

function generalFrame(request: RemotingCommand, reply: Reply): Buffer {
  return encodeFrame({
    code: reply.code,
    language: LanguageCode.JAVA,
    version: SERVER_VERSION,
    opaque: request.opaque,
    flag: FLAG_RESPONSE,
    remark: reply.remark,
    extFields: reply.extFields ?? NO_EXT_FIELDS,
  }, reply.body, request.serializeType);
}

// Route answers go further: their whole frame is cached per route with the
// opaque as 11 characters, right-aligned digits after spaces (whitespace
// before a JSON number is valid JSON, and 11 fits any int32). Answering is
// then one copy of the cached frame plus writing the opaque.
const OPAQUE_WIDTH = 11;
/** Where the opaque starts in a template frame. */
const TEMPLATE_OPAQUE_AT = 8 + prefixOf(0).length;

/** A whole SUCCESS response frame (JSON header) with room for the opaque; see {@link writeTemplate}. */
function buildTemplate(body: Buffer): Buffer {
  const prefix = prefixOf(0);
  const headerBytes = prefix.length + OPAQUE_WIDTH + SUFFIX.length;
  const out = Buffer.allocUnsafe(8 + headerBytes + body.length);
  out.writeInt32BE(4 + headerBytes + body.length, 0);
  out.writeInt32BE(headerBytes, 4);
  out.set(prefix, 8);
  out.fill(0x20, TEMPLATE_OPAQUE_AT, TEMPLATE_OPAQUE_AT + OPAQUE_WIDTH);
  out.set(SUFFIX, TEMPLATE_OPAQUE_AT + OPAQUE_WIDTH);
  out.set(body, TEMPLATE_OPAQUE_AT + OPAQUE_WIDTH + SUFFIX.length);
  return out;
}

/** A SUCCESS reply that answers many requests, its frame encoded once (for JSON requests). */
class EncodedReply implements Reply {
  readonly code = ResponseCode.SUCCESS;
  readonly remark = null;
  readonly extFields = null;
  readonly body: Buffer;
  /** The whole response frame, opaque left blank. */
  readonly template: Buffer;

  constructor(body: Buffer) {
    this.body = body;
    this.template = buildTemplate(body);
    Object.freeze(this);
  }
}

/**
 * A SUCCESS reply with `body` for answering many requests (a cached route):
 * the encoder keeps its whole frame, so answering a JSON request is one copy
 * plus writing the opaque. Frozen.
 */
export function reusableReply(body: Buffer): Reply {
  return new EncodedReply(body);
}

/** Copies a template frame to `out` at `o` with its opaque filled in; returns the offset after it. */
function writeTemplate(out: Buffer, o: number, template: Buffer, opaque: number): number {
  out.set(template, o);
  const at = o + TEMPLATE_OPAQUE_AT;
  let q = at + OPAQUE_WIDTH - 1;
  let n = opaque < 0 ? -opaque : opaque;
  do {
    out[q--] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  if (opaque < 0) out[q--] = 0x2d;
  while (q >= at) out[q--] = 0x20;
  return o + template.length;
}

/**
 * The whole response frame, written into `into` when it is large enough (the
 * result is then a view of it; null: fresh memory): a connection answering
 * one request per read reuses one buffer instead of taking fresh memory for every answer.
 */
export function encodeResponseInto(request: RemotingCommand, reply: Reply, into: Buffer | null): Buffer {
  if (reply instanceof EncodedReply && request.serializeType === SerializeType.JSON) {
    const out = outputOf(into, reply.template.length);
    writeTemplate(out, 0, reply.template, request.opaque);
    return out;
  }
  if (!isPlain(request, reply)) return generalFrame(request, reply);
  const out = outputOf(into, plainBytes(reply.code, request.opaque, reply.body));
  writePlain(out, 0, reply.code, request.opaque, reply.body);
  return out;
}

function outputOf(into: Buffer | null, bytes: number): Buffer {
  return into !== null && into.length >= bytes ? into.subarray(0, bytes) : Buffer.allocUnsafe(bytes);
}

/** Responses gathered while one read is processed, joined into one buffer. */
export class ResponseBatch {
  /**
   * An encoded frame (`#codes` -1), a template frame (`#codes` -2), or null
   * for a plain reply described by the same index of the other lists.
   */
  readonly #frames: Array<Buffer | null> = [];
  readonly #codes: number[] = [];
  readonly #opaques: number[] = [];
  readonly #bodies: Array<Buffer | null> = [];
  #bytes = 0;

  /** How many responses are gathered. */
  get length(): number {
    return this.#frames.length;
  }

  /** Their size once encoded. */
  get byteLength(): number {
    return this.#bytes;
  }

  add(request: RemotingCommand, reply: Reply): void {
    if (reply instanceof EncodedReply && request.serializeType === SerializeType.JSON) {
      this.#frames.push(reply.template);
      this.#codes.push(-2);
      this.#opaques.push(request.opaque);
      this.#bodies.push(null);
      this.#bytes += reply.template.length;
    } else if (isPlain(request, reply)) {
      this.#frames.push(null);
      this.#codes.push(reply.code);
      this.#opaques.push(request.opaque);
      this.#bodies.push(reply.body);
      this.#bytes += plainBytes(reply.code, request.opaque, reply.body);
    } else {
      const frame = generalFrame(request, reply);
      this.#frames.push(frame);
      this.#codes.push(-1);
      this.#opaques.push(0);
      this.#bodies.push(null);
      this.#bytes += frame.length;
    }
  }

  /**
   * The gathered responses as one buffer, written into `into` when it is
   * large enough (the result is then a view of it); the batch is then empty.
   */
  take(into: Buffer | null = null): Buffer {
    const frames = this.#frames;
    const out = outputOf(into, this.#bytes);
    let o = 0;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i] as Buffer | null;
      if (frame === null) {
        o = writePlain(out, o, this.#codes[i] as number, this.#opaques[i] as number, this.#bodies[i] as Buffer | null);
      } else if (this.#codes[i] === -2) {
        o = writeTemplate(out, o, frame, this.#opaques[i] as number);
      } else {
        out.set(frame, o);
        o += frame.length;
      }
    }
    // Keep the arrays (and their capacity) for the next batch; drop the references they hold.
    frames.length = 0;
    this.#codes.length = 0;
    this.#opaques.length = 0;
    this.#bodies.length = 0;
    this.#bytes = 0;
    return out;
  }
}
