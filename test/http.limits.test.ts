/**
 * The HTTP adapter's own limits, in process: request bodies charged as they
 * arrive (to `maxBodyMemoryBytes` and to a shared `memoryBudget`, the
 * remoting server's), an empty token list that fails closed, and `/events`
 * streams whose clients do not read being dropped rather than buffered.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RouteRegistry } from '../src/index.js';
import { MemoryBudget } from '../src/remoting/memory-budget.js';
import { httpFixtures } from './helpers/http.js';
import { defaultBroker, registration, unregistration, type BrokerInfo } from './helpers/registry.js';

const { start, port, call } = httpFixtures();
const KiB = 1024;
const MiB = 1024 * KiB;

/** Opens a raw connection, sends `head`, and keeps it (closed by the test). */
async function raw(p: number, head: string): Promise<{ socket: Socket; answer: () => string }> {
  const socket = connect({ port: p, host: '127.0.0.1' });
  socket.on('error', () => {});
  await once(socket, 'connect');
  let answer = '';
  socket.on('data', (c: Buffer) => {
    answer += c.toString('latin1');
  });
  socket.write(head);
  return { socket, answer: () => answer };
}

async function until(done: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function broker(i: number, counter = 1): BrokerInfo {
  return defaultBroker({ brokerName: `b${i}`, brokerAddr: `10.0.0.${i}:10911`, dataVersion: { stateVersion: 0, timestamp: 1000, counter } });
}

/** A registration of `b0` with two topics (a first registration with one topic is refused, as in RocketMQ). */
const SMALL = registration(broker(0), ['A', 'B']);

function postHead(length: number): string {
  return `POST /brokers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
}

describe('request bodies are charged to memory as they arrive', () => {
  it('bodies held by slow clients use at most maxBodyMemoryBytes; the next gets 503 and the bytes come back', async () => {
    const budget = new MemoryBudget({ limitBytes: 64 * MiB });
    await start(new RouteRegistry(), { maxBodyMemoryBytes: 2 * MiB, memoryBudget: budget });
    // Two clients each send 1 MiB of a 4 MiB body and stop: they hold the 2 MiB between them.
    const holders = await Promise.all([0, 1].map(() => raw(port(), postHead(4 * MiB))));
    for (const h of holders) h.socket.write(Buffer.alloc(MiB, 0x20));
    await until(() => budget.heldBytes >= 2 * MiB, 'the held bodies charged');
    // The shared budget is charged what the cap is: what has arrived, not what was declared.
    expect(budget.heldBytes).toBeLessThanOrEqual(2 * MiB);
    const third = await raw(port(), postHead(4 * MiB));
    third.socket.write(Buffer.alloc(512 * KiB, 0x20));
    await until(() => third.answer() !== '', 'an answer to the third');
    expect(third.answer()).toMatch(/^HTTP\/1\.1 503 /);
    expect(third.answer()).toMatch(/Retry-After: 1/i);
    // Clients that leave give their bytes back; then a body fits again.
    for (const h of [...holders, third]) h.socket.destroy();
    await until(() => budget.heldBytes === 0, 'the budget released');
    const ok = await call('POST', '/brokers', SMALL);
    expect(ok.status).toBe(200);
    expect(budget.heldBytes).toBe(0);
  });

  it('a shared budget with no room answers 503 without buffering the body; with room, the request is served', async () => {
    const budget = new MemoryBudget({ limitBytes: MiB });
    expect(budget.tryReserve(MiB)).toBe(true);
    await start(new RouteRegistry(), { memoryBudget: budget });
    const refused = await call('POST', '/brokers', SMALL);
    expect(refused.status).toBe(503);
    expect((refused.json as { code: string }).code).toBe('ERR_BUSY');
    budget.release(MiB);
    expect((await call('POST', '/brokers', SMALL)).status).toBe(200);
    expect(budget.heldBytes).toBe(0);
  });

  it('rejects a memoryBudget without tryReserve and release, and a bad maxBodyMemoryBytes', async () => {
    const { createHttpHandler } = await import('../src/http/index.js');
    expect(() => createHttpHandler(new RouteRegistry(), { memoryBudget: {} as never })).toThrow(/memoryBudget/);
    expect(() => createHttpHandler(new RouteRegistry(), { maxBodyMemoryBytes: 0 })).toThrow(/maxBodyMemoryBytes/);
  });
});

describe('an empty token list fails closed', () => {
  it('tokens: [] answers 401 to writes and reads; the probes still answer', async () => {
    const registry = new RouteRegistry();
    await start(registry, { tokens: [] });
    for (const [method, path, body] of [
      ['POST', '/brokers', SMALL],
      ['PUT', '/kv/ns/k', { value: 'v' }],
      ['DELETE', '/topics/A', undefined],
      ['GET', '/cluster', undefined],
    ] as const) {
      const r = await call(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect(registry.liveBrokerCount).toBe(0);
    expect((await call('GET', '/health')).status).toBe(200);
  });
});

describe('event streams whose clients do not read', () => {
  it('a client that never reads is dropped once maxStreamBufferBytes are queued; a reading one keeps every event', async () => {
    const registry = new RouteRegistry();
    const server = await start(registry, { maxStreamBufferBytes: 64 * KiB });
    const stalled = await raw(port(), 'GET /events?routes=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    // Stop reading: the server's writes back up behind the kernel's buffers, then in its own.
    stalled.socket.pause();
    let received = '';
    const reader = await raw(port(), 'GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    reader.socket.on('data', (c: Buffer) => {
      received += c.toString('latin1');
    });
    await until(() => server.handler.streamCount === 2, 'two streams open');
    const topics = Array.from({ length: 500 }, (_, i) => `Topic-${i}-${'x'.repeat(100)}`);
    let rounds = 0;
    // Each round changes 500 routes (≈ 80 KB of frames); bounded: the stalled client goes well before.
    while (server.handler.streamCount === 2 && rounds < 2_000) {
      const b = broker(rounds % 2, rounds + 1);
      registry.registerBroker(registration(b, topics));
      registry.unregisterBroker(unregistration(b));
      rounds++;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(server.handler.streamCount).toBe(1);
    // The reader (no route events asked for) got every broker event.
    await until(() => (received.match(/event: brokerUnregistered/g) ?? []).length === rounds, 'every event to the reader');
    expect((received.match(/event: brokerRegistered/g) ?? []).length).toBe(rounds);
    stalled.socket.destroy();
    reader.socket.destroy();
  }, 60_000);

  it('a stream that has not drained for a keep-alive interval is dropped', async () => {
    const registry = new RouteRegistry();
    const server = await start(registry, { keepAliveMillis: 200, maxStreamBufferBytes: 64 * MiB });
    const stalled = await raw(port(), 'GET /events?routes=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    stalled.socket.pause();
    await until(() => server.handler.streamCount === 1, 'the stream open');
    const topics = Array.from({ length: 500 }, (_, i) => `Topic-${i}-${'x'.repeat(100)}`);
    // Events keep coming, well under maxStreamBufferBytes: only the drain deadline can drop it.
    for (let i = 0; i < 200 && server.handler.streamCount === 1; i++) {
      const b = broker(1, i + 1);
      registry.registerBroker(registration(b, topics));
      registry.unregisterBroker(unregistration(b));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await until(() => server.handler.streamCount === 0, 'the stalled stream dropped', 10_000);
    stalled.socket.destroy();
    // A client that reads keeps its stream across keep-alive intervals.
    const reading = await raw(port(), 'GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(server.handler.streamCount).toBe(1);
    expect(reading.answer()).toMatch(/: keep-alive/);
    reading.socket.destroy();
  }, 60_000);
});

