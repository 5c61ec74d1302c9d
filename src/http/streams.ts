/**
 * Server-Sent Event streams: per-topic route watchers and the global event
 * stream. Registry listeners exist only while a stream needs them, and one
 * listener per event serves every stream.
 *
 * Fan-out costs the event loop per stream, so it is kept to one write per
 * stream per batch: events are framed once, gathered until the burst that
 * made them is over (and at least {@link EVENT_BATCH_MILLIS} after the
 * previous batch), encoded once into one buffer, and that same
 * buffer is written to every stream (queued buffers are shared, not copied).
 * A stream whose client does not read is dropped once its queue passes
 * `maxBufferBytes`, or when it has not drained for a keep-alive interval.
 * @internal
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { BrokerInactiveEvent, MasterElectedEvent, SyncStateSetChangedEvent } from '../controller/controller-events.js';
import type { Controller } from '../controller/controller.js';
import type { KvConfigChangeEvent, KvConfigStore } from '../core/kv-config.js';
import type { RouteRegistry } from '../core/registry.js';
import type { BrokerRegisteredEvent, BrokerUnregisteredEvent, TopicRouteChangedEvent } from '../core/types.js';
import { EventLog } from './event-log.js';
import { HttpError, toJson } from './respond.js';

/** Limits of a {@link StreamHub}. */
export interface StreamHubOptions {
  readonly keepAliveMillis: number;
  readonly maxStreams: number;
  readonly maxBufferBytes: number;
  /** How many recent events a reconnecting `/events` client may catch up on. */
  readonly replayLength: number;
  /** Its changes become `kvChanged` events. */
  readonly kvConfig: KvConfigStore | null;
  /** Its elections, sync-state set changes and inactive brokers become events too. */
  readonly controller: Controller | null;
}

/** The least time between two `/events` batches: at most one write per stream per this many ms. */
export const EVENT_BATCH_MILLIS = 20;

/** One open event stream. */
abstract class EventStream {
  readonly res: ServerResponse;
  readonly #keepAlive: ReturnType<typeof setInterval>;
  /** Bytes handed to `res.write`: less what is still queued, what has gone to the client. */
  #written = 0;
  /** What had gone to the client at the last keep-alive tick (-1: no tick yet). */
  #sentAtTick = -1;

  constructor(res: ServerResponse, keepAliveMillis: number, onClose: () => void) {
    this.res = res;
    // The connection is the stream's alone: closing it with the stream lets a server close promptly.
    res.shouldKeepAlive = false;
    // So the body ends with the connection rather than in chunks: one socket write per batch, not three.
    res.useChunkedEncodingByDefault = false;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // Stops nginx-style proxies from buffering the stream.
      'X-Accel-Buffering': 'no',
    });
    this.#keepAlive = setInterval(() => this.#tick(), keepAliveMillis);
    // A stream must never be what keeps a host process alive.
    this.#keepAlive.unref();
    res.once('close', () => {
      clearInterval(this.#keepAlive);
      onClose();
    });
  }

  /** Writes stream text (a shared buffer is queued as is, never copied). */
  write(chunk: string | Buffer): void {
    // Ended (the handler closed) or gone, with the 'close' that unsubscribes still pending: writing
    // after end would emit an 'error' nobody listens to, which crashes the host process.
    if (this.res.writableEnded || this.res.destroyed) return;
    this.#written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    this.res.write(chunk);
  }

  /**
   * A keep-alive comment when idle; a client that has had bytes queued for a
   * whole interval and taken none of them is not reading: drop it, so it
   * costs neither memory nor a write per event any longer.
   */
  #tick(): void {
    const res = this.res;
    if (res.writableEnded || res.destroyed) return;
    const sent = this.#written - res.writableLength;
    if (res.writableLength > 0 && sent === this.#sentAtTick) {
      res.destroy();
      return;
    }
    this.#sentAtTick = sent;
    if (!res.writableNeedDrain) this.write(': keep-alive\n\n');
  }

  /** Ends the response; the `close` handler then unsubscribes. */
  end(): void {
    clearInterval(this.#keepAlive);
    this.res.end();
  }
}

/** Watches one topic: sends its route (`null` when it has none) now and on every change. */
class RouteWatcher extends EventStream {
  readonly topic: string;
  readonly #log: EventLog;
  #lastSent: string | null = null;
  /** The newest route JSON not yet written because the client was slow, if any. */
  #pending: string | null = null;

  constructor(res: ServerResponse, topic: string, log: EventLog, keepAliveMillis: number, onClose: () => void) {
    super(res, keepAliveMillis, onClose);
    this.topic = topic;
    this.#log = log;
  }

  /**
   * Sends `json` unless it equals what the client has; a slow client gets
   * only the latest. `frame` is `json` framed, shared by the topic's watchers.
   */
  push(json: string, frame?: Buffer): void {
    if (this.res.writableNeedDrain) {
      if (this.#pending === null) {
        this.res.once('drain', () => {
          const latest = this.#pending;
          this.#pending = null;
          if (latest !== null && !this.res.destroyed) this.push(latest);
        });
      }
      this.#pending = json;
      return;
    }
    if (json === this.#lastSent) return;
    this.#lastSent = json;
    this.write(frame ?? routeFrame(this.#log, json));
  }
}

/** A route event: each is the whole state, so a reconnect needs no replay (the id only orders them). */
function routeFrame(log: EventLog, json: string): Buffer {
  return Buffer.from(`id: ${log.lastId}\nevent: route\ndata: ${json}\n\n`);
}

/** The global stream: broker up/down, and route changes when asked for. */
class EventsClient extends EventStream {
  readonly routes: boolean;

  constructor(res: ServerResponse, routes: boolean, keepAliveMillis: number, onClose: () => void) {
    super(res, keepAliveMillis, onClose);
    this.routes = routes;
  }

  /** Writes framed events, or disconnects a client more than `maxBufferBytes` behind. */
  send(frame: string | Buffer, maxBufferBytes: number): void {
    if (this.res.writableLength > maxBufferBytes) {
      this.res.destroy();
      return;
    }
    this.write(frame);
  }
}

/** Every open stream of one handler, and the registry listeners they share. */
export class StreamHub {
  readonly #registry: RouteRegistry;
  readonly #options: StreamHubOptions;
  readonly #watchers = new Map<string, Set<RouteWatcher>>();
  #watcherCount = 0;
  readonly #clients = new Set<EventsClient>();
  #routeClients = 0;
  /** Topics changed since the last flush: watchers get one route per burst. */
  readonly #dirty = new Set<string>();
  #flush: ReturnType<typeof setImmediate> | null = null;
  /** `/events` frames not written yet: every one (for `routes` clients), and those that are not route changes. */
  readonly #batchAll: string[] = [];
  readonly #batchEvents: string[] = [];
  #batchTimer: ReturnType<typeof setTimeout> | null = null;
  /** `performance.now()` when the last batch was written. */
  #lastBatchAt = -Infinity;
  #listeningToRoutes = false;
  #closed = false;

  readonly #log: EventLog;

  readonly #onRouteChanged = (event: TopicRouteChangedEvent): void => {
    const frame = this.#log.append('topicRouteChanged', JSON.stringify({ topic: event.topic }), true);
    if (this.#routeClients > 0) this.#enqueue(frame, true);
    if (!this.#watchers.has(event.topic)) return;
    this.#dirty.add(event.topic);
    // Deferred, so the registry's caller is not slowed by fan-out and a burst is sent once.
    this.#flush ??= setImmediate(() => this.#flushDirty());
  };

  readonly #onRegistered = (event: BrokerRegisteredEvent): void => {
    this.#broadcast('brokerRegistered', JSON.stringify(event));
  };

  readonly #onUnregistered = (event: BrokerUnregisteredEvent): void => {
    this.#broadcast('brokerUnregistered', JSON.stringify(event));
  };

  readonly #onKvChanged = (event: KvConfigChangeEvent): void => {
    this.#broadcast('kvChanged', JSON.stringify({ namespace: event.namespace, key: event.key }));
  };

  // The controller's events, as plain JSON (a MasterElectedEvent's maps and notify targets stay out).
  readonly #onMasterElected = (e: MasterElectedEvent): void => {
    this.#broadcast('masterElected', JSON.stringify({
      clusterName: e.clusterName, brokerName: e.brokerName, masterBrokerId: e.masterBrokerId, masterAddress: e.masterAddress,
      masterEpoch: e.masterEpoch, syncStateSetEpoch: e.syncStateSetEpoch, syncStateSet: e.syncStateSet, trigger: e.trigger,
    }));
  };

  readonly #onSyncStateSetChanged = (e: SyncStateSetChangedEvent): void => {
    this.#broadcast('syncStateSetChanged', JSON.stringify(e));
  };

  readonly #onBrokerInactive = (e: BrokerInactiveEvent): void => {
    this.#broadcast('brokerInactive', JSON.stringify({
      clusterName: e.clusterName, brokerName: e.brokerName, brokerId: e.brokerId, brokerAddr: e.brokerAddr, reason: e.reason,
    }));
  };

  constructor(registry: RouteRegistry, options: StreamHubOptions) {
    this.#registry = registry;
    this.#options = options;
    this.#log = new EventLog(options.replayLength);
  }

  /** Open streams of both kinds. */
  get size(): number {
    return this.#watcherCount + this.#clients.size;
  }

  /** Turns `res` into a watcher of `topic`'s route. */
  watchRoute(res: ServerResponse, topic: string): void {
    this.#admit();
    const watcher = new RouteWatcher(res, topic, this.#log, this.#options.keepAliveMillis, () => this.#removeWatcher(watcher));
    let set = this.#watchers.get(topic);
    if (set === undefined) {
      set = new Set();
      this.#watchers.set(topic, set);
    }
    set.add(watcher);
    this.#watcherCount++;
    this.#updateRouteListener();
    // Tells the client the subscription is live, as `/events` does.
    watcher.write(': ready\n\n');
    watcher.push(toJson(this.#registry.getRouteInfoByTopic(topic)));
  }

  /**
   * Turns `res` into a global event stream; `routes` adds `topicRouteChanged`
   * events. With `lastEventId` (the `Last-Event-ID` of a reconnect) it first
   * replays what the client missed, or sends `reset` when that is no longer known.
   */
  watchEvents(res: ServerResponse, routes: boolean, lastEventId?: string): void {
    this.#admit();
    const client = new EventsClient(res, routes, this.#options.keepAliveMillis, () => this.#removeClient(client));
    // Listening only while someone streams keeps an idle handler off the registry; a client that
    // reconnects after a pause with no listener learns it must re-read (the log marks the pause).
    if (this.#clients.size === 0) this.#listenToEvents(true);
    this.#clients.add(client);
    if (routes) this.#routeClients++;
    this.#updateRouteListener();
    // Frames numbered before the id below go to the streams open before it, not to this one.
    this.#writeBatch();
    // Tells the client the subscription is live; the bare id (no data, so no event fires) is where
    // a client with nothing to catch up on resumes from.
    client.write(`: ready\nid: ${this.#log.lastId}\n\n`);
    if (lastEventId === undefined || lastEventId === '') return;
    const resume = this.#log.resume(lastEventId, routes);
    if (resume.kind === 'reset') client.send(this.#log.resetFrame(resume.reason), this.#options.maxBufferBytes);
    else for (const frame of resume.frames) client.send(frame, this.#options.maxBufferBytes);
  }

  /** Ends every stream and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const set of [...this.#watchers.values()]) for (const w of [...set]) w.end();
    for (const c of [...this.#clients]) c.end();
    if (this.#flush !== null) {
      clearImmediate(this.#flush);
      this.#flush = null;
    }
    if (this.#batchTimer !== null) {
      clearTimeout(this.#batchTimer);
      this.#batchTimer = null;
    }
  }

  #admit(): void {
    if (this.#closed) throw new HttpError(503, 'ERR_CLOSING', 'the server is shutting down');
    if (this.size >= this.#options.maxStreams) {
      throw new HttpError(503, 'ERR_TOO_MANY_WATCHERS', `at most ${this.#options.maxStreams} event streams may be open`,
        { 'Retry-After': '5' });
    }
  }

  #removeWatcher(watcher: RouteWatcher): void {
    const set = this.#watchers.get(watcher.topic);
    if (set === undefined || !set.delete(watcher)) return;
    this.#watcherCount--;
    if (set.size === 0) this.#watchers.delete(watcher.topic);
    this.#updateRouteListener();
  }

  #removeClient(client: EventsClient): void {
    if (!this.#clients.delete(client)) return;
    if (client.routes) this.#routeClients--;
    if (this.#clients.size === 0) this.#listenToEvents(false);
    this.#updateRouteListener();
  }

  #listenToEvents(on: boolean): void {
    if (on) {
      this.#log.trackingStarted('events');
      this.#registry.on('brokerRegistered', this.#onRegistered);
      this.#registry.on('brokerUnregistered', this.#onUnregistered);
      this.#options.kvConfig?.on('change', this.#onKvChanged);
    } else {
      this.#registry.off('brokerRegistered', this.#onRegistered);
      this.#registry.off('brokerUnregistered', this.#onUnregistered);
      this.#options.kvConfig?.off('change', this.#onKvChanged);
    }
    this.#listenToController(on);
  }

  #listenToController(on: boolean): void {
    const c = this.#options.controller;
    if (c === null) return;
    if (on) {
      c.on('masterElected', this.#onMasterElected);
      c.on('syncStateSetChanged', this.#onSyncStateSetChanged);
      c.on('brokerInactive', this.#onBrokerInactive);
    } else {
      c.off('masterElected', this.#onMasterElected);
      c.off('syncStateSetChanged', this.#onSyncStateSetChanged);
      c.off('brokerInactive', this.#onBrokerInactive);
    }
  }

  /** Listens to `topicRouteChanged` only while someone watches: the registry tracks changed topics only then. */
  #updateRouteListener(): void {
    const wanted = this.#watcherCount > 0 || this.#routeClients > 0;
    if (wanted === this.#listeningToRoutes) return;
    if (wanted) {
      this.#log.trackingStarted('routes');
      this.#registry.on('topicRouteChanged', this.#onRouteChanged);
    } else this.#registry.off('topicRouteChanged', this.#onRouteChanged);
    this.#listeningToRoutes = wanted;
  }

  #flushDirty(): void {
    this.#flush = null;
    const topics = [...this.#dirty];
    this.#dirty.clear();
    for (const topic of topics) {
      const set = this.#watchers.get(topic);
      if (set === undefined) continue;
      const json = toJson(this.#registry.getRouteInfoByTopic(topic));
      // Framed and encoded once for all of the topic's watchers.
      const frame = routeFrame(this.#log, json);
      for (const w of set) w.push(json, frame);
    }
  }

  #broadcast(event: string, data: string): void {
    const frame = this.#log.append(event, data, false);
    if (this.#routeClients > 0) this.#enqueue(frame, true);
    if (this.#clients.size > this.#routeClients) this.#enqueue(frame, false);
  }

  /** Adds a frame to the batch of `routes` clients (`forRouteClients`) or of the others. */
  #enqueue(frame: string, forRouteClients: boolean): void {
    (forRouteClients ? this.#batchAll : this.#batchEvents).push(frame);
    if (this.#batchTimer !== null) return;
    // Right after the burst that made it, unless a batch went out less than EVENT_BATCH_MILLIS ago.
    const wait = Math.max(0, this.#lastBatchAt + EVENT_BATCH_MILLIS - performance.now());
    this.#batchTimer = setTimeout(() => this.#writeBatch(), wait);
    // Pending events must never be what keeps a host process alive.
    this.#batchTimer.unref();
  }

  /** Writes the batch: each kind encoded once, the same buffer queued on every stream. */
  #writeBatch(): void {
    if (this.#batchTimer !== null) {
      clearTimeout(this.#batchTimer);
      this.#batchTimer = null;
    }
    const all = takeEncoded(this.#batchAll);
    const events = takeEncoded(this.#batchEvents);
    if (all === null && events === null) return;
    this.#lastBatchAt = performance.now();
    const max = this.#options.maxBufferBytes;
    for (const c of this.#clients) {
      const chunk = c.routes ? all : events;
      if (chunk !== null) c.send(chunk, max);
    }
  }
}

/** The frames as one buffer (emptying the list), or null when there are none. */
function takeEncoded(frames: string[]): Buffer | null {
  if (frames.length === 0) return null;
  const buffer = Buffer.from(frames.join(''));
  frames.length = 0;
  return buffer;
}
