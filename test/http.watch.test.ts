/** Server-Sent Event streams: route watchers, the global event stream, limits and cleanup. */
import { createServer, request as httpRequest, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Controller } from '../src/controller/controller.js';
import { RouteRegistry } from '../src/index.js';
import { createHttpHandler, createHttpServer, type HttpHandler, type HttpHandlerOptions } from '../src/http/index.js';
import { FakeClock, defaultBroker, registration, unregistration } from './helpers/registry.js';

interface SseEvent {
  event: string;
  data: string;
}

/** A minimal EventSource: parses `event:`/`data:` blocks and comment lines. */
class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  ended = false;
  #buffer = '';
  #wake: (() => void) | null = null;

  private constructor(readonly req: ClientRequest, readonly res: IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let end: number;
      while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        let event = 'message';
        let data: string | null = null;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data = line.slice(6);
        }
        if (data !== null) this.events.push({ event, data });
      }
      this.#notify();
    });
    res.on('end', () => {
      this.ended = true;
      this.#notify();
    });
    res.on('error', () => undefined);
  }

  static open(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const options = { host: '127.0.0.1', port, path, headers, method, agent: false };
      const req = httpRequest(options, (res) => resolve(new SseClient(req, res)));
      req.on('error', reject);
      req.end();
    });
  }

  get status(): number {
    return this.res.statusCode ?? 0;
  }

  /** Resolves once `test` holds, checked after each chunk; fails after `ms`. */
  async until(test: () => boolean, ms = 2_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out; events so far: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50).unref();
      });
    }
  }

  /** The `n`th event (0-based) once it has arrived. */
  async event(n: number, ms?: number): Promise<SseEvent> {
    await this.until(() => this.events.length > n, ms);
    return this.events[n] as SseEvent;
  }

  close(): void {
    this.req.destroy();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/** Polls `test` on the event loop (no fixed sleep) until it holds. */
async function until(test: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

let server: Server | null = null;
let handler: HttpHandler | null = null;
const clients: SseClient[] = [];

async function start(registry: RouteRegistry, options?: HttpHandlerOptions): Promise<number> {
  const h = createHttpHandler(registry, options);
  const s = createServer(h);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  server = s;
  handler = h;
  return (s.address() as AddressInfo).port;
}

async function open(port: number, path: string, headers?: Record<string, string>, method?: string): Promise<SseClient> {
  const c = await SseClient.open(port, path, headers, method);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  handler?.close();
  handler = null;
  const s = server;
  server = null;
  if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
});

describe('route watchers (GET /topics/:topic/route?watch=1)', () => {
  it('sends null for an unknown topic, then the route within 100 ms of a registration', async () => {
    const registry = new RouteRegistry();
    const port = await start(registry);
    const c = await open(port, `/topics/${encodeURIComponent('a/b')}/route?watch=1`);
    expect(c.status).toBe(200);
    expect(c.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(await c.event(0)).toEqual({ event: 'route', data: 'null' });

    const t0 = performance.now();
    registry.registerBroker(registration(defaultBroker(), ['a/b']));
    const changed = await c.event(1, 100);
    expect(performance.now() - t0).toBeLessThan(100);
    expect(changed.event).toBe('route');
    expect(JSON.parse(changed.data)).toEqual(JSON.parse(JSON.stringify(registry.getRouteInfoByTopic('a/b'))));

    registry.unregisterBroker(unregistration(defaultBroker()));
    expect(await c.event(2)).toEqual({ event: 'route', data: 'null' });
  });

  it('starts with the current route and skips changes to other topics', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['__proto__', 'other']));
    const port = await start(registry);
    const c = await open(port, '/topics/__proto__/route', { accept: 'text/event-stream' });
    const first = await c.event(0);
    expect(JSON.parse(first.data)).toEqual(JSON.parse(JSON.stringify(registry.getRouteInfoByTopic('__proto__'))));
    registry.deleteTopic('other');
    registry.deleteTopic('__proto__');
    expect(await c.event(1)).toEqual({ event: 'route', data: 'null' });
    expect(c.events).toHaveLength(2);
  });

  it('sends a burst of changes in one tick as one event with the final route', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(registration(defaultBroker(), ['T']));
    const port = await start(registry);
    const c = await open(port, '/topics/T/route?watch=true');
    await c.event(0);
    registry.wipeWritePermOfBroker(defaultBroker().brokerName);
    registry.addWritePermOfBroker(defaultBroker().brokerName);
    registry.wipeWritePermOfBroker(defaultBroker().brokerName);
    const next = await c.event(1);
    expect((JSON.parse(next.data) as { queueDatas: { perm: number }[] }).queueDatas[0]?.perm).toBe(4);
    registry.deleteTopic('T');
    expect(await c.event(2)).toEqual({ event: 'route', data: 'null' });
  });

  it('removes registry listeners when clients disconnect (no leak)', async () => {
    const registry = new RouteRegistry();
    // Metrics and the console's history listen for the handler's whole life, by design: off, so only the streams' listeners count.
    const port = await start(registry, { metrics: false, consoleHistory: false });
    expect(registry.listenerCount('topicRouteChanged')).toBe(0);
    const a = await open(port, '/topics/T/route?watch=1');
    const b = await open(port, '/topics/T/route?watch=1');
    const c = await open(port, '/topics/U/route?watch=1');
    await Promise.all([a.event(0), b.event(0), c.event(0)]);
    // One shared listener, however many watchers.
    expect(registry.listenerCount('topicRouteChanged')).toBe(1);
    expect(handler?.streamCount).toBe(3);
    a.close();
    b.close();
    await until(() => handler?.streamCount === 1);
    expect(registry.listenerCount('topicRouteChanged')).toBe(1);
    c.close();
    await until(() => handler?.streamCount === 0);
    expect(registry.listenerCount('topicRouteChanged')).toBe(0);
    expect(registry.eventNames()).toEqual([]);
  });

  it('HEAD and watch=0 get a plain answer, not a stream', async () => {
    const port = await start(new RouteRegistry());
    const plain = await open(port, '/topics/T/route?watch=0');
    expect(plain.status).toBe(404);
    await plain.until(() => plain.ended);
    const head = await open(port, '/topics/T/route?watch=1', { accept: 'text/event-stream' }, 'HEAD');
    expect(head.status).toBe(404);
    await head.until(() => head.ended);
    expect(handler?.streamCount).toBe(0);
  });

  it('sends keep-alive comments', async () => {
    const port = await start(new RouteRegistry(), { keepAliveMillis: 5 });
    const c = await open(port, '/topics/T/route?watch=1');
    await c.until(() => c.comments.includes('keep-alive'));
  });

  it('refuses streams beyond maxWatchers with 503', async () => {
    const port = await start(new RouteRegistry(), { maxWatchers: 1 });
    const first = await open(port, '/topics/T/route?watch=1');
    await first.event(0);
    const second = await open(port, '/events');
    expect(second.status).toBe(503);
    expect(second.res.headers['retry-after']).toBe('5');
    first.close();
    await until(() => handler?.streamCount === 0);
    const third = await open(port, '/events');
    expect(third.status).toBe(200);
  });
});

describe('global events (GET /events)', () => {
  it('streams broker up and down with reasons; route changes only with ?routes=1', async () => {
    const clock = new FakeClock();
    const registry = new RouteRegistry({ now: clock.now });
    // Metrics and the console's history listen for the handler's whole life, by design: off, so only the streams' listeners count.
    const port = await start(registry, { metrics: false, consoleHistory: false });
    const brokers = await open(port, '/events');
    await brokers.until(() => brokers.comments.includes('ready'));
    expect(registry.listenerCount('topicRouteChanged')).toBe(0);
    const all = await open(port, '/events?routes=1');
    await all.until(() => all.comments.includes('ready'));
    expect(registry.listenerCount('topicRouteChanged')).toBe(1);

    const info = defaultBroker();
    registry.registerBroker(registration(info, ['T']));
    const up = { clusterName: info.clusterName, brokerName: info.brokerName, brokerAddr: info.brokerAddr, brokerId: 0 };
    expect(await brokers.event(0)).toEqual({ event: 'brokerRegistered', data: JSON.stringify(up) });
    clock.advance(200_000);
    expect(registry.scanNotActiveBroker()).toBe(1);
    const down = await brokers.event(1);
    expect(down.event).toBe('brokerUnregistered');
    expect(JSON.parse(down.data)).toEqual({ ...up, reason: 'expired' });

    await all.until(() => all.events.filter((e) => e.event === 'topicRouteChanged').length === 4);
    const topics = all.events.filter((e) => e.event === 'topicRouteChanged').map((e) => JSON.parse(e.data) as { topic: string });
    expect(new Set(topics.map((t) => t.topic))).toEqual(new Set(['T', 'baseTopic']));
    expect(brokers.events.map((e) => e.event)).toEqual(['brokerRegistered', 'brokerUnregistered']);

    brokers.close();
    all.close();
    await until(() => handler?.streamCount === 0);
    expect(registry.eventNames()).toEqual([]);
  });

  it('with a controller: its elections, sync-state set changes and inactive brokers too, listened to only while streamed', async () => {
    const registry = new RouteRegistry();
    const controller = new Controller({ scanNotActiveBrokerInterval: 3_600_000, scanInactiveMasterInterval: 3_600_000 });
    await controller.start();
    try {
      const port = await start(registry, { metrics: false, consoleHistory: false, controller });
      expect(controller.eventNames()).toEqual([]);
      const events = await open(port, '/events');
      await events.until(() => events.comments.includes('ready'));
      expect(controller.eventNames().sort()).toEqual(['brokerInactive', 'masterElected', 'syncStateSetChanged']);
      const group = { clusterName: 'c', brokerName: 'b' };
      await controller.applyBrokerId({ ...group, appliedBrokerId: 1, registerCheckCode: 'a:1;1' });
      const channel = {};
      controller.brokerHeartbeat({ ...group, brokerAddr: 'a:1', brokerId: 1, heartbeatTimeoutMillis: 60_000,
        epoch: null, maxOffset: null, confirmOffset: null, electionPriority: null, channel });
      await controller.electMaster({ ...group, brokerId: 1, designateElect: false });
      controller.onChannelClose(channel);
      await events.until(() => events.events.length === 3);
      expect(events.events.map((e) => [e.event, JSON.parse(e.data) as unknown])).toEqual([
        ['masterElected', { ...group, masterBrokerId: 1, masterAddress: 'a:1', masterEpoch: 1, syncStateSetEpoch: 1, syncStateSet: [1], trigger: 'broker' }],
        ['syncStateSetChanged', { ...group, syncStateSet: [1], syncStateSetEpoch: 1 }],
        ['brokerInactive', { ...group, brokerId: 1, brokerAddr: 'a:1', reason: 'channelClosed' }],
      ]);
      events.close();
      await until(() => handler?.streamCount === 0);
      expect(controller.eventNames()).toEqual([]);
    } finally {
      await controller.close();
    }
  });
});

describe('closing', () => {
  it('handler.close() ends streams, refuses new ones and makes /health answer 503', async () => {
    const registry = new RouteRegistry();
    const port = await start(registry);
    const w = await open(port, '/topics/T/route?watch=1');
    const e = await open(port, '/events');
    await w.event(0);
    handler?.close();
    await w.until(() => w.ended);
    await e.until(() => e.ended);
    expect(registry.eventNames()).toEqual([]);
    const refused = await open(port, '/events');
    expect(refused.status).toBe(503);
    const health = await open(port, '/health');
    expect(health.status).toBe(503);
  });

  it('createHttpServer().close() completes with streams open', async () => {
    const s = createHttpServer(new RouteRegistry());
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const { port } = s.address() as AddressInfo;
    const w = await open(port, '/topics/T/route?watch=1');
    await w.event(0);
    await new Promise<void>((resolve, reject) => s.close((err) => (err ? reject(err) : resolve())));
    await w.until(() => w.ended);
    expect(s.handler.streamCount).toBe(0);
  });
});
