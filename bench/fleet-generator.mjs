// R5's load generator: one child process of bench/fleet.mjs (two run at once,
// each with half the brokers and half the clients), so the generator does not
// share a thread, or a process, with the server it measures. Driven over IPC:
//   prepare → (bodies built, sockets connected) ready
//   start   → brokers register every intervalMillis, clients poll routes; firstDone once each of its brokers was answered
//   window  → latencies of requests sent from now on are kept; its own event-loop delay is measured
//   stop    → no new requests; in-flight ones answered or timed out; stats
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  GET_ROUTEINFO_BY_TOPIC, REGISTER_BROKER, brokerTopics, fleetShape, onFrames, registerBody, registerFields, requestHead,
} from './fleet-topology.mjs';

/** RocketMQ's client timeout for a route request; a registration gets the same bound here (the broker's is longer). */
const TIMEOUT_MILLIS = { route: 3_000, register: 6_000 };

/** The event-loop monitor's timer period: its histogram holds period + delay, the period is taken off. */
const LOOP_RESOLUTION_MILLIS = 5;

const state = {
  windowStart: Infinity,
  windowEnd: Infinity,
  stopped: false,
  routes: [],
  registrations: [],
  /** What went wrong inside the window: response codes other than 0, timeouts, closed sockets. */
  errors: {},
  /** Route answers other than 0 before the window (topics not registered yet): expected, counted apart. */
  earlyRouteMisses: 0,
  /** Brokers of this generator without a successful registration when the window opened (it opens anyway after a while). */
  unregisteredAtWindow: 0,
  inFlight: 0,
  firstPending: 0,
  timers: new Set(),
  sockets: [],
  /** Every connection's requests in flight, swept for timeouts by one timer. */
  channels: [],
  loop: monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MILLIS }),
  cpuAtWindow: null,
};

const inWindow = (sentAt) => sentAt >= state.windowStart && sentAt < state.windowEnd;

function error(kind) {
  state.errors[kind] = (state.errors[kind] ?? 0) + 1;
}

/** setTimeout at an absolute epoch time, tracked so stop can clear it. */
function at(epochMillis, fn) {
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    if (!state.stopped) fn();
  }, Math.max(0, epochMillis - Date.now()));
  state.timers.add(timer);
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

async function connectAll(port, count) {
  const sockets = [];
  for (let i = 0; i < count; i += 256) {
    sockets.push(...await Promise.all(Array.from({ length: Math.min(256, count - i) }, () => connect(port))));
  }
  for (const socket of sockets) {
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!state.stopped) error('socket closed');
    });
  }
  state.sockets.push(...sockets);
  return sockets;
}

/** A connection with requests in flight by opaque; answers and timeouts call `done(latency | null, code)`. */
function channel(socket, kind) {
  const pending = new Map();
  let opaque = 0;
  onFrames(socket, (code, id) => {
    const p = pending.get(id);
    if (p === undefined) return;
    pending.delete(id);
    state.inFlight--;
    p.done(performance.now() - p.sentAt, code);
  });
  state.channels.push({ pending, timeout: TIMEOUT_MILLIS[kind] });
  return {
    request(build, done) {
      const id = ++opaque;
      const [head, body] = build(id);
      pending.set(id, { sentAt: performance.now(), done });
      state.inFlight++;
      if (body === undefined) {
        socket.write(head);
      } else {
        socket.cork();
        socket.write(head);
        socket.write(body);
        socket.uncork();
      }
    },
  };
}

/** Answers null (a timeout) to requests in flight for longer than their bound. */
function sweep() {
  const now = performance.now();
  for (const { pending, timeout } of state.channels) {
    for (const [id, p] of pending) {
      if (now - p.sentAt < timeout) continue;
      pending.delete(id);
      state.inFlight--;
      p.done(null, -1);
    }
  }
}
setInterval(sweep, 500).unref();

function record(list, kind, sentAt, latency, code) {
  if (!inWindow(sentAt)) return;
  if (latency === null) error(`${kind} timeout`);
  else if (code !== 0) error(`${kind} code ${code}`);
  else list.push(latency);
}

/** One broker: registers at t0 + phase, then every interval; a new data version at its first and every 10th registration. */
function broker(shape, g, sock, o, t0, first) {
  const ch = channel(sock, 'register');
  const { dataVersion } = first;
  let current = first;
  let n = 0;
  // Registered once a registration was answered with success (a refused or timed-out first one does not count).
  let registered = false;
  state.firstPending++;
  const phase = (g / shape.brokers) * o.spreadMillis;
  const register = () => {
    const sentAt = performance.now();
    const { body, crc } = current;
    ch.request((id) => [requestHead(REGISTER_BROKER, id, registerFields(shape, g, crc), body.length), body], (latency, code) => {
      record(state.registrations, 'register', sentAt, latency, code);
      if (registered || latency === null || code !== 0) return;
      registered = true;
      if (--state.firstPending === 0) process.send({ type: 'firstDone' });
    });
    n++;
    at(t0 + phase + n * o.intervalMillis, register);
    // The next body is built now, between registrations, not when it is due.
    if ((n + g) % 10 === 0) {
      setImmediate(() => {
        dataVersion.counter++;
        dataVersion.timestamp = Date.now();
        current = registerBody(shape, g, brokerTopics(shape, g), dataVersion);
      });
    }
  };
  at(t0 + phase, register);
}

/** One client: every interval (from its phase on), asks `routesPerPoll` random routes one after another, as a client's poll does. */
function client(shape, k, sock, o, t0) {
  const ch = channel(sock, 'route');
  const phase = ((k + 0.5) / o.totalClients) * o.spreadMillis;
  let poll = 0;
  const ask = (left) => {
    if (left === 0 || state.stopped) return;
    const topic = shape.topicAt(Math.floor(Math.random() * shape.userTopics));
    const sentAt = performance.now();
    ch.request((id) => [requestHead(GET_ROUTEINFO_BY_TOPIC, id, { topic })], (latency, code) => {
      if (sentAt < state.windowStart && latency !== null && code !== 0) state.earlyRouteMisses++;
      else record(state.routes, 'route', sentAt, latency, code);
      ask(left - 1);
    });
  };
  const tick = () => {
    poll++;
    at(t0 + phase + poll * o.intervalMillis, tick);
    ask(o.routesPerPoll);
  };
  at(t0 + phase, tick);
}

/** Broker g's first body (data version 1), built before the run so the start costs the generator nothing. */
function firstBody(shape, g) {
  const dataVersion = { counter: 1, timestamp: 1_700_000_000_000 + g };
  return { ...registerBody(shape, g, brokerTopics(shape, g), dataVersion), dataVersion };
}

async function prepare(o) {
  const shape = fleetShape(o.brokers, o.topicsPerBroker);
  const bodies = o.brokerIds.map((g) => firstBody(shape, g));
  const brokerSockets = await connectAll(o.port, o.brokerIds.length);
  const clientSockets = await connectAll(o.port, o.clientIds.length);
  return (t0) => {
    o.brokerIds.forEach((g, i) => broker(shape, g, brokerSockets[i], o, t0, bodies[i]));
    o.clientIds.forEach((k, i) => client(shape, k, clientSockets[i], o, t0));
    if (o.brokerIds.length === 0) process.send({ type: 'firstDone' });
  };
}

async function stop() {
  state.windowEnd = performance.now();
  state.stopped = true;
  state.loop.disable();
  const cpu = process.cpuUsage(state.cpuAtWindow);
  for (const t of state.timers) clearTimeout(t);
  const deadline = Date.now() + Math.max(TIMEOUT_MILLIS.route, TIMEOUT_MILLIS.register) + 1_000;
  while (state.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const s of state.sockets) s.destroy();
  return {
    routes: state.routes,
    registrations: state.registrations,
    errors: state.errors,
    earlyRouteMisses: state.earlyRouteMisses,
    unregisteredAtWindow: state.unregisteredAtWindow,
    loopP99Millis: Math.max(0, state.loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MILLIS),
    loopMaxMillis: Math.max(0, state.loop.max / 1e6 - LOOP_RESOLUTION_MILLIS),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

// The runner gone (killed, crashed): so is its load.
process.on('disconnect', () => process.exit(0));

let begin = null;
process.on('message', async (msg) => {
  if (msg.type === 'prepare') {
    begin = await prepare(msg.options);
    process.send({ type: 'ready' });
  } else if (msg.type === 'start') {
    begin(msg.t0);
  } else if (msg.type === 'window') {
    state.unregisteredAtWindow = state.firstPending;
    state.windowStart = performance.now();
    state.cpuAtWindow = process.cpuUsage();
    state.loop.reset();
    state.loop.enable();
  } else if (msg.type === 'stop') {
    process.send({ type: 'stats', stats: await stop() });
  }
});
