/**
 * Inflates a zlib body with its own output cap, streaming (node:zlib, off the
 * event loop), so other connections keep being served while it runs and a
 * zlib bomb costs at most its cap: inflation stops at the cap, holding no more
 * than the cap plus one zlib chunk.
 * @module
 */
import { createInflate } from 'node:zlib';
import { InflateDataError, InflateLimitError } from './limit-errors.js';
import type { MemoryBudget } from './memory-budget.js';

/** Options of {@link boundedInflate}. */
export interface BoundedInflateOptions {
  /** Largest output accepted; past it inflation stops with {@link InflateLimitError}. */
  readonly maxOutputBytes: number;
  /**
   * Charged for the output as it grows (with {@link MemoryBudget.forceReserve}:
   * admitted work never waits, so it cannot deadlock) and, on failure,
   * refunded. On success the output's charge passes to the caller.
   */
  readonly budget?: MemoryBudget;
  /**
   * Size of zlib's output chunks. Large chunks keep the number of allocations of
   * a big output low.
   * @default 262_144 (256 KiB)
   */
  readonly chunkBytes?: number;
  /** Aborting stops inflation and refunds its charge (the connection closed). */
  readonly signal?: AbortSignal;
}

/** An inflated body. */
export interface InflatedBody {
  readonly data: Buffer;
  /** Bytes charged to the budget for `data` (0 without a budget). */
  readonly reservedBytes: number;
  /** Returns {@link reservedBytes} to the budget; call once `data` is no longer needed. Idempotent. */
  release(): void;
}

const DEFAULT_CHUNK_BYTES = 256 * 1024;

/**
 * Inflates `input` (a zlib stream, as RocketMQ's compressed registrations are).
 * @throws {@link InflateLimitError} when the output would pass `maxOutputBytes`;
 *   {@link InflateDataError} when `input` is not a valid zlib stream. Either way
 *   nothing stays charged to the budget.
 */
export async function boundedInflate(input: Uint8Array, options: BoundedInflateOptions): Promise<InflatedBody> {
  const { maxOutputBytes, budget } = options;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const inflater = createInflate({ chunkSize: chunkBytes });
  const onAbort = (): void => {
    inflater.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) onAbort();
  let chunks: Buffer[] = [];
  let total = 0;
  let charged = 0;
  const refund = (): void => {
    if (charged > 0) budget?.release(charged);
    charged = 0;
  };
  try {
    inflater.end(input);
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      if (total + chunk.length > maxOutputBytes) throw new InflateLimitError(maxOutputBytes);
      budget?.forceReserve(chunk.length);
      if (budget !== undefined) charged += chunk.length;
      chunks.push(chunk);
      total += chunk.length;
    }
    let data: Buffer;
    if (chunks.length === 1 && chunks[0] !== undefined) {
      data = chunks[0];
    } else {
      // The copy is charged before it exists; the chunks' charge goes once they are dropped.
      if (budget !== undefined) {
        budget.forceReserve(total);
        charged += total;
      }
      data = Buffer.allocUnsafe(total);
      let at = 0;
      for (const c of chunks) at += c.copy(data, at);
      chunks = [];
      if (budget !== undefined) {
        budget.release(charged - total);
        charged = total;
      }
    }
    const reservedBytes = charged;
    charged = 0;
    let released = false;
    return {
      data,
      reservedBytes,
      release: () => {
        if (released) return;
        released = true;
        if (reservedBytes > 0) budget?.release(reservedBytes);
      },
    };
  } catch (err) {
    if (err instanceof InflateLimitError) throw err;
    if (options.signal?.aborted === true) throw options.signal.reason;
    throw new InflateDataError((err as Error).message, { cause: err });
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    chunks = [];
    refund();
    // Stops zlib's worker at once when the loop was left early (cap, abort).
    inflater.destroy();
  }
}
