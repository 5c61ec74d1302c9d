/**
 * Faults around the HTTP adapter's event streams: the handler closing while
 * the registry keeps changing, and clients vanishing mid-stream. The host
 * process must survive both (an 'error' nobody listens to would crash it).
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RouteRegistry, type RegisterBrokerRequest } from '../src/index.js';
import { createHttpServer, type NamesrvHttpServer } from '../src/http/index.js';

let server: NamesrvHttpServer | null = null;
const requests: ClientRequest[] = [];

afterEach(async () => {
  for (const r of requests.splice(0)) r.destroy();
  const s = server;
  server = null;
  if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
});

function registration(i: number, counter = 1): RegisterBrokerRequest {
  return {
    clusterName: 'c', brokerName: `b${i}`, brokerAddr: `10.0.0.${i}:1`, brokerId: 0,
    topicConfigWrapper: {
      topicConfigTable: {
        T: { topicName: 'T', readQueueNums: counter, writeQueueNums: counter, perm: 6 },
        U: { topicName: 'U', readQueueNums: 1, writeQueueNums: 1, perm: 6 },
      },
      dataVersion: { timestamp: 1, counter },
    },
  };
}

/** Opens an event stream; resolves once its first bytes arrived. */
function stream(port: number, path: string): Promise<{ req: ClientRequest; received: () => string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      res.on('data', (c: Buffer) => {
        const first = text === '';
        text += c.toString();
        if (first) resolve({ req, received: () => text });
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err) => (text === '' ? reject(err) : undefined));
    requests.push(req);
    req.end();
  });
}

async function start(registry: RouteRegistry): Promise<number> {
  server = createHttpServer(registry);
  const s = server;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

describe('HTTP event streams under faults', () => {
  it('closing the handler while the registry keeps changing ends the streams without crashing the host', async () => {
    const registry = new RouteRegistry();
    const port = await start(registry);
    const streams = await Promise.all([
      stream(port, '/events?routes=1'), stream(port, '/events'), stream(port, '/topics/T/route?watch=1'), stream(port, '/topics/U/route?watch=1'),
    ]);
    (server as NamesrvHttpServer).handler.close();
    // Events arrive between end() and the 'close' that unsubscribes the streams.
    for (let i = 1; i <= 20; i++) registry.registerBroker(registration(i));
    registry.unregisterBroker({ clusterName: 'c', brokerName: 'b1', brokerAddr: '10.0.0.1:1', brokerId: 0 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((server as NamesrvHttpServer).handler.streamCount).toBe(0);
    for (const s of streams) expect(s.received()).not.toContain('brokerRegistered');
    registry.close();
  });

  it('clients vanishing mid-stream while routes churn leave no stream behind and crash nothing', async () => {
    const registry = new RouteRegistry();
    const port = await start(registry);
    for (let round = 0; round < 5; round++) {
      const streams = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        stream(port, i % 2 === 0 ? '/events?routes=1' : '/topics/T/route?watch=1')));
      for (let i = 1; i <= 10; i++) {
        registry.registerBroker(registration(i, round + 2));
        // Half the clients vanish with a reset, half with a clean close, in the middle of the burst.
        const s = streams[i - 1];
        if (s !== undefined) {
          if (i % 2 === 0) s.req.socket?.resetAndDestroy();
          else s.req.destroy();
        }
      }
      // Bounded, not timed: the point is that none is left behind, however busy the machine.
      for (let waited = 0; (server as NamesrvHttpServer).handler.streamCount > 0 && waited < 2_000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect((server as NamesrvHttpServer).handler.streamCount).toBe(0);
    }
    // Still serving.
    const last = await stream(port, '/topics/T/route?watch=1');
    expect(last.received()).toContain('event: route');
    registry.close();
  });
});
