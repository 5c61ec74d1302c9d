/**
 * The controller's event log replicated through etcd, for several
 * controller instances (Java uses DLedger or JRaft; here etcd does the
 * consensus, nothing home-made):
 * - leadership: the instance whose put of `<prefix>/leader` (bound to its
 *   lease) succeeds leads while it keeps the lease alive;
 * - appends: `<prefix>/log/<index>` written by a transaction that also
 *   checks the leader key is still this instance's (its create revision)
 *   and the index is free, so a deposed leader can never write;
 * - followers apply entries by watching the prefix; a new leader reads every
 *   entry up to the revision it won at before it says it leads.
 * @module
 */
import { ControllerNotLeaderError } from '../errors.js';
import type { ControllerEventLog, ControllerLeaderInfo } from '../event-log.js';
import { EtcdMembers } from './etcd-members.js';
import { parseLogEvents } from '../log-event-codec.js';
import type { ControllerLogEvent } from '../types.js';
import { EtcdClient, prefixEnd, type EtcdKeyValue, type EtcdWatchEvent } from './etcd-client.js';

/** Options of {@link EtcdEventLog}. */
export interface EtcdEventLogOptions {
  /** etcd client URLs (`http://host:2379`). */
  readonly endpoints: readonly string[];
  /** This instance's id (Java's `controllerDLegerSelfId`); unique in the group. */
  readonly selfId: string;
  /** Where brokers reach this instance (`host:port`); given to them when it leads. */
  readonly advertisedAddress: string | null;
  /** Key prefix, one per controller group. @default '/rocketmq-controller/' + group */
  readonly prefix?: string;
  /** The group's name (GET_METADATA_INFO's `group`). @default 'DefaultControllerGroup' */
  readonly group?: string;
  /** Leadership lease: a leader silent this long is replaced. @default 5 */
  readonly leaseSeconds?: number;
  /** Timeout of one etcd call. @default 5_000 */
  readonly requestTimeoutMillis?: number;
}

const INDEX_DIGITS = 20;

/** A replicated {@link ControllerEventLog} on etcd. */
export class EtcdEventLog implements ControllerEventLog {
  readonly group: string;
  readonly #etcd: EtcdClient;
  readonly #selfId: string;
  #address: string | null;
  readonly #prefix: string;
  readonly #leaseSeconds: number;
  #apply: ((event: ControllerLogEvent) => void) | null = null;
  /** The last log index applied. */
  #applied = 0;
  /** Our leadership: the lease, and the leader key's create revision the appends check. */
  #lease: string | null = null;
  #leaderRevision = 0;
  #leading = false;
  #leader: ControllerLeaderInfo | null = null;
  #closed = false;
  readonly #abort = new AbortController();
  #timer: ReturnType<typeof setInterval> | null = null;
  #watching: Promise<void> | null = null;
  /** Every instance of the group (GET_METADATA_INFO's peers). */
  readonly #members: EtcdMembers;
  /** One campaign or keep-alive at a time. */
  #ticking: Promise<void> | null = null;

  constructor(options: EtcdEventLogOptions) {
    this.group = options.group ?? 'DefaultControllerGroup';
    this.#etcd = new EtcdClient(options.endpoints, options.requestTimeoutMillis ?? 5_000);
    this.#selfId = options.selfId;
    this.#address = options.advertisedAddress;
    this.#prefix = (options.prefix ?? `/rocketmq-controller/${this.group}`).replace(/\/+$/, '');
    this.#leaseSeconds = options.leaseSeconds ?? 5;
    this.#members = new EtcdMembers(this.#etcd, `${this.#prefix}/members/`, this.#selfId, this.#leaseSeconds);
  }

  get #logPrefix(): string {
    return `${this.#prefix}/log/`;
  }

  get #leaderKey(): string {
    return `${this.#prefix}/leader`;
  }

  get #selfValue(): string {
    return JSON.stringify({ id: this.#selfId, address: this.#address });
  }

  /** The last index applied (entries committed and seen by this instance). */
  get appliedIndex(): number {
    return this.#applied;
  }

  async open(apply: (event: ControllerLogEvent) => void): Promise<void> {
    this.#apply = apply;
    const revision = await this.#catchUp(0);
    await this.#readLeader();
    await this.#members.join(this.#selfValue);
    this.#watching = this.#watchLoop(revision + 1);
    await this.#tick();
    // Campaign and keep-alive at a third of the lease: a lease is refreshed twice before it could lapse.
    this.#timer = setInterval(() => void this.#tick(), Math.max(200, (this.#leaseSeconds * 1000) / 3));
    this.#timer.unref();
  }

  async append(events: readonly ControllerLogEvent[]): Promise<void> {
    if (!this.#leading || this.#lease === null) throw new ControllerNotLeaderError();
    const index = this.#applied + 1;
    const key = this.#logPrefix + String(index).padStart(INDEX_DIGITS, '0');
    const term = this.#leaderRevision;
    const result = await this.#etcd.txn(
      [{ key: this.#leaderKey, target: 'CREATE', createRevision: term }, { key, target: 'CREATE', createRevision: 0 }],
      [{ key, value: JSON.stringify(events) }],
    );
    if (!result.succeeded) {
      // Our lease lapsed (another instance may lead): step down, unless we already won again meanwhile.
      if (this.#leaderRevision === term) this.#stepDown();
      throw new ControllerNotLeaderError('The controller lost its leadership (etcd)');
    }
    // The watch may have brought our own entry already.
    if (this.#applied < index) this.#applyEntry(index, events);
  }

  /** Sets the address the leader key carries, unless one was given; rewrites the key when this instance already leads. */
  advertise(address: string): void {
    if (this.#address !== null) return;
    this.#address = address;
    void this.#members.update(this.#selfValue);
    if (!this.#leading || this.#lease === null) return;
    this.#leader = { id: this.#selfId, address };
    // Same key, same lease: its create revision (what appends check) stays.
    void this.#etcd.txn([{ key: this.#leaderKey, target: 'CREATE', createRevision: this.#leaderRevision }],
      [{ key: this.#leaderKey, value: this.#selfValue, lease: this.#lease }]).catch(() => undefined);
  }

  isLeader(): boolean {
    return this.#leading && !this.#closed;
  }

  leader(): ControllerLeaderInfo | null {
    return this.#leader;
  }

  peers(): string {
    const members = this.#members.peers();
    if (members !== '') return members;
    return this.#leader === null ? '' : `${this.#leader.id}:${this.#leader.address ?? ''};`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#ticking;
    const lease = this.#lease;
    this.#stepDown();
    // Giving the lease back hands leadership over at once instead of after the TTL.
    if (lease !== null) await this.#etcd.revoke(lease).catch(() => undefined);
    await this.#members.leave();
    this.#abort.abort();
    await this.#watching;
    this.#etcd.close();
  }

  /** Campaigns when there is no leader; keeps our lease alive when we lead. Errors only log nothing: the next tick retries. */
  #tick(): Promise<void> {
    if (this.#ticking !== null || this.#closed) return this.#ticking ?? Promise.resolve();
    void this.#members.keepAlive();
    this.#ticking = (this.#leading ? this.#keepAlive() : this.#campaign()).catch(() => {
      if (this.#leading) this.#stepDown();
    }).finally(() => {
      this.#ticking = null;
    });
    return this.#ticking;
  }

  async #keepAlive(): Promise<void> {
    if (this.#lease === null || !(await this.#etcd.keepAlive(this.#lease))) this.#stepDown();
  }

  async #campaign(): Promise<void> {
    if (this.#leader !== null && this.#leader.id !== this.#selfId) return;
    const lease = await this.#etcd.grant(this.#leaseSeconds);
    const won = await this.#etcd.txn([{ key: this.#leaderKey, target: 'CREATE', createRevision: 0 }],
      [{ key: this.#leaderKey, value: this.#selfValue, lease }]);
    if (!won.succeeded) {
      await this.#etcd.revoke(lease).catch(() => undefined);
      await this.#readLeader();
      return;
    }
    // Before answering anything, apply every entry committed up to the revision we won at.
    await this.#catchUp(won.revision);
    if (this.#closed) return;
    this.#lease = lease;
    this.#leaderRevision = won.revision;
    this.#leader = { id: this.#selfId, address: this.#address };
    this.#leading = true;
  }

  #stepDown(): void {
    this.#leading = false;
    this.#lease = null;
    if (this.#leader?.id === this.#selfId) this.#leader = null;
  }

  async #readLeader(): Promise<void> {
    const { kvs } = await this.#etcd.range(this.#leaderKey, null);
    this.#leader = kvs[0] === undefined ? null : leaderOf(kvs[0]);
  }

  /** Applies every entry after the applied one (up to `revision` when given); returns the revision read at. */
  async #catchUp(revision: number): Promise<number> {
    let readAt = revision;
    for (;;) {
      const from = this.#logPrefix + String(this.#applied + 1).padStart(INDEX_DIGITS, '0');
      const page = await this.#etcd.range(from, prefixEnd(this.#logPrefix), 1000, readAt);
      if (readAt === 0) readAt = page.revision;
      for (const kv of page.kvs) this.#applyKv(kv);
      if (!page.more) return readAt;
    }
  }

  /** Watches the prefix until closed; after a broken stream, catches up and watches again. */
  async #watchLoop(startRevision: number): Promise<void> {
    let from = startRevision;
    while (!this.#closed) {
      let last = from - 1;
      await this.#etcd.watch(this.#prefix + '/', prefixEnd(this.#prefix + '/'), from, (events) => {
        for (const event of events) {
          this.#onWatchEvent(event);
          last = Math.max(last, event.kv.modRevision);
        }
      }, this.#abort.signal);
      if (this.#closed) return;
      await new Promise((resolve) => setTimeout(resolve, 200).unref());
      try {
        from = (await this.#catchUp(0)) + 1;
        await this.#readLeader();
        await this.#members.refresh();
      } catch {
        from = last + 1;
      }
    }
  }

  #onWatchEvent(event: EtcdWatchEvent): void {
    if (this.#members.onWatchEvent(event)) return;
    if (event.kv.key === this.#leaderKey) {
      this.#leader = event.type === 'DELETE' ? null : leaderOf(event.kv);
      if (event.type === 'DELETE' && this.#leading) this.#stepDown();
      // No leader: campaign now rather than at the next tick.
      if (event.type === 'DELETE') void this.#tick();
      return;
    }
    if (event.type === 'PUT' && event.kv.key.startsWith(this.#logPrefix)) this.#applyKv(event.kv);
  }

  #applyKv(kv: EtcdKeyValue): void {
    const index = Number(kv.key.slice(this.#logPrefix.length));
    if (!Number.isSafeInteger(index) || index <= this.#applied) return;
    if (index !== this.#applied + 1) {
      // Not seen in order (a watch restarted late): read what is missing instead.
      void this.#catchUp(0).catch(() => undefined);
      return;
    }
    this.#applyEntry(index, parseLogEvents(kv.value, `${kv.key}`));
  }

  #applyEntry(index: number, events: readonly ControllerLogEvent[]): void {
    this.#applied = index;
    for (const event of events) this.#apply?.(event);
  }
}

function leaderOf(kv: EtcdKeyValue): ControllerLeaderInfo {
  try {
    const parsed = JSON.parse(kv.value) as { id?: unknown; address?: unknown };
    return { id: typeof parsed.id === 'string' ? parsed.id : '?', address: typeof parsed.address === 'string' ? parsed.address : null };
  } catch {
    return { id: '?', address: null };
  }
}
