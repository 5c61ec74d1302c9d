/**
 * What a decode worker does with one body, in steps: check the CRC, inflate
 * (a compressed body, its head judged first so a bomb stops early), scan into
 * the compact form, and, for any body the scanners leave, run the general
 * decoder here too and scan its result re-encoded, so the event loop only
 * ever rebuilds a scan. Every refusal is the general decoder's.
 * @internal
 * @module
 */
import { createHash } from 'node:crypto';
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { BodyDecodeError } from '../errors.js';
import { scanPlainRegisterBody, type BodyScan, type BodyScanEmit } from './body-scan.js';
import { scanInflatedRegisterBody } from './body-scan-inflated.js';
import {
  checkBodyCrc32, checkInflatedHead, decodeInflatedBody, decodeRegisterBrokerBodySync, type DecodedRegisterBrokerBody,
} from './general.js';
import { MQVersion } from '../codes.js';
import type { DecodeAnswer, DecodeJob } from './worker-protocol.js';

/** Posts an answer, transferring the listed buffers. */
export type PostAnswer = (answer: DecodeAnswer, transfer: ArrayBuffer[]) => void;

/** Compressed bytes inflated first to judge a body's head (they inflate to 1 MiB at most). */
const HEAD_INPUT_BYTES = 1024;

/** Decodes one job and posts its answers (parts, then a scan, `same` or an error). Never throws. */
export function runDecodeJob(job: DecodeJob, post: PostAnswer): void {
  try {
    checkBodyCrc32(job.bytes, job.bodyCrc32);
    if (job.version < MQVersion.V3_0_11) runGeneral(job, post, decodeWithGeneral(job));
    else if (job.compressed) runInflated(job, post);
    else runPlain(job, post);
  } catch (err) {
    const message = err instanceof BodyDecodeError ? err.message : `RegisterBrokerBody cannot be decoded: ${String(err)}`;
    post({ id: job.id, kind: 'error', message }, []);
  }
}

/** A plain body: scanned, its topics posted in parts as they come; else the general decoder. */
function runPlain(job: DecodeJob, post: PostAnswer): void {
  // A table probably unchanged is scanned whole: parts would be rebuilt for nothing.
  const emit = job.partTopics > 0 && job.expect === null ? partPoster(job.id, post) : null;
  const scan = scanPlainRegisterBody(job.bytes, emit, job.partTopics, job.maxTopics);
  if (scan === null) runGeneral(job, post, decodeWithGeneral(job));
  else answerScan(job, job.bytes, scan, null, post);
}

function partPoster(id: number, post: PostAnswer): BodyScanEmit {
  return (ints, end, topics, names, values) => {
    const part = ints.slice(8, end);
    post({ id, kind: 'part', scan: { ints: part, names: names.slice(), values: values.slice() }, topics }, [part.buffer]);
  };
}

/** A compressed body: inflated within its cap, then scanned; else the general decoder. */
function runInflated(job: DecodeJob, post: PostAnswer): void {
  const bytes = bufferOf(job.bytes);
  checkInflatedHead(inflateHead(bytes), job.maxTopics);
  let raw: Uint8Array;
  try {
    raw = inflateSync(bytes, { maxOutputLength: job.maxInflatedBytes });
  } catch (err) {
    throw new BodyDecodeError(`cannot inflate the compressed RegisterBrokerBody: ${(err as Error).message}`, { cause: err });
  }
  checkInflatedHead(bufferOf(raw), job.maxTopics);
  // Only a buffer of its own may be transferred (small results live in a shared pool).
  if (raw.byteOffset !== 0 || raw.buffer.byteLength !== raw.length) raw = new Uint8Array(raw);
  const scan = scanInflatedRegisterBody(raw, job.version >= MQVersion.V5_0_0);
  // The general decoder reads the bytes inflated already: a bomb is never inflated twice.
  if (scan === null) runGeneral(job, post, decodeInflatedBody(bufferOf(raw), job.version, job.maxTopics));
  else answerScan(job, raw, scan, raw, post);
}

/** The start of a compressed body inflated (as much as its first bytes give): what `checkInflatedHead` judges. */
function inflateHead(bytes: Buffer): Buffer {
  try {
    return inflateSync(bytes.subarray(0, HEAD_INPUT_BYTES), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 });
  } catch {
    // Bad data or a head past 1 MiB: the whole inflation says which, with its own words.
    return Buffer.alloc(0);
  }
}

/** The general decoder of the job's body, on this thread (it throws the refusal). */
function decodeWithGeneral(job: DecodeJob): DecodedRegisterBrokerBody {
  return decodeRegisterBrokerBodySync(bufferOf(job.bytes), {
    compressed: job.declaredCompressed, version: job.version, maxInflatedBytes: job.maxInflatedBytes, maxTopics: job.maxTopics,
  });
}

/**
 * Answers what the general decoder made of a body: re-encoded as plain JSON
 * and scanned (values as `JSON.parse` gives them back), static topic
 * mappings beside it.
 */
function runGeneral(job: DecodeJob, post: PostAnswer, decoded: DecodedRegisterBrokerBody): void {
  const src = new Uint8Array(Buffer.from(canonicalJson(decoded), 'utf8'));
  const scan = scanPlainRegisterBody(src, null, 0, job.maxTopics);
  if (scan === null) throw new BodyDecodeError('RegisterBrokerBody cannot be decoded: its values have no JSON form');
  const mappings = [...decoded.topicConfigSerializeWrapper.topicQueueMappingInfoMap];
  const digest = job.digest && mappings.length === 0 ? tableDigest(src, scan) : null;
  post({ id: job.id, kind: 'scan', scan, src, fresh: true, digest, mappings: mappings.length === 0 ? null : mappings },
    [scan.ints.buffer as ArrayBuffer, src.buffer as ArrayBuffer]);
}

/** The decoded body as the plain layout the scanner reads; the table's entries in their order. */
function canonicalJson(body: DecodedRegisterBrokerBody): string {
  const { dataVersion, topicConfigTable } = body.topicConfigSerializeWrapper;
  return `{"filterServerList":${JSON.stringify(body.filterServerList) ?? 'null'},"topicConfigSerializeWrapper":{`
    + `"dataVersion":${JSON.stringify(dataVersion) ?? 'null'},"topicConfigTable":${JSON.stringify(topicConfigTable) ?? 'null'}}}`;
}

/** Answers a scan, or only its header when the table is the one expected. */
function answerScan(job: DecodeJob, bytes: Uint8Array, scan: BodyScan, src: Uint8Array | null, post: PostAnswer): void {
  const digest = job.digest ? tableDigest(bytes, scan) : null;
  const transfer = src === null ? [] : [src.buffer as ArrayBuffer];
  if (digest !== null && digest === job.expect) {
    const head = scan.ints.slice(0, 8);
    post({ id: job.id, kind: 'same', scan: { ints: head, names: [], values: [] }, src }, [head.buffer, ...transfer]);
  } else {
    post({ id: job.id, kind: 'scan', scan, src, fresh: false, digest, mappings: null }, [scan.ints.buffer as ArrayBuffer, ...transfer]);
  }
}

/**
 * SHA-256 of every byte the scan read but the values of the data version and
 * the filter servers (decoded fresh each time), each segment hashed with its
 * length: two bodies of one digest differ at most inside those values, so
 * their topic tables are the same values. A broker re-sends an unchanged
 * table with a new data version every 30 s.
 */
function tableDigest(bytes: Uint8Array, scan: BodyScan): string {
  const { ints } = scan;
  const skipped: Array<[number, number]> = [];
  if (ints[2] === 1) skipped.push([ints[3] as number, ints[4] as number]);
  if (ints[5] !== 0) skipped.push([ints[6] as number, ints[7] as number]);
  skipped.sort((x, y) => x[0] - y[0]);
  skipped.push([bytes.length, bytes.length]);
  const hash = createHash('sha256');
  let from = 0;
  for (const [start, end] of skipped) {
    hash.update(`${start - from}:`);
    hash.update(bytes.subarray(from, start));
    from = end;
  }
  return hash.digest('hex');
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
