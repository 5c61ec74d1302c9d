/**
 * The periodic scan for silent brokers (RocketMQ's `scanNotActiveBroker`
 * schedule): an unref'd interval whose errors surface as uncaught
 * exceptions, since a timer has no caller to hand them to.
 * @internal
 * @module
 */
export class ScanTimer {
  #intervalMillis: number;
  #timer: ReturnType<typeof setInterval> | null = null;
  #scan: (() => void) | null = null;

  constructor(intervalMillis: number) {
    this.#intervalMillis = intervalMillis;
  }

  /** Runs `scan` every interval from now on. Idempotent. */
  start(scan: () => void): void {
    if (this.#timer !== null) return;
    this.#scan = scan;
    this.#timer = setInterval(() => {
      try {
        scan();
      } catch (err) {
        // Only an event listener can throw here.
        queueMicrotask(() => {
          throw err;
        });
      }
    }, this.#intervalMillis);
    // The scan must never be what keeps a host process alive.
    this.#timer.unref();
  }

  /** Uses a new interval from now on; a running timer restarts with it. */
  reschedule(intervalMillis: number): void {
    if (intervalMillis === this.#intervalMillis) return;
    this.#intervalMillis = intervalMillis;
    const scan = this.#scan;
    if (this.#timer === null || scan === null) return;
    this.stop();
    this.start(scan);
  }

  /** Stops it. Idempotent. */
  stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }
}
