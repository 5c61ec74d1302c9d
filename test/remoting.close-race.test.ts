/**
 * A registration still being decoded when its connection closes must not be
 * applied afterwards: the connection's channel was destroyed already, so the
 * broker would stay live on a dead channel (and in routes) until it expired.
 * A decode pool yields between slices, which opens exactly that window.
 */
import { connect } from 'node:net';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { DecodePool } from '../src/remoting/decode/decode-pool.js';
import { registerFrame, serve, type Served } from './helpers/loopback.js';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

it('a registration whose connection closed while it decoded leaves no live broker', async () => {
  const pool = new DecodePool({ inlineBelowBytes: 1 });
  opened.push(pool);
  const served: Served = await serve({ server: { decodeRegisterBody: (body, options) => pool.decode(body, options) } });
  opened.push(served);
  const topics = Array.from({ length: 3_000 }, (_, i) => `Topic${i}`);
  const socket = connect(served.port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  // The whole request, then the close: the server reads both before the body is decoded.
  socket.end(registerFrame({ brokerAddr: '10.9.9.9:10911', topics }));
  await once(socket, 'close');
  await served.server.close();
  expect(served.registry.getLiveBrokers()).toEqual([]);
  expect(served.registry.getRouteInfoByTopic('Topic1')).toBeNull();
});
