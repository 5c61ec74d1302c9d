/**
 * RocketMQ's `notifyMinBrokerIdChanged` rules (RouteInfoManager): when a
 * group's lowest broker id changes, its brokers are told which broker now
 * has the lowest id (NOTIFY_MIN_BROKER_ID_CHANGE, 905), so a slave can act
 * as master. The registry gathers these notices; an adapter sends them.
 *
 * - Registration: the registering id is below the group's lowest id before
 *   it (0 for an empty group, so a first registration never notifies).
 *   Notified after the registration, `offlineBrokerAddr` null,
 *   `haBrokerAddr` the registering broker's HA address; whatever the
 *   group's `enableActingMaster`.
 * - Unregistration (UNREGISTER_BROKER, expiry, closed connection: one batch
 *   path): the request's id was the group's lowest and the group keeps an
 *   address. Notified after the batch, only when the group (still there)
 *   enables acting master; `offlineBrokerAddr` the address that left.
 * @internal
 * @module
 */
import { minBrokerId, type BrokerGroup } from '../tables/records.js';
import type { MinBrokerIdChangedEvent } from '../types.js';

/** The group's lowest id before a registration, as RocketMQ computes it: 0 for a group without address. */
export function previousMinBrokerId(g: BrokerGroup | undefined): number {
  return g === undefined || g.addrs.size === 0 ? 0 : minBrokerId(g);
}

/**
 * The notice for `g` as it is now, or null when it lists no address.
 * Targets follow RocketMQ's `chooseBrokerAddrsToNotify`: every address when
 * one went offline or only one is left, else every address but the lowest
 * id's (a new lowest broker registered: the others must learn of it).
 */
export function minBrokerIdNotice(
  g: BrokerGroup, offlineBrokerAddr: string | null, haBrokerAddr: string | null,
): MinBrokerIdChangedEvent | null {
  if (g.addrs.size === 0) return null;
  const ids = [...g.addrs.keys()].sort((a, b) => a - b);
  const minId = ids[0] as number;
  const everyone = offlineBrokerAddr !== null || ids.length === 1;
  const targets = ids.filter((id) => everyone || id !== minId).map((id) => g.addrs.get(id) as string);
  return Object.freeze({
    brokerName: g.brokerName,
    minBrokerId: minId,
    minBrokerAddr: g.addrs.get(minId) as string,
    offlineBrokerAddr,
    haBrokerAddr,
    targets: Object.freeze(targets),
  });
}

/**
 * The unregistration path of one batch: note each request before its
 * address leaves the group, then {@link notices} once the batch is done.
 */
export class MinBrokerIdWatch {
  /** broker name → the group and the last address of the batch that left it as its lowest id. */
  readonly #changed = new Map<string, { readonly group: BrokerGroup; readonly offline: string }>();

  /** True when `brokerId` is the group's lowest id (call before removing the address). */
  static isMin(g: BrokerGroup, brokerId: number): boolean {
    return g.addrs.size > 0 && brokerId === minBrokerId(g);
  }

  /** The group lost its lowest id (`offline`) and still lists addresses. */
  note(g: BrokerGroup, offline: string): void {
    this.#changed.set(g.brokerName, { group: g, offline });
  }

  /** The notices due: groups still known (`current`), with an address left and acting master enabled. */
  notices(current: (brokerName: string) => BrokerGroup | undefined): MinBrokerIdChangedEvent[] {
    const out: MinBrokerIdChangedEvent[] = [];
    for (const [name, { group, offline }] of this.#changed) {
      if (current(name) !== group || !group.enableActingMaster) continue;
      const notice = minBrokerIdNotice(group, offline, null);
      if (notice !== null) out.push(notice);
    }
    return out;
  }
}
