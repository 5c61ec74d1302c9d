/**
 * The instances of an etcd controller group, for GET_METADATA_INFO's
 * `peers` (Java lists every peer of its DLedger/JRaft group): each instance
 * keeps `<prefix>members/<id>` = `{id, address}` under its own lease, so a
 * dead instance drops out when its lease lapses; the others learn of it by
 * the log's watch (which covers this prefix).
 * @module
 */
import { prefixEnd, type EtcdClient, type EtcdKeyValue, type EtcdWatchEvent } from './etcd-client.js';

/** This instance's membership and the members seen. */
export class EtcdMembers {
  readonly #etcd: EtcdClient;
  readonly #prefix: string;
  readonly #key: string;
  readonly #leaseSeconds: number;
  #value = '';
  #lease: string | null = null;
  /** One registration or keep-alive at a time. */
  #busy: Promise<void> | null = null;
  /** id → address, as their keys say. */
  readonly #members = new Map<string, string | null>();

  /** @param prefix - ends with `/`; `selfId` names this instance's key under it. */
  constructor(etcd: EtcdClient, prefix: string, selfId: string, leaseSeconds: number) {
    this.#etcd = etcd;
    this.#prefix = prefix;
    this.#key = prefix + selfId;
    this.#leaseSeconds = leaseSeconds;
  }

  /** Reads every member, then registers this one with `value` (`{"id","address"}` JSON). */
  async join(value: string): Promise<void> {
    this.#value = value;
    await this.refresh();
    await this.#register();
  }

  /** Re-reads every member (after a broken watch). */
  async refresh(): Promise<void> {
    const { kvs } = await this.#etcd.range(this.#prefix, prefixEnd(this.#prefix));
    this.#members.clear();
    for (const kv of kvs) this.#set(kv);
  }

  /** Keeps our key's lease alive; registers again once it lapsed. Never rejects. */
  keepAlive(): Promise<void> {
    this.#busy ??= (async () => {
      if (this.#lease === null || !(await this.#etcd.keepAlive(this.#lease))) await this.#register();
    })().catch(() => undefined).finally(() => {
      this.#busy = null;
    });
    return this.#busy;
  }

  /** Rewrites our key (the address became known). Never rejects. */
  async update(value: string): Promise<void> {
    this.#value = value;
    if (this.#lease === null) return;
    await this.#etcd.txn([], [{ key: this.#key, value, lease: this.#lease }]).catch(() => undefined);
  }

  /** Takes a watch event of our prefix into account; false when it is not ours. */
  onWatchEvent(event: EtcdWatchEvent): boolean {
    if (!event.kv.key.startsWith(this.#prefix)) return false;
    if (event.type === 'DELETE') this.#members.delete(event.kv.key.slice(this.#prefix.length));
    else this.#set(event.kv);
    return true;
  }

  /** Java's form, `id:address;` for each member, by id. */
  peers(): string {
    return [...this.#members].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, address]) => `${id}:${address ?? ''};`).join('');
  }

  /** Gives our lease back: the key goes at once. Never rejects. */
  async leave(): Promise<void> {
    await this.#busy;
    const lease = this.#lease;
    this.#lease = null;
    if (lease !== null) await this.#etcd.revoke(lease).catch(() => undefined);
  }

  async #register(): Promise<void> {
    const lease = await this.#etcd.grant(this.#leaseSeconds);
    await this.#etcd.txn([], [{ key: this.#key, value: this.#value, lease }]);
    this.#lease = lease;
  }

  #set(kv: EtcdKeyValue): void {
    const id = kv.key.slice(this.#prefix.length);
    try {
      const parsed = JSON.parse(kv.value) as { address?: unknown };
      this.#members.set(id, typeof parsed.address === 'string' ? parsed.address : null);
    } catch {
      this.#members.set(id, null);
    }
  }
}
