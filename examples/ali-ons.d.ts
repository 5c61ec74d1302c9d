/**
 * The part of ali-ons (a Node RocketMQ client without type declarations)
 * the examples use. Copy it next to your tests, or use your own.
 */
declare module 'ali-ons' {
  export class Message {
    constructor(topic: string, tags: string, body: string | Buffer);
    topic: string;
    keys: string | string[];
  }
  export interface SendResult {
    sendStatus: 'SEND_OK' | 'FLUSH_DISK_TIMEOUT' | 'FLUSH_SLAVE_TIMEOUT' | 'SLAVE_NOT_AVAILABLE';
    msgId: string;
    queueOffset: number;
    messageQueue: { topic: string; brokerName: string; queueId: number | string };
  }
  export class Producer {
    constructor(options: { nameSrv: string | string[]; producerGroup: string; httpclient?: object; [option: string]: unknown });
    ready(): Promise<void>;
    send(msg: Message): Promise<SendResult>;
    close(): Promise<void>;
    on(event: 'error', listener: (err: Error) => void): this;
  }
}
