/**
 * A fake broker's connection to one name server: requests matched to
 * answers by `opaque`, and a close that ends the connection the way a dying
 * process does (FIN), waiting until the name server closed its side too.
 * @module
 */
import { connect as netConnect, type Socket } from 'node:net';
import {
  decodeFrameAt, encodeFrame, FLAG_RESPONSE, FrameDecoder, LanguageCode, MQVersion, signExtFields,
  type AclCredentials, type RemotingCommand, type SerializeTypeValue,
} from './deps.js';

/** How long close() waits for the name server to close its side before cutting the connection. */
const CLOSE_GRACE_MILLIS = 1_000;
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

interface Pending {
  readonly socket: Socket;
  readonly resolve: (response: RemotingCommand) => void;
  readonly reject: (err: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** One connection to a name server, reopened on demand. */
export class NamesrvConnection {
  readonly addr: string;
  readonly #host: string;
  readonly #port: number;
  readonly #timeoutMillis: number;
  readonly #serializeType: SerializeTypeValue;
  readonly #credentials: AclCredentials | null;
  #socket: Socket | null = null;
  #connecting: Promise<Socket> | null = null;
  readonly #pending = new Map<number, Pending>();
  #opaque = 0;

  /** `credentials`: sign every request as RocketMQ's `AclClientRPCHook` does, or null. */
  constructor(
    addr: string, host: string, port: number, timeoutMillis: number, serializeType: SerializeTypeValue, credentials: AclCredentials | null = null,
  ) {
    this.addr = addr;
    this.#credentials = credentials;
    this.#host = host;
    this.#port = port;
    this.#timeoutMillis = timeoutMillis;
    this.#serializeType = serializeType;
  }

  /** Sends a request (signed when the connection has credentials) and resolves its answer, connecting first when needed. */
  async invoke(code: number, extFields: Record<string, string>, body: Buffer | null = null): Promise<RemotingCommand> {
    const socket = await this.#open();
    const opaque = this.#opaque = (this.#opaque + 1) | 0;
    const frame = encodeFrame({
      code, language: LanguageCode.JAVA, version: MQVersion.V5_3_3, opaque, flag: 0, remark: null,
      // Signed over the body as sent (a compressed body compressed), as the broker's RPC hook does.
      extFields: this.#credentials === null ? extFields : signExtFields(this.#credentials, extFields, body),
    }, body, this.#serializeType);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(opaque);
        reject(new Error(`request ${code} got no answer within ${this.#timeoutMillis} ms`));
      }, this.#timeoutMillis);
      this.#pending.set(opaque, { socket, resolve, reject, timer });
      socket.write(frame);
    });
  }

  /**
   * Ends the connection (FIN) and resolves once it is closed on both sides:
   * by then the name server has seen it close. A peer that keeps its side
   * open is cut off after a grace period. Pending requests fail.
   */
  async close(): Promise<void> {
    const socket = this.#socket ?? (await this.#connecting?.catch(() => null)) ?? null;
    this.#socket = null;
    this.#connecting = null;
    this.#failAll(new Error('connection closed'));
    if (socket === null || socket.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MILLIS);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  #open(): Promise<Socket> {
    if (this.#socket !== null && !this.#socket.destroyed && this.#socket.writable) return Promise.resolve(this.#socket);
    this.#connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = netConnect({ host: this.#host, port: this.#port, noDelay: true });
      const decoder = new FrameDecoder(MAX_FRAME_BYTES, (buf, start, end) => this.#onFrame(decodeFrameAt(buf, start, end)));
      socket.once('connect', () => {
        this.#socket = socket;
        this.#connecting = null;
        resolve(socket);
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          decoder.push(chunk);
        } catch {
          socket.destroy();
        }
      });
      socket.on('error', (err) => {
        if (this.#connecting !== null && this.#socket !== socket) {
          this.#connecting = null;
          reject(new Error(`cannot connect to ${this.addr}: ${err.message}`, { cause: err }));
        }
      });
      socket.on('close', () => {
        decoder.dispose();
        if (this.#socket === socket) this.#socket = null;
        this.#failAll(new Error(`connection to ${this.addr} closed`), socket);
      });
    });
    return this.#connecting;
  }

  #onFrame(response: RemotingCommand): void {
    if ((response.flag & FLAG_RESPONSE) === 0) return;
    const pending = this.#pending.get(response.opaque);
    if (pending === undefined) return;
    this.#pending.delete(response.opaque);
    clearTimeout(pending.timer);
    pending.resolve(response);
  }

  /** Fails the requests waiting on `socket`, or all. */
  #failAll(err: Error, socket?: Socket): void {
    for (const [opaque, p] of [...this.#pending]) {
      if (socket !== undefined && p.socket !== socket) continue;
      this.#pending.delete(opaque);
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}
