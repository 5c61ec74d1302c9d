/**
 * Admission, the step between decoding a frame's length and buffering the
 * frame: one connection's gate. A frame gets in when
 * 1. its connection has fewer than `maxRequestsInFlight` unanswered requests;
 * 2. its body fits its request code's cap (every code but REGISTER_BROKER
 *    carries a small body by nature: a larger frame's header is read before
 *    its body and, when over the cap, the frame is refused unread);
 * 3. its full length is reserved in the memory budget (waiting in turn with
 *    the other connections when it does not fit now).
 * The reservation passes to the request once decoded and returns to the
 * budget when the request is answered, or when the connection closes.
 * @internal
 * @module
 */
import type { FrameHead } from './codec/request-decoder.js';
import { RequestCode, ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import { BodyTooLargeError } from './errors.js';
import type { MemoryBudget } from './memory-budget.js';
import type { Reply } from './reply.js';

/** What admission needs of the decoder: the next frame's header before its body, or null until it arrived. */
export interface HeaderSource {
  peekHeader(): FrameHead | null;
}

/** A frame refused unread: the answer its header gets, and why. */
export interface Refusal {
  readonly request: RemotingCommand;
  readonly reply: Reply;
  readonly error: Error;
}

/**
 * What admission says about the next frame: `admitted`; wait for `inFlight`
 * requests to be answered or for `budget` room (reading pauses); wait for
 * `more` bytes (its header has not arrived; reading goes on); or a refusal.
 */
export type Verdict = 'admitted' | 'inFlight' | 'budget' | 'more' | Refusal;

/** Admission limits every connection of a server shares. */
export interface AdmissionLimits {
  readonly budget: MemoryBudget;
  readonly maxRequestsInFlight: number;
  /** The body cap of every request code but REGISTER_BROKER. */
  readonly maxSmallBodyBytes: number;
}

/** Frame prefix: length field and header length. */
const PREFIX_BYTES = 8;

/** One connection's admission; see the module doc. */
export class FrameAdmission {
  readonly #limits: AdmissionLimits;
  readonly #signal: AbortSignal;
  readonly #onGranted: () => void;
  /** Requests decoded and not yet answered. */
  #inFlight = 0;
  /** Bytes reserved for the next frame, passed to its request once decoded. */
  #headReserved = 0;

  /**
   * @param signal - aborted when the connection closes: a reservation still waiting gives up its place.
   * @param onGranted - a reservation that had to wait was granted: the frame may be admitted now.
   */
  constructor(limits: AdmissionLimits, signal: AbortSignal, onGranted: () => void) {
    this.#limits = limits;
    this.#signal = signal;
    this.#onGranted = onGranted;
  }

  /** Requests decoded and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Whether the next frame holds a reservation (it was admitted, or granted while waiting). */
  get holdsReservation(): boolean {
    return this.#headReserved > 0;
  }

  /** Decides about the next frame, `frameBytes` long (length field included). */
  admit(frameBytes: number, headers: HeaderSource): Verdict {
    const limits = this.#limits;
    if (this.#inFlight >= limits.maxRequestsInFlight) return 'inFlight';
    if (frameBytes - PREFIX_BYTES > limits.maxSmallBodyBytes) {
      const head = headers.peekHeader();
      if (head === null) return 'more';
      const refusal = this.#checkBody(head);
      if (refusal !== null) return refusal;
    }
    if (this.#headReserved > 0) return 'admitted'; // granted while the frame waited
    const budget = limits.budget;
    if (budget.tryReserve(frameBytes)) {
      this.#headReserved = frameBytes;
      return 'admitted';
    }
    budget.reserve(frameBytes, this.#signal).then(() => {
      if (this.#signal.aborted) {
        budget.release(frameBytes);
        return;
      }
      this.#headReserved = frameBytes;
      this.#onGranted();
    }, () => {
      // The connection closed while waiting: nothing was reserved.
    });
    return 'budget';
  }

  /** The admitted frame was decoded into a request: it is in flight and takes the frame's reservation along. */
  taken(): number {
    const reserved = this.#headReserved;
    this.#headReserved = 0;
    this.#inFlight++;
    return reserved;
  }

  /** A request was answered: `reserved` (from {@link taken}) returns to the budget. */
  answered(reserved: number): void {
    this.#inFlight--;
    if (reserved > 0) this.#limits.budget.release(reserved);
  }

  /** A frame dropped without a request in flight (a response from a confused peer): its reservation returns. */
  dropped(reserved: number): void {
    if (reserved > 0) this.#limits.budget.release(reserved);
  }

  /** The connection closed: a reservation granted for a frame never decoded returns to the budget. */
  close(): void {
    if (this.#headReserved > 0) this.#limits.budget.release(this.#headReserved);
    this.#headReserved = 0;
  }

  /** A refusal when the frame's body is over its request code's cap. */
  #checkBody({ request, bodyBytes }: FrameHead): Refusal | null {
    if (request.code === RequestCode.REGISTER_BROKER) return null;
    const cap = this.#limits.maxSmallBodyBytes;
    if (bodyBytes <= cap) return null;
    const error = new BodyTooLargeError(request.code, bodyBytes, cap);
    return { request, reply: { code: ResponseCode.SYSTEM_ERROR, remark: error.message, extFields: null, body: null }, error };
  }
}
