/**
 * Small answers are written from one buffer the server reuses while sockets
 * take their writes at once. A socket that has to queue a write keeps that
 * buffer: the answer it sends later must still be the one its peer asked
 * for, whatever the server wrote to other connections meanwhile.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import { RouteRegistry } from '../src/index.js';
import { decodeFrame } from '../src/remoting/codec/index.js';
import { decodeRegisterBrokerBody } from '../src/remoting/codec/register-body.js';
import { RequestCode, ResponseCode } from '../src/remoting/index.js';
import { Connection, PendingRequests, SpareBuffers, type ConnectionContext } from '../src/remoting/connection.js';
import { FrameMemory } from '../src/remoting/frame-memory.js';
import { SlowFrameWatch } from '../src/remoting/slow-frames.js';
import { MemoryBudget } from '../src/remoting/memory-budget.js';
import type { RequestContext } from '../src/remoting/request-context.js';
import { RouteReplyCache } from '../src/remoting/route-reply-cache.js';
import type { RemotingCommand } from '../src/remoting/command.js';
import { requestFrame } from './helpers/loopback.js';

/**
 * A socket stand-in whose writes complete at once, or, while `hold` is set,
 * stay queued with their buffer until {@link release}, as a socket whose peer
 * does not read keeps them. What it sends is read from the buffers when they
 * are sent, as the kernel would.
 */
class FakeSocket extends Duplex {
  hold = false;
  readonly sent: Buffer[] = [];
  readonly #held: Array<{ chunk: Buffer; done: (error?: Error | null) => void }> = [];
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 1;

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.hold) this.#held.push({ chunk, done });
    else {
      this.sent.push(Buffer.from(chunk));
      done();
    }
  }

  release(): void {
    this.hold = false;
    for (const { chunk, done } of this.#held.splice(0)) {
      this.sent.push(Buffer.from(chunk));
      done();
    }
  }

  /** The answers sent, decoded. */
  answers(): RemotingCommand[] {
    const all = Buffer.concat(this.sent);
    const out: RemotingCommand[] = [];
    for (let o = 0; o < all.length;) {
      const length = all.readInt32BE(o);
      out.push(decodeFrame(Buffer.from(all.subarray(o + 4, o + 4 + length))));
      o += 4 + length;
    }
    return out;
  }
}

function context(registry: RouteRegistry): ConnectionContext {
  // Only what route requests use.
  const requests = {
    registry, routeReplies: new RouteReplyCache(registry), decodeRegisterBody: decodeRegisterBrokerBody,
  } as unknown as RequestContext;
  const budget = new MemoryBudget();
  return {
    requests,
    limits: { maxFrameBytes: 1 << 20, maxHeaderBytes: 1 << 16, maxExtFields: 64 },
    idleTimeoutMillis: 0,
    metrics: null,
    budget,
    admission: { budget, maxRequestsInFlight: 64, maxSmallBodyBytes: 1 << 16 },
    slowFrames: new SlowFrameWatch({ minFrameBytesPerSecond: 0, frameDeadlineMillis: 0 }),
    checkAccess: null,
    events: new EventEmitter(),
    pending: new PendingRequests(),
    frameMemory: new FrameMemory(1 << 20),
    spares: new SpareBuffers(),
  };
}

function routeRequest(topic: string, opaque: number): Buffer {
  return requestFrame(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }, opaque);
}

describe('reused answer buffers', () => {
  const registry = new RouteRegistry();
  // Two routes with answers of about the same length and different bytes.
  for (let b = 0; b < 8; b++) {
    const topics = new Map([['TopicA', { topicName: 'TopicA', readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 }]]);
    if (b > 0) topics.set('TopicB', { topicName: 'TopicB', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0 });
    registry.registerBroker({
      clusterName: 'C', brokerName: `broker-${b}`, brokerId: 0, brokerAddr: `10.0.0.${b + 1}:10911`, haServerAddr: '',
      topicConfigWrapper: { topicConfigTable: topics, dataVersion: { stateVersion: 0, timestamp: 1, counter: 1 } },
    });
  }

  function setUp(): { slow: FakeSocket; fast: FakeSocket; bodyA: Buffer; bodyB: Buffer } {
    const ctx = context(registry);
    const slow = new FakeSocket();
    const fast = new FakeSocket();
    new Connection(slow as unknown as Socket, ctx, () => undefined);
    new Connection(fast as unknown as Socket, ctx, () => undefined);
    fast.emit('data', routeRequest('TopicA', 1));
    fast.emit('data', routeRequest('TopicB', 2));
    const [a, b] = fast.answers();
    fast.sent.length = 0;
    expect(a!.body!.equals(b!.body!)).toBe(false);
    return { slow, fast, bodyA: a!.body!, bodyB: b!.body! };
  }

  it('an answer a socket queued keeps its bytes while other connections are answered', () => {
    const { slow, fast, bodyA, bodyB } = setUp();
    slow.hold = true;
    slow.emit('data', routeRequest('TopicA', 7));
    for (let i = 0; i < 5; i++) fast.emit('data', routeRequest('TopicB', 100 + i));
    slow.release();
    const answers = slow.answers();
    expect(answers.map((a) => [a.code, a.opaque])).toEqual([[ResponseCode.SUCCESS, 7]]);
    expect(answers[0]!.body!.equals(bodyA)).toBe(true);
    expect(fast.answers().map((a) => a.opaque)).toEqual([100, 101, 102, 103, 104]);
    expect(fast.answers().every((a) => a.body!.equals(bodyB))).toBe(true);
  });

  it('so do the answers to several requests of one read', () => {
    const { slow, fast, bodyA, bodyB } = setUp();
    slow.hold = true;
    slow.emit('data', Buffer.concat([routeRequest('TopicA', 7), routeRequest('TopicA', 8)]));
    fast.emit('data', Buffer.concat([routeRequest('TopicB', 100), routeRequest('TopicB', 101)]));
    fast.emit('data', routeRequest('TopicB', 102));
    slow.release();
    expect(slow.answers().map((a) => a.opaque)).toEqual([7, 8]);
    expect(slow.answers().every((a) => a.body!.equals(bodyA))).toBe(true);
    expect(fast.answers().map((a) => a.opaque)).toEqual([100, 101, 102]);
    expect(fast.answers().every((a) => a.body!.equals(bodyB))).toBe(true);
  });
});
