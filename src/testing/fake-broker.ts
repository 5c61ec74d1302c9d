/**
 * A pretend RocketMQ broker for tests: registers with name servers over TCP
 * as a broker does, heartbeats, and answers what producers send.
 * @module
 */
import { BrokerListener } from './broker-listener.js';
import { BrokerRegistrationError, WaitTimeoutError } from './errors.js';
import { homesOf, type HomedBroker } from './homes.js';
import { NamesrvConnection } from './namesrv-connection.js';
import { MessageLog, type ReceivedMessage, type SendBehavior } from './message-log.js';
import { buildRegisterBrokerRequest, topicConfigsOf, type TopicsSpec } from './registration.js';
import {
  InvalidOptionError, RequestCode, ResponseCode, SerializeType,
  type AclCredentials, type DataVersion, type RemotingCommand, type SerializeTypeValue, type TopicConfig,
} from './deps.js';

/** Options of {@link FakeBroker.start}. */
export interface FakeBrokerOptions {
  /** Name servers to register with: `'host:port'`, `'a:9876;b:9876'` or an array, like a broker's `namesrvAddr`. */
  readonly namesrvAddr: string | readonly string[];
  readonly brokerName: string;
  /** @default 'DefaultCluster' */
  readonly clusterName?: string;
  /** 0 for a master, > 0 for a slave. @default 0 */
  readonly brokerId?: number;
  /** The broker's topics: names (4 read and 4 write queues, perm 6) or configs by name. Its system topics are added. @default [] */
  readonly topics?: TopicsSpec;
  /** How often it re-sends its registration (same data version), as a broker's heartbeat. @default 30_000 */
  readonly heartbeatIntervalMillis?: number;
  /**
   * The clock its heartbeats follow. Given (or inherited from a test name
   * server started with `now`, see below), no real timer runs: it heartbeats
   * when {@link FakeBroker.tick} (or the name server's `tick()`) finds one due
   * on this clock, or when {@link FakeBroker.heartbeat} is called. Not given, it
   * takes the clock of the first test name server of this process in
   * `namesrvAddr` that has one; otherwise it heartbeats on a real timer.
   * @default the test name server's `now`, else real time
   */
  readonly now?: () => number;
  /** Sent to the name server: how long it may go without a heartbeat. @default the name server's own (120 s) */
  readonly heartbeatTimeoutMillis?: number;
  /** Register TBW102, so producers can send to topics the name server does not know. @default true */
  readonly autoCreateTopic?: boolean;
  /** Send the compressed registration body (a broker's `compressedRegister`). @default false */
  readonly compressedRegistration?: boolean;
  /** Header serialization of its requests to name servers. @default SerializeType.JSON */
  readonly serializeType?: SerializeTypeValue;
  /** How long each request to a name server may take. @default 3_000 */
  readonly requestTimeoutMillis?: number;
  /** @default false */
  readonly enableActingMaster?: boolean;
  readonly zoneName?: string;
  /** Answer sends only after this many milliseconds (a slow broker). @default 0 */
  readonly sendDelayMillis?: number;
  /** Answer sends with this response code instead of SUCCESS, storing nothing (a failing broker). @default 0 */
  readonly sendResponseCode?: number;
  /**
   * Signs every request to name servers (REGISTER_BROKER, UNREGISTER_BROKER)
   * with RocketMQ ACL 1.0 credentials, as a broker with `aclEnable` does:
   * extFields `AccessKey`, `SecurityToken` when set, and `Signature`.
   * @default undefined (requests are not signed)
   */
  readonly credentials?: AclCredentials;
}

/** Options of {@link FakeBroker.waitForMessages}. */
export interface WaitForMessagesOptions {
  /** @default 5_000 */
  readonly timeoutMillis?: number;
}

interface Identity {
  brokerId: number;
  dataVersion: DataVersion;
  topics: Map<string, TopicConfig>;
}

/**
 * A broker on 127.0.0.1 that real RocketMQ producers find through the name
 * server and send to: it answers SEND_MESSAGE (10), SEND_MESSAGE_V2 (310),
 * SEND_BATCH_MESSAGE (320), HEART_BEAT (34) and UNREGISTER_CLIENT (35), in
 * the header serialization the request came in, and records {@link messages}.
 *
 * @example
 * ```ts
 * const ns = await startTestNamesrv();
 * const broker = await FakeBroker.start({ namesrvAddr: ns.address, brokerName: 'broker-a', topics: ['Orders'] });
 * // … the producer under test sends to 'Orders' through ns.address …
 * expect(broker.messages[0]?.body.toString()).toBe('hello');
 * await broker.stop();
 * await ns.close();
 * ```
 */
export class FakeBroker implements HomedBroker {
  readonly brokerName: string;
  readonly clusterName: string;
  /** The name servers it registers with, as `host:port`. */
  readonly namesrvAddrs: readonly string[];
  readonly #options: FakeBrokerOptions;
  readonly #listener: BrokerListener;
  readonly #log: MessageLog;
  readonly #links: NamesrvConnection[] = [];
  readonly #identity: Identity;
  #port = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  /** The injected clock (no real heartbeat timer), or null. */
  readonly #clock: (() => number) | null;
  /** When the last heartbeat was sent, on {@link #clock} (or real time). */
  #lastBeat = 0;
  readonly #inFlight = new Set<Promise<unknown>>();
  #masterAddr: string | null = null;
  #stopping: Promise<void> | null = null;
  #halted: Promise<void> | null = null;

  private constructor(options: FakeBrokerOptions) {
    this.#options = options;
    this.brokerName = options.brokerName;
    this.clusterName = options.clusterName ?? 'DefaultCluster';
    this.namesrvAddrs = parseNamesrvAddr(options.namesrvAddr);
    this.#clock = options.now ?? homesOf(this.namesrvAddrs).find((home) => home.now !== null)?.now ?? null;
    this.#identity = {
      brokerId: options.brokerId ?? 0,
      dataVersion: { stateVersion: 0, timestamp: this.#now(), counter: 1 },
      topics: topicConfigsOf(options.topics),
    };
    const behavior = options.sendDelayMillis !== undefined || options.sendResponseCode !== undefined
      ? { delayMillis: options.sendDelayMillis ?? 0, responseCode: options.sendResponseCode ?? ResponseCode.SUCCESS }
      : null;
    this.#log = new MessageLog('127.0.0.1', () => this.#port, behavior);
    this.#listener = new BrokerListener((request) => this.#log.handle(request));
  }

  /**
   * Starts listening on an ephemeral loopback port and registers with every
   * name server; resolves once each answered SUCCESS.
   * @throws {@link BrokerRegistrationError} when one refuses or cannot be reached (everything opened is closed);
   *   {@link InvalidOptionError} when an option is invalid.
   */
  static async start(options: FakeBrokerOptions): Promise<FakeBroker> {
    checkOptions(options);
    const broker = new FakeBroker(options);
    try {
      await broker.#start();
    } catch (err) {
      await broker.crash();
      throw err;
    }
    for (const home of homesOf(broker.namesrvAddrs)) home.adopt(broker);
    return broker;
  }

  /** `127.0.0.1:port`: where producers send, and the `brokerAddr` it registers. */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** Its current id: 0 master, > 0 slave (see {@link switchRole}). */
  get brokerId(): number {
    return this.#identity.brokerId;
  }

  /** The master's address the name server last answered (for a slave), or null. */
  get masterAddr(): string | null {
    return this.#masterAddr;
  }

  /** Messages received, in arrival order; a batch adds one entry per message. */
  get messages(): ReceivedMessage[] {
    return this.#log.messages;
  }

  /** Every request received from producers and consumers, in arrival order. */
  get requests(): readonly RemotingCommand[] {
    return this.#log.requests;
  }

  /** Open connections from producers and consumers. */
  get connectionCount(): number {
    return this.#listener.connectionCount;
  }

  /** True once {@link stop} or {@link crash} was called. */
  get stopped(): boolean {
    return this.#halted !== null || this.#stopping !== null;
  }

  /**
   * Changes how sends are answered from now on: an error code, a delay, for
   * the next `times` sends or all. `null` restores prompt SUCCESS.
   */
  setSendBehavior(behavior: SendBehavior | null): void {
    this.#log.setBehavior(behavior);
  }

  /**
   * Sends a heartbeat now (REGISTER_BROKER with the same data version) to
   * every name server, reconnecting where the connection was lost.
   * @throws {@link BrokerRegistrationError} when a name server refuses or cannot be reached.
   */
  heartbeat(): Promise<void> {
    return this.#track(this.#registerAll());
  }

  /**
   * Sends a heartbeat when one is due: `heartbeatIntervalMillis` or more
   * since the last one, on its clock. Resolves whether it sent one (false once
   * stopped). What a test on a fake clock calls after moving it (a test name
   * server's `tick()` calls it for every broker registered with it).
   * @throws {@link BrokerRegistrationError} when a name server refuses or cannot be reached.
   */
  async tick(): Promise<boolean> {
    if (this.stopped) return false;
    if (this.#now() - this.#lastBeat < (this.#options.heartbeatIntervalMillis ?? 30_000)) return false;
    await this.heartbeat();
    return true;
  }

  /**
   * Becomes broker `brokerId` (0: master, > 0: slave) and registers again
   * with a new data version, as a RocketMQ 5 broker does when its role
   * changes; the name server replaces its entry for this address.
   */
  switchRole(brokerId: number): Promise<void> {
    if (!Number.isSafeInteger(brokerId) || brokerId < 0) {
      return Promise.reject(new InvalidOptionError('brokerId', `must be an integer >= 0, got ${String(brokerId)}`));
    }
    this.#identity.brokerId = brokerId;
    this.#bumpVersion();
    return this.heartbeat();
  }

  /** Adds or replaces topics and registers them with a new data version, as a broker does when a topic is created. */
  updateTopics(topics: TopicsSpec): Promise<void> {
    for (const [name, config] of topicConfigsOf(topics)) this.#identity.topics.set(name, config);
    this.#bumpVersion();
    return this.heartbeat();
  }

  /**
   * Resolves with {@link messages} once it holds at least `count` entries.
   * @throws {@link WaitTimeoutError} after `timeoutMillis`.
   */
  waitForMessages(count: number, options: WaitForMessagesOptions = {}): Promise<ReceivedMessage[]> {
    const timeoutMillis = options.timeoutMillis ?? 5_000;
    const messages = this.#log.messages;
    if (messages.length >= count) return Promise.resolve(messages);
    return new Promise((resolve, reject) => {
      const remove = this.#log.onMessage(() => {
        if (messages.length < count) return;
        clearTimeout(timer);
        remove();
        resolve(messages);
      });
      const timer = setTimeout(() => {
        remove();
        reject(new WaitTimeoutError(`${count} messages at ${this.brokerName} (got ${messages.length})`, timeoutMillis));
      }, timeoutMillis);
    });
  }

  /**
   * Unregisters from every name server (waiting for each answer or failure),
   * then closes its listener, every connection (producers' included) and its
   * heartbeat timer. Idempotent; after {@link crash} it only waits for that.
   */
  stop(): Promise<void> {
    if (this.#halted !== null) return this.#halted;
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /**
   * Disappears without a word: closes its listener, every connection and its
   * timer, unregistering nowhere. The name servers see their connections
   * close. Idempotent; during {@link stop} it cuts the unregistration short.
   */
  async crash(): Promise<void> {
    await this.#halt();
    if (this.#stopping !== null) await this.#stopping;
  }

  async #start(): Promise<void> {
    this.#port = await this.#listener.listen();
    const timeoutMillis = this.#options.requestTimeoutMillis ?? 3_000;
    for (const addr of this.namesrvAddrs) {
      const { host, port } = splitAddr(addr);
      this.#links.push(new NamesrvConnection(addr, host, port, timeoutMillis, this.#options.serializeType ?? SerializeType.JSON,
        this.#options.credentials ?? null));
    }
    await this.#registerAll();
    // On a fake clock, heartbeats are the test's: tick() or heartbeat().
    if (this.#clock !== null) return;
    const interval = this.#options.heartbeatIntervalMillis ?? 30_000;
    this.#timer = setInterval(() => {
      if (this.stopped) return;
      // A missed heartbeat is what the test may be about: the name server decides what it means.
      this.heartbeat().catch(() => undefined);
    }, interval);
    // A test that forgets stop() is kept alive by the listener, not by this timer.
    this.#timer.unref();
  }

  async #stop(): Promise<void> {
    this.#clearTimer();
    await Promise.allSettled([...this.#inFlight]);
    const request = {
      clusterName: this.clusterName, brokerName: this.brokerName, brokerAddr: this.address, brokerId: String(this.#identity.brokerId),
    };
    await Promise.allSettled(this.#links.map(async (link) => {
      if (this.#halted === null) await link.invoke(RequestCode.UNREGISTER_BROKER, request);
    }));
    await this.#halt();
  }

  #halt(): Promise<void> {
    this.#halted ??= (async () => {
      this.#clearTimer();
      this.#log.close();
      await Promise.all([this.#listener.close(), ...this.#links.map((link) => link.close())]);
    })();
    return this.#halted;
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #registerAll(): Promise<void> {
    if (this.#halted !== null) throw new BrokerRegistrationError(this.namesrvAddrs.join(';'), null, 'the broker is stopped');
    // A heartbeat is due an interval after this one was sent, answered or not (as a broker's schedule).
    this.#lastBeat = this.#now();
    const request = buildRegisterBrokerRequest({
      clusterName: this.clusterName,
      brokerName: this.brokerName,
      brokerAddr: this.address,
      brokerId: this.#identity.brokerId,
      topics: this.#identity.topics,
      autoCreateTopic: this.#options.autoCreateTopic,
      dataVersion: this.#identity.dataVersion,
      compressed: this.#options.compressedRegistration,
      heartbeatTimeoutMillis: this.#options.heartbeatTimeoutMillis,
      enableActingMaster: this.#options.enableActingMaster,
      zoneName: this.#options.zoneName,
    });
    const results = await Promise.allSettled(this.#links.map(async (link) => {
      let response: RemotingCommand;
      try {
        response = await link.invoke(request.code, request.extFields, request.body);
      } catch (err) {
        throw new BrokerRegistrationError(link.addr, null, (err as Error).message, { cause: err });
      }
      if (response.code !== ResponseCode.SUCCESS) {
        throw new BrokerRegistrationError(link.addr, response.code, `response code ${response.code}: ${response.remark ?? ''}`);
      }
      return response.extFields['masterAddr'] ?? null;
    }));
    for (const result of results) if (result.status === 'rejected') throw result.reason;
    const first = results[0];
    if (first?.status === 'fulfilled') this.#masterAddr = first.value;
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const done = (): void => {
      this.#inFlight.delete(promise);
    };
    promise.then(done, done);
    return promise;
  }

  #bumpVersion(): void {
    const v = this.#identity.dataVersion;
    this.#identity.dataVersion = { stateVersion: v.stateVersion ?? 0, timestamp: this.#now(), counter: v.counter + 1 };
  }

  #now(): number {
    return this.#clock === null ? Date.now() : this.#clock();
  }
}

/** Splits a broker-style `namesrvAddr` (`a:9876;b:9876` or an array) into addresses. */
export function parseNamesrvAddr(namesrvAddr: string | readonly string[]): string[] {
  const list = typeof namesrvAddr === 'string' ? namesrvAddr.split(';') : [...namesrvAddr];
  const addrs = list.map((a) => (typeof a === 'string' ? a.trim() : '')).filter((a) => a !== '');
  if (addrs.length === 0) throw new InvalidOptionError('namesrvAddr', 'must name at least one name server as host:port');
  for (const addr of addrs) splitAddr(addr);
  return addrs;
}

function splitAddr(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  const port = Number(addr.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidOptionError('namesrvAddr', `must list addresses as host:port, got ${JSON.stringify(addr)}`);
  }
  return { host: addr.slice(0, colon), port };
}

function checkOptions(options: FakeBrokerOptions): void {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('FakeBroker', 'options must be an object');
  if (typeof options.brokerName !== 'string' || options.brokerName === '') throw new InvalidOptionError('brokerName', 'must be a non-empty string');
  if (options.clusterName !== undefined && (typeof options.clusterName !== 'string' || options.clusterName === '')) {
    throw new InvalidOptionError('clusterName', 'must be a non-empty string');
  }
  const id = options.brokerId ?? 0;
  if (!Number.isSafeInteger(id) || id < 0) throw new InvalidOptionError('brokerId', `must be an integer >= 0, got ${String(id)}`);
  if (options.now !== undefined && typeof options.now !== 'function') throw new InvalidOptionError('now', 'must be a function returning epoch ms');
  for (const name of ['heartbeatIntervalMillis', 'requestTimeoutMillis'] as const) {
    const v = options[name];
    if (v !== undefined && (typeof v !== 'number' || !(v > 0) || v > 0x7fffffff)) {
      throw new InvalidOptionError(`${name}`, `must be a positive number of milliseconds, got ${String(v)}`);
    }
  }
  const delay = options.sendDelayMillis;
  if (delay !== undefined && (typeof delay !== 'number' || !(delay >= 0) || delay > 0x7fffffff)) {
    throw new InvalidOptionError('sendDelayMillis', `must be a number of milliseconds >= 0, got ${String(delay)}`);
  }
  parseNamesrvAddr(options.namesrvAddr);
  topicConfigsOf(options.topics);
  checkCredentials(options.credentials);
}

function checkCredentials(credentials: AclCredentials | undefined): void {
  if (credentials === undefined) return;
  if (typeof credentials !== 'object' || credentials === null) throw new InvalidOptionError('credentials', 'must be an object');
  const { accessKey, secretKey, securityToken } = credentials;
  if (typeof accessKey !== 'string' || accessKey === '' || typeof secretKey !== 'string' || secretKey === '') {
    throw new InvalidOptionError('credentials', 'needs non-empty accessKey and secretKey strings');
  }
  if (securityToken !== undefined && typeof securityToken !== 'string') {
    throw new InvalidOptionError('credentials.securityToken', 'must be a string');
  }
}
