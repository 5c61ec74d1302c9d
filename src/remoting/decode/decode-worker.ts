/**
 * The decode pool's worker program, built as source text from the scanner
 * functions themselves (`Function.prototype.toString`) and started with
 * `eval: true`. No separate entry file: the same text works when this
 * package runs from its ESM build, its CJS build, or from source under a
 * test runner, wherever the bundler put this module.
 * @internal
 * @module
 */
import { BODY_SCAN_FUNCTIONS, scanPlainRegisterBody } from './body-scan.js';
import { INFLATED_SCAN_FUNCTIONS, scanInflatedRegisterBody } from './body-scan-inflated.js';
import type { BodyScan, BodyScanEmit } from './body-scan.js';

/** A decode job, main thread → worker. */
export interface DecodeJob {
  readonly id: number;
  /** A copy of the body in memory shared with the pool, which reuses it once this job is answered. */
  readonly bytes: Uint8Array;
  readonly compressed: boolean;
  /** The body has a topic queue mapping section (compressed, RocketMQ 5.0+). */
  readonly withMappings: boolean;
  readonly maxInflatedBytes: number;
  /** RocketMQ's `bodyCrc32` header (masked CRC-32 of the body); 0 means not checked. */
  readonly bodyCrc32: number;
  /** Post the topic records of a plain body every this many topics while scanning (0: all at the end). */
  readonly partTopics: number;
  /** Answer the digest of the body's table (the key's table is cached). */
  readonly digest: boolean;
  /** The digest of the table last decoded for the same key: when equal, the answer is `same`, without topic records. */
  readonly expect: string | null;
}

/** A decode answer, worker → main thread. */
export type DecodeAnswer =
  /** `digest`: of the bytes the topic table is decoded from (see `tableDigest`), when asked. */
  | { readonly id: number; readonly kind: 'scan'; readonly scan: BodyScan; readonly src: Uint8Array | null; readonly digest: string | null }
  /** The table's bytes are those of `DecodeJob.expect`: `scan` holds the header only (data version, filter servers). */
  | { readonly id: number; readonly kind: 'same'; readonly scan: BodyScan; readonly src: Uint8Array | null }
  /** Topic records scanned so far (`topics` of them from `scan.ints[0]`, no header); more answers follow. */
  | { readonly id: number; readonly kind: 'part'; readonly scan: BodyScan; readonly topics: number }
  | { readonly id: number; readonly kind: 'fallback' }
  /** This Node has no `zlib.crc32` (before 20.15): the main thread checks the body's CRC. */
  | { readonly id: number; readonly kind: 'no-crc' }
  | { readonly id: number; readonly kind: 'error'; readonly message: string };

type Scanner = (bytes: Uint8Array, withMappings: boolean) => BodyScan | null;
type PlainScanner = (bytes: Uint8Array, emit: BodyScanEmit | null, every: number) => BodyScan | null;

/**
 * The worker's main function. It sees nothing of this module: the scanners
 * and `require` come in as arguments.
 */
function decodeWorkerMain(load: NodeJS.Require, scanPlain: PlainScanner, scanInflated: Scanner): void {
  const { parentPort } = load('node:worker_threads') as typeof import('node:worker_threads');
  const zlib = load('node:zlib') as typeof import('node:zlib');
  const crypto = load('node:crypto') as typeof import('node:crypto');
  if (parentPort === null) return;
  const port = parentPort;
  /*
   * SHA-256 of every byte the scan read but the values of the data version and the filter servers (decoded
   * fresh each time), each segment hashed with its length: two bodies of one digest differ at most inside
   * those values, so their topic tables are the same values. A broker re-sends an unchanged table with a new
   * data version every 30 s.
   */
  const tableDigest = (bytes: Uint8Array, scan: BodyScan): string => {
    const { ints } = scan;
    const skipped: Array<[number, number]> = [];
    if (ints[2] === 1) skipped.push([ints[3] as number, ints[4] as number]);
    if (ints[5] !== 0) skipped.push([ints[6] as number, ints[7] as number]);
    skipped.sort((x, y) => x[0] - y[0]);
    const hash = crypto.createHash('sha256');
    let from = 0;
    skipped.push([bytes.length, bytes.length]);
    for (const [start, end] of skipped) {
      hash.update(`${start - from}:`);
      hash.update(bytes.subarray(from, start));
      from = end;
    }
    return hash.digest('hex');
  };
  /** Answers a scan, or only its header when the table is the one expected. */
  const answerScan = (job: DecodeJob, bytes: Uint8Array, scan: BodyScan, src: Uint8Array | null): void => {
    const digest = job.digest ? tableDigest(bytes, scan) : null;
    const transfer = src === null ? [] : [src.buffer as ArrayBuffer];
    if (digest !== null && digest === job.expect) {
      const head = scan.ints.slice(0, 8);
      port.postMessage({ id: job.id, kind: 'same', scan: { ints: head, names: [], values: [] }, src }, [head.buffer, ...transfer]);
    } else {
      port.postMessage({ id: job.id, kind: 'scan', scan, src, digest }, [scan.ints.buffer as ArrayBuffer, ...transfer]);
    }
  };
  port.on('message', (job: DecodeJob) => {
    try {
      if (job.bodyCrc32 !== 0 && typeof zlib.crc32 !== 'function') {
        port.postMessage({ id: job.id, kind: 'no-crc' });
        return;
      }
      const crcFails = (): boolean => job.bodyCrc32 !== 0 && (zlib.crc32(job.bytes) & 0x7fffffff) !== job.bodyCrc32;
      if (!job.compressed) {
        const id = job.id;
        // Parts go out as they are scanned: the main thread rebuilds one while this thread scans the next.
        const emit: BodyScanEmit = (ints, end, topics, names, values) => {
          const part = ints.slice(8, end);
          port.postMessage({ id, kind: 'part', scan: { ints: part, names: names.slice(), values: values.slice() }, topics }, [part.buffer]);
        };
        // A table probably unchanged is scanned whole: parts would be rebuilt for nothing.
        const scan = scanPlain(job.bytes, job.partTopics > 0 && job.expect === null ? emit : null, job.partTopics);
        // The CRC is checked after the scan: parts are only rebuilt, never applied, before the final answer, which an error voids.
        if (crcFails()) port.postMessage({ id: job.id, kind: 'error', message: 'crc32 not match' });
        else if (scan === null) port.postMessage({ id: job.id, kind: 'fallback' });
        else answerScan(job, job.bytes, scan, null);
        return;
      }
      if (crcFails()) {
        port.postMessage({ id: job.id, kind: 'error', message: 'crc32 not match' });
        return;
      }
      let raw: Uint8Array;
      try {
        raw = zlib.inflateSync(job.bytes, { maxOutputLength: job.maxInflatedBytes });
      } catch (err) {
        port.postMessage({ id: job.id, kind: 'error', message: `cannot inflate the compressed RegisterBrokerBody: ${(err as Error).message}` });
        return;
      }
      // Only a buffer of its own may be transferred (small results live in a shared pool).
      if (raw.byteOffset !== 0 || raw.buffer.byteLength !== raw.length) raw = new Uint8Array(raw);
      const scan = scanInflated(raw, job.withMappings);
      if (scan === null) port.postMessage({ id: job.id, kind: 'fallback' });
      else answerScan(job, raw, scan, raw);
    } catch {
      // Anything unforeseen: the main thread decodes it the general way and reports what that finds.
      port.postMessage({ id: job.id, kind: 'fallback' });
    }
  });
}

/** The declared name of a function, read from its source (bundlers may rename). */
function declaredName(fn: (...args: never[]) => unknown): string {
  const match = /^function\s*\*?\s*([\w$]+)/.exec(fn.toString());
  if (match === null) throw new Error('decode worker: a scanner function is not a function declaration');
  return match[1] as string;
}

/** The worker's program text. */
export function decodeWorkerSource(): string {
  const functions = [...BODY_SCAN_FUNCTIONS, ...INFLATED_SCAN_FUNCTIONS];
  return `'use strict';\n${functions.map((fn) => fn.toString()).join('\n')}\n`
    + `(${decodeWorkerMain.toString()})(require, ${declaredName(scanPlainRegisterBody)}, ${declaredName(scanInflatedRegisterBody)});\n`;
}
