/**
 * The TCP path's steps on their own and on the wire: the pulled request
 * decoder, admission (requests in flight, body caps, the memory budget) and
 * the slow-frame watch.
 */
import { describe, expect, it } from 'vitest';
import { FrameAdmission, type Refusal } from '../src/remoting/admission.js';
import { RequestDecoder } from '../src/remoting/codec/request-decoder.js';
import { encodeFrame } from '../src/remoting/codec/index.js';
import { RequestCode, ResponseCode } from '../src/remoting/index.js';
import { BodyTooLargeError, FrameTooLargeError, SlowFrameError } from '../src/remoting/errors.js';
import { MemoryBudget } from '../src/remoting/memory-budget.js';
import { SlowFrameWatch, type WatchedConnection } from '../src/remoting/slow-frames.js';
import { loopbackFixtures, registerBroker, requestFrame, waitFor } from './helpers/loopback.js';

const LIMITS = { maxFrameBytes: 1 << 20, maxHeaderBytes: 1 << 16, maxExtFields: 64 };

function frame(code: number, opaque: number, bodyBytes = 0): Buffer {
  return encodeFrame({ code, language: 0, version: 479, opaque, flag: 0, remark: null, extFields: { topic: 'T' } },
    bodyBytes === 0 ? null : Buffer.alloc(bodyBytes, 0x20));
}

describe('RequestDecoder', () => {
  it('hands out nothing until a frame is admitted, then each complete frame in order, however reads cut them', () => {
    const frames = [frame(105, 1), frame(105, 2, 100), frame(105, 3, 200_000), frame(105, 4)];
    const wire = Buffer.concat(frames);
    const decoder = new RequestDecoder(LIMITS);
    const got: number[] = [];
    for (let o = 0; o < wire.length; o += 7_777) {
      decoder.push(wire.subarray(o, Math.min(o + 7_777, wire.length)));
      for (;;) {
        if (!decoder.admitted) {
          if (decoder.nextFrameBytes() < 0) break;
          expect(decoder.take()).toBeNull(); // not admitted: nothing is taken
          decoder.admit();
        }
        const command = decoder.take();
        if (command === null) break;
        got.push(command.opaque);
      }
    }
    expect(got).toEqual([1, 2, 3, 4]);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("reads a large frame's header before its body arrives", () => {
    const whole = frame(RequestCode.QUERY_DATA_VERSION, 9, 500_000);
    const decoder = new RequestDecoder(LIMITS);
    decoder.push(whole.subarray(0, 6));
    expect(decoder.nextFrameBytes()).toBe(whole.length);
    expect(decoder.peekHeader()).toBeNull();
    decoder.push(whole.subarray(6, 200));
    const head = decoder.peekHeader();
    expect(head?.request).toMatchObject({ code: RequestCode.QUERY_DATA_VERSION, opaque: 9, body: null });
    expect(head?.bodyBytes).toBe(500_000);
  });

  it('fails on a frame over maxFrameBytes from its length alone, and refuses input afterwards', () => {
    const decoder = new RequestDecoder(LIMITS);
    const length = Buffer.alloc(4);
    length.writeInt32BE(2 << 20);
    decoder.push(length);
    expect(() => decoder.nextFrameBytes()).toThrow(FrameTooLargeError);
    expect(() => decoder.push(Buffer.alloc(1))).toThrow();
  });
});

describe('FrameAdmission', () => {
  const signal = new AbortController().signal;

  function decoderWith(bytes: Buffer): RequestDecoder {
    const decoder = new RequestDecoder(LIMITS);
    decoder.push(bytes);
    return decoder;
  }

  it('refuses a body over its code\'s cap from the header alone; REGISTER_BROKER is not capped', () => {
    const budget = new MemoryBudget({ limitBytes: 1 << 20 });
    const admission = new FrameAdmission({ budget, maxRequestsInFlight: 4, maxSmallBodyBytes: 1024 }, signal, () => {});
    const big = frame(RequestCode.QUERY_DATA_VERSION, 7, 4096);
    // Only the header has arrived.
    const verdict = admission.admit(big.length, decoderWith(big.subarray(0, big.length - 4096)));
    expect(typeof verdict).toBe('object');
    const refusal = verdict as Refusal;
    expect(refusal.request.opaque).toBe(7);
    expect(refusal.reply.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(refusal.error).toBeInstanceOf(BodyTooLargeError);
    expect(budget.heldBytes).toBe(0);
    const registration = frame(RequestCode.REGISTER_BROKER, 8, 4096);
    expect(admission.admit(registration.length, decoderWith(registration.subarray(0, 400)))).toBe('admitted');
    expect(budget.heldBytes).toBe(registration.length);
  });

  it('asks for more bytes while a large frame\'s header has not arrived', () => {
    const admission = new FrameAdmission({ budget: new MemoryBudget(), maxRequestsInFlight: 4, maxSmallBodyBytes: 1024 }, signal, () => {});
    const big = frame(RequestCode.UPDATE_NAMESRV_CONFIG, 1, 4096);
    expect(admission.admit(big.length, decoderWith(big.subarray(0, 10)))).toBe('more');
  });

  it('holds frames back past maxRequestsInFlight and while the budget is short; a granted wait calls back', async () => {
    const budget = new MemoryBudget({ limitBytes: 1000 });
    let granted = 0;
    const admission = new FrameAdmission({ budget, maxRequestsInFlight: 1, maxSmallBodyBytes: 1 << 20 }, signal, () => granted++);
    const none = decoderWith(Buffer.alloc(0));
    expect(admission.admit(600, none)).toBe('admitted');
    const reserved = admission.taken();
    expect(admission.admit(600, none)).toBe('inFlight');
    admission.answered(0); // in flight again below the cap, its reservation still held
    expect(admission.admit(600, none)).toBe('budget');
    budget.release(reserved);
    await waitFor(() => granted === 1, 1_000, 'granted');
    expect(admission.holdsReservation).toBe(true);
    expect(admission.admit(600, none)).toBe('admitted');
    admission.close();
    expect(budget.heldBytes).toBe(0);
  });
});

describe('SlowFrameWatch', () => {
  class Peer implements WatchedConnection {
    bufferedBytes = 0;
    frameSerial = 0;
    aborted: SlowFrameError | null = null;
    abortSlowFrame(error: SlowFrameError): void {
      this.aborted = error;
    }
  }

  it('closes a frame arriving under the minimum rate over a window, not one arriving faster', () => {
    let now = 0;
    const watch = new SlowFrameWatch({ minFrameBytesPerSecond: 1000, frameDeadlineMillis: 0 }, () => now);
    const slow = new Peer();
    const fast = new Peer();
    watch.watch(slow);
    watch.watch(fast);
    for (let t = 250; t <= 2_000; t += 250) {
      now = t;
      slow.bufferedBytes += 50; // 200 bytes/s
      fast.bufferedBytes += 500; // 2000 bytes/s
      watch.check();
    }
    expect(slow.aborted).toBeInstanceOf(SlowFrameError);
    expect(fast.aborted).toBeNull();
    expect(watch.size).toBe(1);
    watch.close();
  });

  it('closes a frame not complete by the deadline; a completed frame starts a new clock; time the loop was blocked does not count', () => {
    let now = 0;
    const watch = new SlowFrameWatch({ minFrameBytesPerSecond: 1000, frameDeadlineMillis: 5_000 }, () => now);
    const peer = new Peer();
    watch.watch(peer);
    now = 3_000; // the loop was blocked 3 s: not the peer's fault
    watch.check();
    expect(peer.aborted).toBeNull();
    for (let t = 3_250; t <= 4_750; t += 250) {
      now = t;
      peer.bufferedBytes += 1_000;
      watch.check();
    }
    peer.frameSerial++; // that frame completed; the next one starts now
    for (let t = 5_000; t <= 9_750; t += 250) {
      now = t;
      peer.bufferedBytes += 1_000;
      watch.check();
    }
    expect(peer.aborted).toBeNull();
    now = 10_250;
    peer.bufferedBytes += 1_000;
    watch.check();
    expect(peer.aborted?.message).toMatch(/frameDeadlineMillis/);
    watch.close();
  });
});

describe('on the wire', () => {
  const fx = loopbackFixtures();

  it('answers a QUERY_DATA_VERSION over maxSmallBodyBytes SYSTEM_ERROR without its body, closes, and serves a small one', async () => {
    const s = await fx.start({ server: { maxSmallBodyBytes: 1024 } });
    await registerBroker(await fx.client(s.port), {});
    const peer = await fx.peer(s.port);
    const big = frame(RequestCode.QUERY_DATA_VERSION, 5, 100_000);
    // Header only: the answer does not wait for the body.
    const answer = await peer.request(big.subarray(0, big.length - 100_000));
    expect(answer).toMatchObject({ opaque: 5, code: ResponseCode.SYSTEM_ERROR });
    expect(answer.remark).toMatch(/maxSmallBodyBytes \(1024\)/);
    await peer.waitClosed();
    expect(s.events.protocolError.some((e) => e instanceof BodyTooLargeError)).toBe(true);
    expect(s.server.memoryStats().heldBytes).toBe(0);
    const client = await fx.client(s.port);
    const res = await client.invoke(RequestCode.QUERY_DATA_VERSION, { brokerAddr: '127.0.0.1:10911', clusterName: 'DefaultCluster', brokerName: 'broker-a', brokerId: '0' },
      Buffer.from('{"counter":1,"timestamp":1000}'));
    expect(res.code).toBe(ResponseCode.SUCCESS);
  });

  it('closes a connection trickling its frame and returns its reservation; a fast large frame is served', async () => {
    const s = await fx.start({ server: { minFrameBytesPerSecond: 64 * 1024 } });
    const slow = await fx.peer(s.port);
    const whole = requestFrame(RequestCode.REGISTER_BROKER, { brokerName: 'x' }, 1, Buffer.alloc(1 << 20, 0x20));
    slow.write(whole.subarray(0, 1000));
    await waitFor(() => s.server.memoryStats().heldBytes === whole.length, 5_000, 'reserved');
    const timer = setInterval(() => slow.write(Buffer.alloc(100, 0x20)), 100);
    try {
      await slow.waitClosed(10_000);
    } finally {
      clearInterval(timer);
    }
    expect(s.events.protocolError.some((e) => e instanceof SlowFrameError)).toBe(true);
    await waitFor(() => s.server.memoryStats().heldBytes === 0, 5_000, 'released');
    const fast = await fx.peer(s.port);
    // A fast one of the same size goes through (answered: its body is no registration).
    expect((await fast.request(whole)).opaque).toBe(1);
  });
});
