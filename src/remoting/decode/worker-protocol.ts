/**
 * The messages between a {@link DecodePool} and its workers
 * (`decode-worker.ts`): a job per body, answers with the body's compact form.
 * @internal
 * @module
 */
import type { TopicQueueMappingInfo } from '../../core/types.js';
import type { BodyScan } from './body-scan.js';

/** A decode job, main thread → worker. */
export interface DecodeJob {
  readonly id: number;
  /** The body: shared memory the worker reads in place (the pool's copy or the frame's own). */
  readonly bytes: Uint8Array;
  /** The body starts as a zlib stream (the bytes decide, not the header's flag). */
  readonly compressed: boolean;
  /** The header's `compressed` flag: only the general decoder's error messages use it. */
  readonly declaredCompressed: boolean;
  /** The request's `version` (an `MQVersion` ordinal): the body layout. */
  readonly version: number;
  readonly maxInflatedBytes: number;
  /** More topics are refused (`maxTopicsPerRegistration`). */
  readonly maxTopics: number;
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
  /**
   * The whole scan (after any parts). `src`: the bytes its ranges point into
   * when not the job's own (inflated, or re-encoded by the general decoder);
   * `fresh`: parts posted before are void (the general decoder took over);
   * `digest`: of the table's bytes, when asked; `mappings`: static topic
   * mappings, which the scan does not carry.
   */
  | {
    readonly id: number; readonly kind: 'scan'; readonly scan: BodyScan; readonly src: Uint8Array | null; readonly fresh: boolean;
    readonly digest: string | null; readonly mappings: ReadonlyArray<readonly [string, TopicQueueMappingInfo]> | null;
  }
  /** The table's bytes are those of `DecodeJob.expect`: `scan` holds the header only (data version, filter servers). */
  | { readonly id: number; readonly kind: 'same'; readonly scan: BodyScan; readonly src: Uint8Array | null }
  /** Topic records scanned so far (`topics` of them from `scan.ints[0]`, no header); more answers follow. */
  | { readonly id: number; readonly kind: 'part'; readonly scan: BodyScan; readonly topics: number }
  /** The body is refused: a `BodyDecodeError` with this message. */
  | { readonly id: number; readonly kind: 'error'; readonly message: string };
