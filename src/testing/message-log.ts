/**
 * What a fake broker does with producers' requests: stores sent messages in
 * arrival order, hands out queue offsets and offset message ids, and answers
 * as configured (success, an error code, after a delay).
 * @module
 */
import type { BrokerReply } from './broker-listener.js';
import {
  BrokerRequestCode, createOffsetMessageId, decodeBatchMessages, decodeMessageProperties, decodeSendRequestHeader, encodeMessageProperties, inflateMessageBody,
  isSendRequest, storedMessageSize, type SendRequestHeader,
} from './broker-protocol.js';
import { ResponseCode, type RemotingCommand } from './deps.js';

/** A message a producer sent to a {@link FakeBroker}. */
export interface ReceivedMessage {
  readonly topic: string;
  /** The body, inflated when the producer compressed it. */
  readonly body: Buffer;
  /** The `TAGS` property. */
  readonly tags?: string;
  /** The `KEYS` property (space-separated keys). */
  readonly keys?: string;
  /** The queue the producer chose. */
  readonly queueId: number;
  /** Every property sent (`UNIQ_KEY`, `WAIT`, user properties…). */
  readonly properties: Record<string, string>;
}

/** How a {@link FakeBroker} answers sends; see {@link FakeBroker.setSendBehavior}. */
export interface SendBehavior {
  /**
   * The response code of sends; anything but 0 (SUCCESS) refuses them and
   * stores nothing. Producers retry another broker on e.g. 1 (SYSTEM_ERROR),
   * 14 (SERVICE_NOT_AVAILABLE) or 17 (TOPIC_NOT_EXIST).
   * @default 0
   */
  readonly responseCode?: number;
  /** The remark of a refusal. @default 'refused by FakeBroker' */
  readonly remark?: string;
  /** Answer (and store) only after this many milliseconds: longer than the producer's timeout makes it time out. @default 0 */
  readonly delayMillis?: number;
  /** Apply to the next this many sends only, then answer normally again. @default every send */
  readonly times?: number;
}

interface Delayed {
  readonly timer: ReturnType<typeof setTimeout>;
  readonly resolve: (reply: BrokerReply | null) => void;
}

/** Keeps a broker's messages, queue offsets and commit log position. */
export class MessageLog {
  /** Messages in arrival order; a batch adds one per message. */
  readonly messages: ReceivedMessage[] = [];
  /** Every request received, in arrival order (bodies copied). */
  readonly requests: RemotingCommand[] = [];
  readonly #host: string;
  readonly #port: () => number;
  /** topic → queueId → next queue offset. */
  readonly #offsets = new Map<string, Map<number, number>>();
  #commitLogOffset = 0n;
  #behavior: SendBehavior | null = null;
  #remaining = Infinity;
  readonly #delayed = new Set<Delayed>();
  #closed = false;
  readonly #waiters = new Set<() => void>();

  constructor(host: string, port: () => number, behavior: SendBehavior | null) {
    this.#host = host;
    this.#port = port;
    this.setBehavior(behavior);
  }

  /** Replaces the send behavior; null answers every send with SUCCESS at once. */
  setBehavior(behavior: SendBehavior | null): void {
    this.#behavior = behavior;
    this.#remaining = behavior?.times ?? Infinity;
  }

  /** Registers a callback run after each stored message; returns its remover. */
  onMessage(callback: () => void): () => void {
    this.#waiters.add(callback);
    return () => this.#waiters.delete(callback);
  }

  /** Answers one request from a producer. */
  handle(request: RemotingCommand): BrokerReply | Promise<BrokerReply | null> {
    if (this.#closed) return Promise.resolve(null);
    this.requests.push({ ...request, body: request.body === null ? null : Buffer.from(request.body) });
    if (request.code === BrokerRequestCode.HEART_BEAT || request.code === BrokerRequestCode.UNREGISTER_CLIENT) {
      return { code: ResponseCode.SUCCESS };
    }
    if (!isSendRequest(request.code)) {
      return { code: ResponseCode.REQUEST_CODE_NOT_SUPPORTED, remark: ` request type ${request.code} not supported` };
    }
    const behavior = this.#behavior;
    if (behavior !== null && this.#remaining-- <= 0) this.setBehavior(null);
    const current = this.#behavior;
    const delay = current?.delayMillis ?? 0;
    if (delay <= 0) return this.#answerSend(request, current);
    return new Promise<BrokerReply | null>((resolve) => {
      const entry: Delayed = {
        timer: setTimeout(() => {
          this.#delayed.delete(entry);
          resolve(this.#closed ? null : this.#answerSend(request, current));
        }, delay),
        resolve,
      };
      this.#delayed.add(entry);
    });
  }

  /** Drops delayed answers and clears their timers; later requests get no answer. */
  close(): void {
    this.#closed = true;
    for (const d of this.#delayed) {
      clearTimeout(d.timer);
      d.resolve(null);
    }
    this.#delayed.clear();
  }

  #answerSend(request: RemotingCommand, behavior: SendBehavior | null): BrokerReply {
    const code = behavior?.responseCode ?? ResponseCode.SUCCESS;
    if (code !== ResponseCode.SUCCESS) return { code, remark: behavior?.remark ?? 'refused by FakeBroker' };
    const header = decodeSendRequestHeader(request.code, request.extFields);
    let decoded: Array<{ body: Buffer; properties: Record<string, string>; propertiesString: string }>;
    try {
      decoded = this.#decodeMessages(request, header);
    } catch (err) {
      return { code: ResponseCode.SYSTEM_ERROR, remark: `FakeBroker cannot decode the message: ${(err as Error).message}` };
    }
    // A negative queue id asks the broker to choose one, as RocketMQ's does (we choose 0).
    const queueId = header.queueId < 0 ? 0 : header.queueId;
    const queueOffset = this.#takeOffsets(header.topic, queueId, decoded.length);
    const ids: string[] = [];
    for (const m of decoded) {
      ids.push(createOffsetMessageId(this.#host, this.#port(), this.#commitLogOffset));
      this.#commitLogOffset += BigInt(storedMessageSize(header.topic, m.body, m.propertiesString));
      this.messages.push(toMessage(header.topic, queueId, m.body, m.properties));
    }
    for (const wake of [...this.#waiters]) wake();
    return {
      code: ResponseCode.SUCCESS,
      extFields: {
        msgId: ids.join(','), queueId: String(queueId), queueOffset: String(queueOffset), MSG_REGION: 'DefaultRegion', TRACE_ON: 'true',
      },
    };
  }

  #decodeMessages(
    request: RemotingCommand, header: SendRequestHeader,
  ): Array<{ body: Buffer; properties: Record<string, string>; propertiesString: string }> {
    const raw = request.body === null ? Buffer.alloc(0) : inflateMessageBody(Buffer.from(request.body), header.sysFlag);
    if (request.code !== BrokerRequestCode.SEND_BATCH_MESSAGE) {
      return [{ body: raw, properties: decodeMessageProperties(header.properties), propertiesString: header.properties }];
    }
    return decodeBatchMessages(raw).map((m) => ({
      body: m.body, properties: m.properties, propertiesString: encodeMessageProperties(m.properties),
    }));
  }

  #takeOffsets(topic: string, queueId: number, count: number): number {
    let queues = this.#offsets.get(topic);
    if (queues === undefined) this.#offsets.set(topic, queues = new Map());
    const first = queues.get(queueId) ?? 0;
    queues.set(queueId, first + count);
    return first;
  }
}

function toMessage(topic: string, queueId: number, body: Buffer, properties: Record<string, string>): ReceivedMessage {
  const message: { -readonly [K in keyof ReceivedMessage]: ReceivedMessage[K] } = { topic, body, queueId, properties };
  if (Object.hasOwn(properties, 'TAGS')) message.tags = properties['TAGS'];
  if (Object.hasOwn(properties, 'KEYS')) message.keys = properties['KEYS'];
  return message;
}
