// Clients of R3 and R4, run in a worker thread: a client is another process in
// real life, and sharing the server's thread would charge its work to the server.
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

/** Calls `onFrame()` for each complete frame that arrives on `socket`. */
function frames(socket, onFrame) {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    while (pending.length - offset >= 4) {
      const length = pending.readInt32BE(offset);
      if (pending.length - offset < 4 + length) break;
      offset += 4 + length;
      onFrame();
    }
    pending = offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset);
  });
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** R3: `connections` sockets, one request in flight on each; resolves requests/s in thousands. */
async function oneInFlight({ port, frames: all, connections, total }) {
  const sockets = await Promise.all(Array.from({ length: connections }, () => connect(port)));
  let sent = 0;
  let received = 0;
  return new Promise((resolve) => {
    const start = performance.now();
    sockets.forEach((socket, k) => {
      let next = k * 7;
      frames(socket, () => {
        received++;
        if (received === total) {
          const seconds = (performance.now() - start) / 1000;
          for (const s of sockets) s.destroy();
          resolve(total / seconds / 1000);
        } else if (sent < total) {
          sent++;
          socket.write(all[next++ % all.length]);
        }
      });
      sent++;
      socket.write(all[next++ % all.length]);
    });
  });
}

/**
 * R4: `registrars` sockets re-register back to back (alternating prebuilt
 * bodies, so each carries a new data version) while one socket sends a route
 * request every 2 ms. The probe starts with the registrars; the window opens
 * once every registrar's first registration (its broker's whole table, new
 * to the server) was answered, and lasts `durationMillis`. Resolves route
 * latencies (ms) in the window and over the whole run, and registrations/s
 * in the window.
 */
async function routesUnderRegistration({ port, routeFrames, registerFrames, registrars, durationMillis }) {
  const probe = await connect(port);
  const sockets = await Promise.all(Array.from({ length: registrars }, () => connect(port)));
  const latencies = [];
  const allLatencies = [];
  let registrations = 0;
  let firstAnswers = 0;
  let windowStart = Infinity;
  let opened;
  const windowOpened = new Promise((resolve) => {
    opened = resolve;
  });
  let stopped = false;
  const sentAt = [];
  frames(probe, () => {
    const sent = sentAt.shift();
    const latency = performance.now() - sent;
    allLatencies.push(latency);
    if (sent >= windowStart) latencies.push(latency);
  });
  sockets.forEach((socket, k) => {
    const mine = registerFrames[k];
    let next = 0;
    let answered = 0;
    frames(socket, () => {
      registrations++;
      if (++answered === 1 && ++firstAnswers === registrars) {
        windowStart = performance.now();
        registrations = 0;
        opened();
      }
      if (!stopped) socket.write(mine[next++ % mine.length]);
    });
    socket.write(mine[next++ % mine.length]);
  });
  let r = 0;
  const timer = setInterval(() => {
    sentAt.push(performance.now());
    probe.write(routeFrames[r++ % routeFrames.length]);
  }, 2);
  await windowOpened;
  await new Promise((resolve) => setTimeout(resolve, durationMillis));
  stopped = true;
  const seconds = (performance.now() - windowStart) / 1000;
  const counted = registrations;
  clearInterval(timer);
  // Let the last answers come, so the server is idle for the next round.
  await new Promise((resolve) => setTimeout(resolve, 300));
  probe.destroy();
  for (const s of sockets) s.destroy();
  return { latencies, allLatencies, registrationsPerSecond: counted / seconds };
}

const job = workerData;
const toBuffers = (list) => list.map((f) => Buffer.from(f));
if (job.mode === 'r3') {
  parentPort.postMessage(await oneInFlight({ ...job, frames: toBuffers(job.frames) }));
} else {
  parentPort.postMessage(await routesUnderRegistration({
    ...job, routeFrames: toBuffers(job.routeFrames), registerFrames: job.registerFrames.map(toBuffers),
  }));
}
