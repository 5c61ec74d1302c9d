/**
 * The remoting server's admission of frames: each frame is reserved in the
 * memory budget as soon as its length is read, a connection with
 * `maxRequestsInFlightPerConnection` unanswered requests is not read further,
 * and neither ever stops other connections' route requests or loses a request.
 */
import { describe, expect, it } from 'vitest';
import { RequestCode, ResponseCode } from '../src/remoting/index.js';
import { FrameDecoder, encodeFrame } from '../src/remoting/codec/index.js';
import { loopbackFixtures, registerFrame, requestFrame, waitFor } from './helpers/loopback.js';

const fx = loopbackFixtures();

/** A route request carrying `bodyBytes` of (ignored) body: a large frame that is answered at once. */
function bigRouteFrame(opaque: number, bodyBytes: number): Buffer {
  return requestFrame(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TopicA' }, opaque, Buffer.alloc(bodyBytes, 0x20));
}

// Admission before buffering (the gate the server's frames pass) is RequestDecoder's: test/remoting.admission.test.ts.
describe('FrameDecoder', () => {
  it('assembles a large frame spread over reads in place', () => {
    const frame = encodeFrame({ code: 105, language: 0, version: 0, opaque: 1, flag: 0, remark: null, extFields: {} }, Buffer.alloc(300_000, 7));
    const bodies: Buffer[] = [];
    const decoder = new FrameDecoder(1 << 20, (buf, start, end) => bodies.push(buf.subarray(start, end)));
    const next = encodeFrame({ code: 105, language: 0, version: 0, opaque: 2, flag: 0, remark: null, extFields: {} });
    const stream = Buffer.concat([frame, next]);
    for (let at = 0; at < stream.length; at += 65_536) decoder.push(stream.subarray(at, at + 65_536));
    expect(bodies.map((b) => b.length)).toEqual([frame.length - 4, next.length - 4]);
    expect(bodies[0]!.equals(frame.subarray(4))).toBe(true);
  });
});

describe('memory budget and requests in flight on the wire', () => {
  it('holds at most maxRequestsInFlightPerConnection frames of one connection, and answers every pipelined request in order', async () => {
    const s = await fx.start({ server: { maxRequestsInFlightPerConnection: 4 } });
    const peer = await fx.peer(s.port);
    const frames = Array.from({ length: 40 }, (_, i) => registerFrame({
      brokerName: `b${i}`, brokerAddr: `127.0.0.1:${20_000 + i}`, topics: ['TopicA', `T${i}`],
    }, i + 1));
    peer.write(Buffer.concat(frames));
    const answers = await peer.waitFrames(40, 10_000);
    expect(answers.map((a) => a.opaque)).toEqual(frames.map((_, i) => i + 1));
    expect(answers.every((a) => a.code === ResponseCode.SUCCESS)).toBe(true);
    const largest = Math.max(...frames.map((f) => f.length));
    expect(s.server.memoryStats().peakHeldBytes).toBeLessThanOrEqual(4 * largest);
    expect(s.server.memoryStats().heldBytes).toBe(0);
  });

  it('stops reading a connection whose frame does not fit, keeps serving route requests elsewhere, and resumes when memory frees', async () => {
    const s = await fx.start({ server: { memoryBudgetBytes: 320 * 1024, maxSmallBodyBytes: 1 << 20 } });
    const a = await fx.peer(s.port);
    const b = await fx.peer(s.port);
    const c = await fx.peer(s.port);
    const frameA = bigRouteFrame(1, 200 * 1024);
    // A sends half its frame: its whole length is reserved and held.
    a.write(frameA.subarray(0, 100 * 1024));
    await waitFor(() => s.server.memoryStats().heldBytes === frameA.length, 5_000, 'A reserved');
    // B's frame does not fit: B waits for memory, unread.
    b.write(bigRouteFrame(2, 200 * 1024));
    await waitFor(() => s.server.memoryStats().waiting === 1, 5_000, 'B waiting');
    // A small request on a third connection is answered meanwhile.
    expect((await c.request(requestFrame(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Nope' }, 3))).opaque).toBe(3);
    expect(b.frames).toHaveLength(0);
    // A completes: answered, released, and B goes through.
    a.write(frameA.subarray(100 * 1024));
    expect((await a.waitFrames(1))[0]?.opaque).toBe(1);
    expect((await b.waitFrames(1))[0]?.opaque).toBe(2);
    expect(s.server.memoryStats()).toMatchObject({ heldBytes: 0, waiting: 0, totalWaits: 1 });
    expect(s.server.memoryStats().peakHeldBytes).toBeLessThanOrEqual(320 * 1024);
  });

  it('returns the reservations of connections that close mid-frame or while waiting', async () => {
    const s = await fx.start({ server: { memoryBudgetBytes: 320 * 1024, maxSmallBodyBytes: 1 << 20 } });
    const a = await fx.peer(s.port);
    const b = await fx.peer(s.port);
    const frame = bigRouteFrame(1, 200 * 1024);
    a.write(frame.subarray(0, 1000));
    await waitFor(() => s.server.memoryStats().heldBytes > 0, 5_000, 'A reserved');
    b.write(frame);
    await waitFor(() => s.server.memoryStats().waiting === 1, 5_000, 'B waiting');
    // B is not being read, so its close is seen once its turn comes: it then goes without holding anything.
    b.destroy();
    a.destroy();
    await waitFor(() => s.server.memoryStats().heldBytes === 0 && s.server.memoryStats().waiting === 0, 5_000, 'all released');
    await waitFor(() => s.server.connectionCount === 0, 5_000, 'both closed');
    const c = await fx.peer(s.port);
    expect((await c.request(frame)).opaque).toBe(1);
  });
});
