/**
 * A `RemotingServer` decodes REGISTER_BROKER bodies on its own workers with
 * no wiring (`new RemotingServer(registry, { port })`), refuses a
 * registration past `maxTopicsPerRegistration` with the registry unchanged,
 * reuses a connection's unchanged table (compressed too), and decodes on the
 * event loop with `decodeWorkers: 0`.
 */
import { describe, expect, it } from 'vitest';
import { RequestCode, ResponseCode } from '../src/remoting/index.js';
import { loopbackFixtures, registerBroker } from './helpers/loopback.js';

const fx = loopbackFixtures();
/** More than 64 KiB as plain JSON: a body the workers decode. */
const topics = Array.from({ length: 1_500 }, (_, t) => `topic-${t}`);

describe('the decode workers of a RemotingServer', () => {
  it('decode plain and compressed registrations off the event loop by default; an unchanged table is reused', async () => {
    const { server, client, registry } = await fx.harness();
    // Plain first: a body over 64 KiB waits for the worker to start; small compressed ones after it go to it too.
    for (const compressed of [false, true]) {
      const spec = { brokerName: `b-${String(compressed)}`, brokerAddr: `127.0.0.${compressed ? 2 : 1}:10911`, topics, compressed };
      expect((await registerBroker(client, { ...spec, counter: 1 })).code).toBe(ResponseCode.SUCCESS);
      // A heartbeat carrying the same table with a new data version: the connection's last table comes back.
      expect((await registerBroker(client, { ...spec, counter: 2 })).code).toBe(ResponseCode.SUCCESS);
    }
    expect(registry.topicCount).toBe(1_500);
    expect(server.decodeStats).toMatchObject({ worker: 4, inline: 0, fallback: 0, reused: 2 });
    expect(server.options.decodeWorkers).toBeGreaterThanOrEqual(1);
  });

  it('refuse a registration past maxTopicsPerRegistration, naming the limit, and leave the registry unchanged', async () => {
    const { client, registry } = await fx.harness({ server: { maxTopicsPerRegistration: 1_000 } });
    for (const compressed of [false, true]) {
      const res = await registerBroker(client, { brokerName: 'too-big', topics, compressed });
      expect(res.code).toBe(ResponseCode.SYSTEM_ERROR);
      expect(res.remark).toMatch(/maxTopicsPerRegistration \(1000\)/);
    }
    expect(registry.topicCount).toBe(0);
    const route = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'topic-1' });
    expect(route.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    // At the limit: registered.
    expect((await registerBroker(client, { brokerName: 'at-limit', topics: topics.slice(0, 1_000) })).code).toBe(ResponseCode.SUCCESS);
  });

  it('decode on the event loop with decodeWorkers: 0, with the same results', async () => {
    const { server, client, registry } = await fx.harness({ server: { decodeWorkers: 0 } });
    expect((await registerBroker(client, { brokerName: 'inline', topics })).code).toBe(ResponseCode.SUCCESS);
    expect((await registerBroker(client, { brokerName: 'inline-z', brokerAddr: '127.0.0.9:10911', topics, compressed: true })).code)
      .toBe(ResponseCode.SUCCESS);
    expect(registry.topicCount).toBe(1_500);
    expect(server.decodeStats).toMatchObject({ worker: 0, inline: 2 });
  });

  it('validate their options', async () => {
    await expect(fx.start({ server: { decodeWorkers: -1 } })).rejects.toThrow(/decodeWorkers/);
    await expect(fx.start({ server: { maxTopicsPerRegistration: 0 } })).rejects.toThrow(/maxTopicsPerRegistration/);
  });
});
