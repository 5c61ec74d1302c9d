/**
 * Sends NOTIFY_BROKER_ROLE_CHANGED (1008) to a group's live brokers when the
 * controller elects a master (Java's `ControllerManager.NotifyService`):
 * one-way, to each broker's own address, header
 * `NotifyBrokerRoleChangedRequestHeader` and a `SyncStateSet` body. Notices
 * to one broker go out in order; failures are reported as `notifyError`,
 * never thrown (a broker that cannot be told learns the master from its
 * next register or heartbeat round).
 * @internal
 */
import type { EventEmitter } from 'eventemitter3';
import type { Controller } from '../controller/controller.js';
import type { MasterElectedEvent } from '../controller/controller-events.js';
import { RemotingClient } from './client.js';
import { encodeControllerBody, ControllerRequestCode } from './controller-requests.js';
import { RemotingConnectionError } from './errors.js';
import type { RemotingServerEvents } from './events.js';

/** Java's `invokeOneway(brokerAddr, request, 3000)`. */
const NOTIFY_TIMEOUT_MILLIS = 3_000;

/** The header Java's `NotifyBrokerRoleChangedRequestHeader` puts on the wire. */
export function roleChangedHeader(event: MasterElectedEvent): Record<string, string> {
  const header: Record<string, string> = {
    masterBrokerId: String(event.masterBrokerId), masterEpoch: String(event.masterEpoch), syncStateSetEpoch: String(event.syncStateSetEpoch),
  };
  if (event.masterAddress !== null) header.masterAddress = event.masterAddress;
  return header;
}

export class RoleChangeNotifier {
  readonly #controller: Controller;
  readonly #events: EventEmitter<RemotingServerEvents>;
  /** Per broker address: the last notice's send, so the next waits for it. */
  readonly #tails = new Map<string, Promise<void>>();
  readonly #listener = (event: MasterElectedEvent): void => this.#notify(event);

  constructor(controller: Controller, events: EventEmitter<RemotingServerEvents>) {
    this.#controller = controller;
    this.#events = events;
  }

  /** Starts sending on the controller's `masterElected`. */
  start(): void {
    this.#controller.on('masterElected', this.#listener);
  }

  /** Stops listening; lets notices in flight finish. */
  async close(): Promise<void> {
    this.#controller.off('masterElected', this.#listener);
    await Promise.all([...this.#tails.values()]);
  }

  #notify(event: MasterElectedEvent): void {
    const header = roleChangedHeader(event);
    const body = Buffer.from(encodeControllerBody({ syncStateSet: event.syncStateSet, syncStateSetEpoch: event.syncStateSetEpoch }), 'utf8');
    for (const addr of event.notifyTargets) {
      const previous = this.#tails.get(addr) ?? Promise.resolve();
      const send = previous.then(() => this.#send(addr, header, body));
      this.#tails.set(addr, send);
      void send.finally(() => {
        if (this.#tails.get(addr) === send) this.#tails.delete(addr);
      });
    }
  }

  async #send(addr: string, header: Record<string, string>, body: Buffer): Promise<void> {
    let client: RemotingClient | null = null;
    try {
      const colon = addr.lastIndexOf(':');
      const port = Number(addr.slice(colon + 1));
      const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
      if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new RemotingConnectionError(`not a broker address (host:port): ${addr}`);
      client = new RemotingClient({ host, port, timeoutMillis: NOTIFY_TIMEOUT_MILLIS });
      await withTimeout(client.connect(), addr);
      await client.invokeOneway(ControllerRequestCode.NOTIFY_BROKER_ROLE_CHANGED, header, body);
    } catch (err) {
      this.#events.emit('notifyError', { brokerAddr: addr, error: err instanceof Error ? err : new Error(String(err)) });
    } finally {
      await client?.close();
    }
  }
}

function withTimeout(connecting: Promise<void>, addr: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RemotingConnectionError(`cannot connect to ${addr}: no connection within ${NOTIFY_TIMEOUT_MILLIS} ms`)), NOTIFY_TIMEOUT_MILLIS);
    timer.unref();
  });
  return Promise.race([connecting, timeout]).finally(() => clearTimeout(timer));
}
