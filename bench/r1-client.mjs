// R1's client: sends pipelined request frames and counts the answers.
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

/** Sends `total` pipelined requests (at most `window` in flight); resolves requests/s. */
export function pipeline(port, frames, total, window = 512) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let sent = 0;
    let received = 0;
    let pending = Buffer.alloc(0);
    let start = 0;
    const pump = () => {
      const batch = [];
      while (sent < total && sent - received < window) batch.push(frames[sent++ % frames.length]);
      if (batch.length > 0) socket.write(batch.length === 1 ? batch[0] : Buffer.concat(batch));
    };
    socket.on('connect', () => {
      start = performance.now();
      pump();
    });
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      while (pending.length - offset >= 4) {
        const length = pending.readInt32BE(offset);
        if (pending.length - offset < 4 + length) break;
        offset += 4 + length;
        received++;
      }
      pending = pending.subarray(offset);
      if (received === total) {
        const seconds = (performance.now() - start) / 1000;
        socket.destroy();
        resolve(total / seconds / 1000);
      } else {
        pump();
      }
    });
    socket.on('error', reject);
  });
}

const { port, frames, total, window } = workerData;
parentPort.postMessage(await pipeline(port, frames.map((f) => Buffer.from(f)), total, window));
