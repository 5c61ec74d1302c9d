/**
 * Slow frames: a peer must not hold memory by promising bytes. A frame whose
 * length was read is reserved in full in the memory budget, so a connection
 * that trickles its frame (or stops short of its end) would hold that
 * reservation for as long as it likes. This watch closes such a connection:
 * - a frame that receives fewer than `minFrameBytesPerSecond` over a window of
 *   {@link RATE_WINDOW_MILLIS} (and did not complete in it);
 * - a frame not complete `frameDeadlineMillis` after its first byte was read.
 * Closing frees the reservation, and the waiting connections get it in turn.
 *
 * Only connections with part of a frame buffered, and being read, are watched
 * (a connection the server itself holds back is not), by one server-wide timer
 * that runs only while there are any. Time the event loop was blocked (ticks
 * that came late) does not count towards a window: bytes the loop could not
 * read are not the peer's fault.
 * @internal
 * @module
 */
import { SlowFrameError } from './errors.js';

/** The window over which a frame's rate is measured. */
export const RATE_WINDOW_MILLIS = 2_000;
/** How often watched frames are looked at. */
const TICK_MILLIS = 250;

/** What the watch needs of a connection. */
export interface WatchedConnection {
  /** Bytes of the frame in progress received so far (what is buffered). */
  readonly bufferedBytes: number;
  /** Increases with every frame the connection completes: a new value is a new frame. */
  readonly frameSerial: number;
  /** Closes the connection for being too slow (its reservation returns to the budget). */
  abortSlowFrame(error: SlowFrameError): void;
}

/** The limits of a {@link SlowFrameWatch}; 0 switches one off. */
export interface SlowFrameLimits {
  readonly minFrameBytesPerSecond: number;
  readonly frameDeadlineMillis: number;
}

interface Progress {
  serial: number;
  /** When the frame's first byte was seen. */
  since: number;
  windowStart: number;
  windowBytes: number;
  /** The watch's blocked time when the window started. */
  windowLag: number;
}

/** See the module doc. */
export class SlowFrameWatch {
  readonly #limits: SlowFrameLimits;
  readonly #now: () => number;
  readonly #watched = new Map<WatchedConnection, Progress>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastTick = 0;
  /** Time the event loop was blocked while frames were watched: how late the ticks came, in all. */
  #lag = 0;

  /** @param now - the clock, in milliseconds. */
  constructor(limits: SlowFrameLimits, now: () => number = () => performance.now()) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Whether either limit is on. */
  get enabled(): boolean {
    return this.#limits.minFrameBytesPerSecond > 0 || this.#limits.frameDeadlineMillis > 0;
  }

  /** Connections watched now. */
  get size(): number {
    return this.#watched.size;
  }

  /** Starts watching `connection`'s frame in progress (from now). */
  watch(connection: WatchedConnection): void {
    if (!this.enabled || this.#watched.has(connection)) return;
    const now = this.#now();
    this.#watched.set(connection, {
      serial: connection.frameSerial, since: now, windowStart: now, windowBytes: connection.bufferedBytes, windowLag: this.#lag,
    });
    if (this.#timer === null) {
      this.#lastTick = now;
      this.#timer = setInterval(() => this.check(), TICK_MILLIS);
      this.#timer.unref();
    }
  }

  /** Stops watching `connection` (its frame completed, or the server holds it back, or it closed). */
  unwatch(connection: WatchedConnection): void {
    if (!this.#watched.delete(connection) || this.#watched.size > 0) return;
    this.#stopTimer();
  }

  /** Looks at every watched frame now (the timer's job; public for tests with a fake clock). */
  check(): void {
    const now = this.#now();
    this.#lag += Math.max(0, now - this.#lastTick - TICK_MILLIS);
    this.#lastTick = now;
    for (const [connection, progress] of this.#watched) {
      const error = this.#judge(connection, progress, now);
      if (error === null) continue;
      this.unwatch(connection);
      connection.abortSlowFrame(error);
    }
  }

  /** Stops the timer (the server closes). */
  close(): void {
    this.#watched.clear();
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  #judge(connection: WatchedConnection, progress: Progress, now: number): SlowFrameError | null {
    const received = connection.bufferedBytes;
    if (connection.frameSerial !== progress.serial) {
      // A new frame starts its own clock.
      this.#restartWindow(progress, now, received);
      progress.serial = connection.frameSerial;
      progress.since = now;
      return null;
    }
    const { minFrameBytesPerSecond, frameDeadlineMillis } = this.#limits;
    if (frameDeadlineMillis > 0 && now - progress.since > frameDeadlineMillis) {
      return new SlowFrameError(`frame not complete within frameDeadlineMillis (${frameDeadlineMillis} ms)`);
    }
    // The window's time, less what the event loop spent blocked.
    const window = now - progress.windowStart - (this.#lag - progress.windowLag);
    if (minFrameBytesPerSecond <= 0 || window < RATE_WINDOW_MILLIS) return null;
    const arrived = received - progress.windowBytes;
    if (arrived * 1000 < minFrameBytesPerSecond * window) {
      return new SlowFrameError(`frame arriving at ${Math.round((arrived * 1000) / window)} bytes/s, under minFrameBytesPerSecond (${minFrameBytesPerSecond})`);
    }
    this.#restartWindow(progress, now, received);
    return null;
  }

  #restartWindow(progress: Progress, now: number, received: number): void {
    progress.windowStart = now;
    progress.windowBytes = received;
    progress.windowLag = this.#lag;
  }
}
