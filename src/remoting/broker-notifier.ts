/**
 * Sends the registry's `minBrokerIdChanged` notices to brokers: RocketMQ's
 * `remotingClient.invokeOneway(brokerAddr, NOTIFY_MIN_BROKER_ID_CHANGE, 300)`.
 * One client connection per broker address, reused, at most a few kept
 * (the least recently used is closed), closed after a quiet while and when
 * the server closes. Failures are reported, never thrown: a broker that
 * cannot be told is not the name server's failure.
 * @internal
 */
import type { EventEmitter } from 'eventemitter3';
import type { MinBrokerIdChangedEvent } from '../core/types.js';
import { RemotingClient } from './client.js';
import { RequestCode } from './codes.js';
import { RemotingConnectionError } from './errors.js';
import type { RemotingServerEvents } from './events.js';

/** Tuning of {@link BrokerNotifier}. */
export interface BrokerNotifierOptions {
  /** Connections kept open at most. @default 32 */
  readonly maxConnections?: number;
  /** A connection unused this long is closed. @default 120_000 (Java's `clientChannelMaxIdleTimeSeconds`) */
  readonly idleMillis?: number;
  /** Connecting longer than this fails the notice. @default 3_000 (Java's `connectTimeoutMillis`) */
  readonly connectTimeoutMillis?: number;
}

interface Entry {
  readonly client: RemotingClient;
  /** Settles once connected (rejects when it could not connect). */
  readonly ready: Promise<void>;
  idle: ReturnType<typeof setTimeout> | null;
}

/**
 * The header RocketMQ's `NotifyMinBrokerIdChangeRequestHeader` puts on the
 * wire: null fields are absent, and `brokerName` is never set by the name
 * server (so it is absent too).
 */
export function notifyMinBrokerIdHeader(event: MinBrokerIdChangedEvent): Record<string, string> {
  const header: Record<string, string> = { minBrokerId: String(event.minBrokerId), minBrokerAddr: event.minBrokerAddr };
  if (event.offlineBrokerAddr !== null) header.offlineBrokerAddr = event.offlineBrokerAddr;
  if (event.haBrokerAddr !== null) header.haBrokerAddr = event.haBrokerAddr;
  return header;
}

export class BrokerNotifier {
  readonly #events: EventEmitter<RemotingServerEvents>;
  readonly #maxConnections: number;
  readonly #idleMillis: number;
  readonly #connectTimeoutMillis: number;
  /** address → connection, least recently used first. */
  readonly #entries = new Map<string, Entry>();
  /** Sends still running, so close() can let them finish. */
  readonly #sending = new Set<Promise<void>>();
  #closed = false;

  constructor(events: EventEmitter<RemotingServerEvents>, options: BrokerNotifierOptions = {}) {
    this.#events = events;
    this.#maxConnections = options.maxConnections ?? 32;
    this.#idleMillis = options.idleMillis ?? 120_000;
    this.#connectTimeoutMillis = options.connectTimeoutMillis ?? 3_000;
  }

  /** Sends the notice one-way to each of its targets. */
  notify(event: MinBrokerIdChangedEvent): void {
    if (this.#closed) return;
    const header = notifyMinBrokerIdHeader(event);
    for (const addr of event.targets) {
      const sending = this.#send(addr, header);
      this.#sending.add(sending);
      void sending.finally(() => this.#sending.delete(sending));
    }
  }

  /** Lets running sends finish, then closes every connection. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#sending]);
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map((entry) => this.#dispose(entry)));
  }

  async #send(addr: string, header: Record<string, string>): Promise<void> {
    try {
      let entry = this.#entry(addr);
      await entry.ready;
      if (!entry.client.connected) {
        // The broker closed the cached connection meanwhile: one fresh attempt.
        this.#forget(addr, entry);
        entry = this.#entry(addr);
        await entry.ready;
      }
      await entry.client.invokeOneway(RequestCode.NOTIFY_MIN_BROKER_ID_CHANGE, header);
      this.#touch(addr, entry);
    } catch (err) {
      const stale = this.#entries.get(addr);
      if (stale !== undefined && !stale.client.connected) this.#forget(addr, stale);
      this.#events.emit('notifyError', { brokerAddr: addr, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  /** The cached connection to `addr` (most recently used now), or a new one. */
  #entry(addr: string): Entry {
    const known = this.#entries.get(addr);
    if (known !== undefined) {
      this.#entries.delete(addr);
      this.#entries.set(addr, known);
      return known;
    }
    const { host, port } = parseAddr(addr);
    const client = new RemotingClient({ host, port });
    const ready = this.#connect(client, addr);
    // Awaited by the sender; a failure must not count as unhandled meanwhile.
    ready.catch(() => undefined);
    const entry: Entry = { client, ready, idle: null };
    this.#entries.set(addr, entry);
    while (this.#entries.size > this.#maxConnections) {
      const [oldest, old] = this.#entries.entries().next().value as [string, Entry];
      this.#forget(oldest, old);
    }
    return entry;
  }

  #connect(client: RemotingClient, addr: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void client.close();
        reject(new RemotingConnectionError(`cannot connect to ${addr}: no connection within ${this.#connectTimeoutMillis} ms`));
      }, this.#connectTimeoutMillis);
      timer.unref();
    });
    return Promise.race([client.connect(), timeout]).finally(() => clearTimeout(timer));
  }

  /** Restarts the idle timer of a connection just used. */
  #touch(addr: string, entry: Entry): void {
    if (entry.idle !== null) clearTimeout(entry.idle);
    entry.idle = setTimeout(() => this.#forget(addr, entry), this.#idleMillis);
    entry.idle.unref();
  }

  #forget(addr: string, entry: Entry): void {
    if (this.#entries.get(addr) === entry) this.#entries.delete(addr);
    void this.#dispose(entry);
  }

  #dispose(entry: Entry): Promise<void> {
    if (entry.idle !== null) clearTimeout(entry.idle);
    entry.idle = null;
    return entry.client.close();
  }
}

/** `host:port` (IPv6 hosts possibly in brackets) of a broker address. */
function parseAddr(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  const port = Number(addr.slice(colon + 1));
  let host = addr.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535 || host === '') {
    throw new RemotingConnectionError(`not a broker address (host:port): ${addr}`);
  }
  return { host, port };
}
