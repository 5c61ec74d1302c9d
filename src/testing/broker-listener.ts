/**
 * The listening side of a fake broker: accepts producers' connections on
 * loopback, splits frames, hands each request to a handler and writes its
 * answer in the request's header serialization.
 * @module
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  decodeFrameAt, encodeFrame, FLAG_ONEWAY, FLAG_RESPONSE, FrameDecoder, LanguageCode, MQVersion, type RemotingCommand,
} from './deps.js';

/** What a handler answers. */
export interface BrokerReply {
  readonly code: number;
  readonly remark?: string | null;
  readonly extFields?: Record<string, string>;
}

/** Handles one request; a promise delays the answer. */
export type BrokerRequestHandler = (request: RemotingCommand) => BrokerReply | Promise<BrokerReply | null>;

/** Frames larger than RocketMQ's default `frameMaxLength` are refused, as a broker does. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** A TCP listener on 127.0.0.1 that answers RocketMQ requests. */
export class BrokerListener {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #handler: BrokerRequestHandler;
  #closed: Promise<void> | null = null;

  constructor(handler: BrokerRequestHandler) {
    this.#handler = handler;
    this.#server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
  }

  /** Listens on an ephemeral loopback port; resolves the port. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ port: 0, host: '127.0.0.1' }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return (this.#server.address() as AddressInfo).port;
  }

  /** Open connections (producers and consumers). */
  get connectionCount(): number {
    return this.#sockets.size;
  }

  /** Stops listening and destroys every connection at once; resolves when all are closed. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    const listening = this.#server.listening
      ? new Promise<void>((resolve) => this.#server.close(() => resolve()))
      : Promise.resolve();
    const sockets = [...this.#sockets].map((socket) => new Promise<void>((resolve) => {
      if (socket.closed) resolve();
      else socket.once('close', () => resolve());
      socket.destroy();
    }));
    await Promise.all([listening, ...sockets]);
  }

  #accept(socket: Socket): void {
    if (this.#closed !== null) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    const decoder = new FrameDecoder(MAX_FRAME_BYTES, (buf, start, end) => this.#onFrame(socket, decodeFrameAt(buf, start, end)));
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
      } catch {
        // Bytes that are not frames: a broker closes such a connection.
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      decoder.dispose();
      this.#sockets.delete(socket);
    });
  }

  #onFrame(socket: Socket, request: RemotingCommand): void {
    if ((request.flag & FLAG_RESPONSE) !== 0) return;
    const answer = (reply: BrokerReply | null): void => {
      if (reply === null || (request.flag & FLAG_ONEWAY) !== 0 || socket.destroyed || socket.writableEnded) return;
      socket.write(encodeFrame({
        code: reply.code, language: LanguageCode.JAVA, version: MQVersion.V5_3_3, opaque: request.opaque, flag: FLAG_RESPONSE,
        remark: reply.remark ?? null, extFields: reply.extFields ?? {},
      }, null, request.serializeType));
    };
    const reply = this.#handler(request);
    if (reply instanceof Promise) reply.then(answer, () => socket.destroy());
    else answer(reply);
  }
}
