/**
 * A minimal RocketMQ remoting client: enough to talk to a name server (ours
 * or RocketMQ's) from tests, tools and in-process broker tests.
 * @module
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { InvalidOptionError } from '../core/errors.js';
import { signExtFields, type AclCredentials } from './access/signature.js';
import { checkOptions } from '../core/option-checks.js';
import { FLAG_ONEWAY, FLAG_RESPONSE, LanguageCode, MQVersion, SerializeType, type SerializeTypeValue } from './codes.js';
import type { RemotingCommand } from './command.js';
import { RemotingConnectionError, RemotingTimeoutError } from './errors.js';
import { decodeFrameAt, DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder } from './codec/frame.js';

/** Options of a {@link RemotingClient}. */
export interface RemotingClientOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 9876 */
  readonly port?: number;
  /**
   * How long {@link RemotingClient.invoke} waits for a response by default.
   * @default 3_000
   */
  readonly timeoutMillis?: number;
  /**
   * Header serialization of requests by default.
   * @default SerializeType.JSON
   */
  readonly serializeType?: SerializeTypeValue;
  /**
   * The `version` requests carry by default (an `MQVersion` ordinal). At 401
   * (4.9.4) or above, name servers answer standard JSON routes.
   * @default 479 (RocketMQ 5.3.3)
   */
  readonly version?: number;
  /**
   * Largest response frame accepted.
   * @default 16_777_216 (16 MiB)
   */
  readonly maxFrameBytes?: number;
  /**
   * Signs every request as RocketMQ's `AclClientRPCHook` does (extFields
   * `AccessKey`, `SecurityToken` when set, and `Signature`).
   * @default undefined (requests are not signed)
   */
  readonly credentials?: AclCredentials;
  /**
   * Connect over TLS (RocketMQ's client `tls.enable`). `true` trusts any
   * server certificate, as RocketMQ's Java client does by default
   * (`tls.test.mode.enable`, or `tls.client.authServer=false`): encrypted but
   * not authenticated. Pass `node:tls` options (`ca`, `servername`,
   * `rejectUnauthorized`, ...) to verify the server.
   * @default false
   */
  readonly tls?: boolean | ConnectionOptions;
}

/** Per-call options of {@link RemotingClient.invoke}. */
export interface InvokeOptions {
  readonly timeoutMillis?: number;
  readonly serializeType?: SerializeTypeValue;
  readonly version?: number;
}

/** A response: the decoded command. */
export type RemotingResponse = RemotingCommand;

interface Pending {
  readonly code: number;
  readonly resolve: (response: RemotingResponse) => void;
  readonly reject: (err: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

const DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 9876,
  timeoutMillis: 3_000,
  serializeType: SerializeType.JSON as SerializeTypeValue,
  version: MQVersion.V5_3_3 as number,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  tls: false as boolean | ConnectionOptions,
});
const CLIENT_OPTION_KEYS: ReadonlySet<string> = new Set([...Object.keys(DEFAULTS), 'credentials']);

/**
 * Sends requests over one connection and matches responses by `opaque`.
 *
 * @example
 * ```ts
 * const client = await RemotingClient.connect(9876, '127.0.0.1');
 * const res = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicTest' });
 * if (res.code === ResponseCode.SUCCESS) console.log(JSON.parse(res.body!.toString()));
 * await client.close();
 * ```
 */
export class RemotingClient {
  readonly #options: Required<Omit<RemotingClientOptions, 'credentials'>>;
  readonly #credentials: AclCredentials | null;
  #host: string;
  #port: number;
  #socket: Socket | null = null;
  #connecting: Promise<void> | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextOpaque = 0;
  #closedError: Error | null = null;

  /** @throws {@link InvalidOptionError} when an option is invalid. */
  constructor(options: RemotingClientOptions = {}) {
    const { credentials, ...rest } = checkOptions(options, 'RemotingClient', CLIENT_OPTION_KEYS) as RemotingClientOptions;
    const o = { ...DEFAULTS, ...stripUndefined(rest) };
    checkPort(o.port);
    if (typeof o.host !== 'string' || o.host === '') throw new InvalidOptionError('options.host', 'must be a non-empty string');
    checkTimeout(o.timeoutMillis, 'options.timeoutMillis');
    checkSerializeType(o.serializeType, 'options.serializeType');
    if (!Number.isInteger(o.version)) throw new InvalidOptionError('options.version', 'must be an integer');
    if (!Number.isInteger(o.maxFrameBytes) || o.maxFrameBytes < 1024) {
      throw new InvalidOptionError('options.maxFrameBytes', 'must be an integer of at least 1024');
    }
    if (typeof o.tls !== 'boolean' && (typeof o.tls !== 'object' || o.tls === null)) {
      throw new InvalidOptionError('options.tls', 'must be a boolean or node:tls connection options');
    }
    this.#options = o;
    this.#credentials = credentials === undefined ? null : checkCredentials(credentials);
    this.#host = o.host;
    this.#port = o.port;
  }

  /** Creates a client and connects it. */
  static async connect(port: number, host = '127.0.0.1', options: RemotingClientOptions = {}): Promise<RemotingClient> {
    const client = new RemotingClient({ ...options, port, host });
    await client.connect();
    return client;
  }

  /** True while the connection is open. */
  get connected(): boolean {
    return this.#socket !== null && !this.#socket.destroyed && this.#closedError === null;
  }

  /**
   * Opens the connection (to `port`/`host` when given, else the options').
   * Resolves at once when already connected.
   * @throws {@link RemotingConnectionError} when the connection fails.
   */
  connect(port?: number, host?: string): Promise<void> {
    if (this.#connecting !== null) return this.#connecting;
    if (port !== undefined) {
      try {
        checkPort(port);
      } catch (err) {
        return Promise.reject(err);
      }
      this.#port = port;
    }
    if (host !== undefined) this.#host = host;
    this.#closedError = null;
    this.#connecting = new Promise<void>((resolve, reject) => {
      const tls = this.#options.tls;
      const target = { port: this.#port, host: this.#host, noDelay: true };
      const socket = tls === false ? netConnect(target)
        : tlsConnect({ ...(tls === true ? { rejectUnauthorized: false } : tls), ...target });
      const decoder = new FrameDecoder(this.#options.maxFrameBytes, (buf, start, end) => this.#onFrame(buf, start, end));
      const onConnectError = (err: Error): void => {
        this.#connecting = null;
        reject(new RemotingConnectionError(`cannot connect to ${this.#host}:${this.#port}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onConnectError);
      // Over TLS the connection is usable once the handshake is done.
      socket.once(tls === false ? 'connect' : 'secureConnect', () => {
        socket.off('error', onConnectError);
        socket.on('error', (err) => this.#fail(new RemotingConnectionError(`connection error: ${err.message}`, { cause: err })));
        resolve();
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          decoder.push(chunk);
        } catch (err) {
          this.#fail(new RemotingConnectionError(`bad frame from server: ${(err as Error).message}`, { cause: err }));
          socket.destroy();
        }
      });
      // The server ending its side means no more responses.
      socket.on('end', () => socket.end());
      socket.on('close', () => {
        decoder.dispose();
        this.#fail(new RemotingConnectionError('connection closed'));
        if (this.#socket === socket) {
          this.#socket = null;
          this.#connecting = null;
        }
      });
      this.#socket = socket;
    });
    return this.#connecting;
  }

  /**
   * Sends a request and resolves with its response (whatever its code).
   * @param code - the request code.
   * @param extFields - the custom header; values are converted to strings.
   * @param body - the body, if any.
   * @throws {@link RemotingTimeoutError} when no response comes in time;
   *   {@link RemotingConnectionError} when not connected or the connection closes first.
   */
  async invoke(
    code: number, extFields: Readonly<Record<string, string | number | boolean>> = {}, body: Uint8Array | null = null,
    options: InvokeOptions = {},
  ): Promise<RemotingResponse> {
    const timeoutMillis = options.timeoutMillis ?? this.#options.timeoutMillis;
    checkTimeout(timeoutMillis, 'timeoutMillis');
    const socket = this.#openSocket();
    const opaque = this.#opaque();
    const frame = this.#encode(code, 0, opaque, extFields, body, options);
    return new Promise<RemotingResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(opaque);
        reject(new RemotingTimeoutError(code, timeoutMillis));
      }, timeoutMillis);
      this.#pending.set(opaque, { code, resolve, reject, timer });
      socket.write(frame);
    });
  }

  /**
   * Sends a request that wants no response (flag bit 1). Resolves once the
   * bytes are handed to the OS.
   * @throws {@link RemotingConnectionError} when not connected.
   */
  async invokeOneway(
    code: number, extFields: Readonly<Record<string, string | number | boolean>> = {}, body: Uint8Array | null = null,
    options: InvokeOptions = {},
  ): Promise<void> {
    const socket = this.#openSocket();
    const frame = this.#encode(code, FLAG_ONEWAY, this.#opaque(), extFields, body, options);
    return new Promise<void>((resolve, reject) => {
      socket.write(frame, (err) => (err ? reject(new RemotingConnectionError(err.message, { cause: err })) : resolve()));
    });
  }

  /** Closes the connection; pending requests fail with {@link RemotingConnectionError}. Idempotent. */
  async close(): Promise<void> {
    const socket = this.#socket;
    this.#fail(new RemotingConnectionError('client closed'));
    if (socket === null || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  #openSocket(): Socket {
    const socket = this.#socket;
    if (socket === null || socket.destroyed || socket.connecting || this.#closedError !== null) {
      throw new RemotingConnectionError('not connected: call and await connect() first');
    }
    return socket;
  }

  #opaque(): number {
    // Wraps within int32 and skips opaques still waiting for a response.
    do this.#nextOpaque = (this.#nextOpaque + 1) | 0;
    while (this.#pending.has(this.#nextOpaque));
    return this.#nextOpaque;
  }

  #encode(
    code: number, flag: number, opaque: number, extFields: Readonly<Record<string, string | number | boolean>>,
    body: Uint8Array | null, options: InvokeOptions,
  ): Buffer {
    const serializeType = options.serializeType ?? this.#options.serializeType;
    checkSerializeType(serializeType, 'serializeType');
    const ext: Record<string, string> = {};
    for (const key of Object.keys(extFields)) {
      const value = extFields[key];
      if (value === undefined || value === null) continue;
      Object.defineProperty(ext, key, { value: String(value), enumerable: true, writable: true, configurable: true });
    }
    return encodeFrame({
      code, language: LanguageCode.JAVA, version: options.version ?? this.#options.version, opaque, flag, remark: null,
      extFields: this.#credentials === null ? ext : signExtFields(this.#credentials, ext, body),
    }, body, serializeType);
  }

  #onFrame(buf: Buffer, start: number, end: number): void {
    const response = decodeFrameAt(buf, start, end);
    if ((response.flag & FLAG_RESPONSE) === 0) return;
    const pending = this.#pending.get(response.opaque);
    if (pending === undefined) return;
    this.#pending.delete(response.opaque);
    clearTimeout(pending.timer);
    // The body is a view into a read buffer the decoder never reuses, so handing it out is safe.
    pending.resolve(response);
  }

  #fail(err: Error): void {
    this.#closedError ??= err;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}

function stripUndefined(options: RemotingClientOptions): RemotingClientOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RemotingClientOptions;
}

function checkPort(port: unknown): void {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidOptionError('port', `must be an integer from 0 to 65535, got ${String(port)}`);
  }
}

function checkTimeout(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 0x7fffffff) {
    throw new InvalidOptionError(name, `must be a positive number of milliseconds, got ${String(value)}`);
  }
}

function checkCredentials(value: AclCredentials): AclCredentials {
  if (typeof value !== 'object' || value === null) throw new InvalidOptionError('options.credentials', 'must be an object');
  const { accessKey, secretKey, securityToken } = value;
  if (typeof accessKey !== 'string' || accessKey === '' || typeof secretKey !== 'string' || secretKey === '') {
    throw new InvalidOptionError('options.credentials', 'needs non-empty accessKey and secretKey strings');
  }
  if (securityToken !== undefined && typeof securityToken !== 'string') {
    throw new InvalidOptionError('options.credentials.securityToken', 'must be a string');
  }
  return Object.freeze({ accessKey, secretKey, ...(securityToken === undefined ? {} : { securityToken }) });
}

function checkSerializeType(value: unknown, name: string): void {
  if (value !== SerializeType.JSON && value !== SerializeType.ROCKETMQ) {
    throw new InvalidOptionError(name, 'must be SerializeType.JSON (0) or SerializeType.ROCKETMQ (1)');
  }
}
