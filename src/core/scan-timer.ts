/**
 * The periodic scan for silent brokers (RocketMQ's `scanNotActiveBroker`
 * schedule): an unref'd interval whose errors surface as uncaught
 * exceptions, since a timer has no caller to hand them to.
 * @internal
 * @module
 */
export class ScanTimer {
  readonly #intervalMillis: number;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(intervalMillis: number) {
    this.#intervalMillis = intervalMillis;
  }

  /** Runs `scan` every interval from now on. Idempotent. */
  start(scan: () => void): void {
    if (this.#timer !== null) return;
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

  /** Stops it. Idempotent. */
  stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }
}
