/**
 * REGISTER_BROKER body decoding within the server's memory budget: zlib
 * bodies are inflated a bounded number at a time (one by default), streaming
 * through {@link boundedInflate} with the output charged to the budget and
 * capped, and the inflated bytes are released as soon as they are decoded.
 * Plain JSON bodies (and zlib bodies sent as `compressed=false`, which are
 * told apart by their first bytes) take the ordinary path.
 * @internal
 */
import { Semaphore } from 'async-mutex';
import { MQVersion } from './codes.js';
import {
  checkBodyCrc32, decodeInflatedBody, decodeRegisterBrokerBody, isZlibStream, type RegisterBrokerBody,
} from './codec/register-body.js';
import { BodyDecodeError } from './errors.js';
import { boundedInflate, type InflatedBody } from './bounded-inflate.js';
import type { MemoryBudget } from './memory-budget.js';
import type { RegisterBodyDecoder } from './request-context.js';

/** How many compressed bodies are inflated at once by default. */
export const DEFAULT_CONCURRENT_INFLATES = 1;

/**
 * A {@link RegisterBodyDecoder} that inflates at most `concurrency` bodies at
 * once, charging `budget` for their output; other bodies go to `plain` (the
 * general decoder, or a decode pool), `bodyCrc32` included: they check it.
 * A compressed body's checksum is checked here, before it waits for a slot
 * (compressed bodies are small: a few hundred microseconds at most).
 */
export function budgetedRegisterBodyDecoder(
  budget: MemoryBudget, plain: RegisterBodyDecoder = decodeRegisterBrokerBody, concurrency = DEFAULT_CONCURRENT_INFLATES,
): RegisterBodyDecoder {
  const slots = new Semaphore(concurrency);
  return async (body, options): Promise<RegisterBrokerBody> => {
    if (body === null || options.version < MQVersion.V3_0_11 || !isZlibStream(body)) return plain(body, options);
    checkBodyCrc32(body, options.bodyCrc32);
    const { signal } = options;
    const [, leave] = await slots.acquire();
    let inflated: InflatedBody | null = null;
    try {
      // Its connection closed while it waited: nobody wants the answer, skip the work.
      if (signal?.aborted === true) throw new BodyDecodeError('connection closed before the body was decoded');
      try {
        inflated = await boundedInflate(body, { maxOutputBytes: options.maxInflatedBytes, budget, ...(signal === undefined ? {} : { signal }) });
      } catch (err) {
        throw new BodyDecodeError(`cannot inflate the compressed RegisterBrokerBody: ${(err as Error).message}`, { cause: err });
      }
      return decodeInflatedBody(inflated.data, options.version);
    } finally {
      // The decoded body holds strings copied out of the inflated bytes: they may go now.
      inflated?.release();
      inflated = null;
      leave();
    }
  };
}
