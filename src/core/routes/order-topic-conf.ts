/**
 * The `orderTopicConf` of routes: RocketMQ reads it from the KV namespace
 * `ORDER_TOPIC_CONFIG` while `orderMessageEnable` is on. This watches the
 * KV store so a change there rebuilds the topic's route.
 * @internal
 * @module
 */
import { NAMESPACE_ORDER_TOPIC_CONFIG, type KvConfigChangeEvent, type KvConfigStore } from '../kv-config.js';

export class OrderTopicConf {
  readonly #kv: KvConfigStore | null;
  readonly #enabled: () => boolean;
  readonly #changed: (topic: string) => void;
  #listener: ((event: KvConfigChangeEvent) => void) | null = null;

  /**
   * @param enabled - reads `orderMessageEnable` (it may change at runtime).
   * @param changed - called with a topic whose order config changed.
   */
  constructor(kv: KvConfigStore | null, enabled: () => boolean, changed: (topic: string) => void) {
    this.#kv = kv;
    this.#enabled = enabled;
    this.#changed = changed;
  }

  /** The topic's order config, or null (none, or the option is off). */
  of(topic: string): string | null {
    return this.#kv === null || !this.#enabled() ? null : this.#kv.get(NAMESPACE_ORDER_TOPIC_CONFIG, topic);
  }

  /** Starts watching the KV store while the option is on. Idempotent. */
  watch(): void {
    if (this.#kv === null || !this.#enabled() || this.#listener !== null) return;
    this.#listener = (event) => {
      if (event.namespace === NAMESPACE_ORDER_TOPIC_CONFIG) this.#changed(event.key);
    };
    this.#kv.on('change', this.#listener);
  }

  /** Stops watching. Idempotent. */
  unwatch(): void {
    if (this.#listener === null || this.#kv === null) return;
    this.#kv.off('change', this.#listener);
    this.#listener = null;
  }
}
