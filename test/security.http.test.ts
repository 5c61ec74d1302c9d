/**
 * The HTTP adapter's guards hold for every mutating route: `authorize`
 * refusals (false, a throw, a rejection, anything but `true`) and `readOnly`
 * change nothing, and no name or JSON body reaches a prototype.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { KvConfigStore, RouteRegistry } from '../src/index.js';
import type { HttpHandlerOptions } from '../src/http/index.js';
import { httpCall, httpFixtures, type HttpReply } from './helpers/http.js';
import { FakeClock } from './helpers/registry.js';

const http = httpFixtures();

interface World {
  registry: RouteRegistry;
  kv: KvConfigStore;
  clock: FakeClock;
  port: number;
}

const broker = {
  clusterName: 'c', brokerName: 'b', brokerAddr: '10.0.0.1:10911', brokerId: 0,
  topicConfigWrapper: {
    topicConfigTable: { T: { topicName: 'T', readQueueNums: 4, writeQueueNums: 4, perm: 6 }, U: { topicName: 'U', readQueueNums: 2, writeQueueNums: 2, perm: 6 } },
    dataVersion: { timestamp: 1, counter: 1 },
  },
};

async function world(options: HttpHandlerOptions): Promise<World> {
  const clock = new FakeClock();
  const kv = new KvConfigStore();
  const registry = new RouteRegistry({ now: clock.now, brokerChannelExpiredMillis: 10_000 });
  registry.registerBroker(broker);
  kv.put('ns', 'k', 'v');
  await http.start(registry, { kvConfig: kv, ...options });
  return { registry, kv, clock, port: http.port() };
}

const call = (port: number, method: string, path: string, body?: unknown): Promise<HttpReply> => httpCall(port, method, path, body);

/** Every mutating route, with a request that would change something if allowed. */
const MUTATIONS: ReadonlyArray<[method: string, path: string, body?: unknown]> = [
  ['POST', '/brokers', { ...broker, brokerName: 'intruder', brokerAddr: '6.6.6.6:1' }],
  ['POST', '/brokers/heartbeat', { clusterName: 'c', brokerAddr: '10.0.0.1:10911' }],
  ['POST', '/brokers/b/wipe-write-perm'],
  ['POST', '/brokers/b/add-write-perm'],
  ['DELETE', '/topics/T'],
  ['DELETE', '/topics/U?cluster=c'],
  ['PUT', '/kv/ns/k', { value: 'changed' }],
  ['PUT', '/kv/__proto__/polluted', { value: 'yes' }],
  ['DELETE', '/kv/ns/k'],
  ['DELETE', '/brokers', { clusterName: 'c', brokerName: 'b', brokerAddr: '10.0.0.1:10911', brokerId: 0 }],
];

const READS: readonly string[] = ['/topics/T/route', '/cluster', '/topics', '/clusters/c/topics', '/health', '/metrics', '/kv/ns', '/kv/ns/k'];

function snapshot(w: World): string {
  return JSON.stringify({
    cluster: w.registry.getAllClusterInfo(), topics: w.registry.getAllTopicList(), T: w.registry.getRouteInfoByTopic('T'),
    U: w.registry.getRouteInfoByTopic('U'), live: w.registry.liveBrokerCount, kv: w.kv.entries(),
  });
}

/** True when the broker's heartbeat was not refreshed by the refused requests: it expires on time. */
function expiresOnTime(w: World): boolean {
  w.clock.advance(10_001);
  return w.registry.scanNotActiveBroker() === 1;
}

describe('authorize guards every mutating route', () => {
  const refusals: ReadonlyArray<[string, HttpHandlerOptions['authorize'], number]> = [
    ['false', () => false, 403],
    ['a throw', () => {
      throw new Error('bad token');
    }, 401],
    ['a rejection', () => Promise.reject(new Error('bad token')), 401],
    ['a truthy value that is not true', () => 'yes' as unknown as boolean, 403],
    ['a promise of 1', () => Promise.resolve(1 as unknown as boolean), 403],
  ];

  for (const [name, authorize, status] of refusals) {
    it(`${name} answers ${status} on every mutating route and changes nothing`, async () => {
      const w = await world({ authorize });
      const before = snapshot(w);
      for (const [method, path, body] of MUTATIONS) {
        const r = await call(w.port, method, path, body);
        expect(r.status, `${method} ${path}`).toBe(status);
        expect(r.json).toMatchObject({ code: status === 401 ? 'ERR_UNAUTHORIZED' : 'ERR_FORBIDDEN' });
      }
      expect(snapshot(w)).toBe(before);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(expiresOnTime(w)).toBe(true);
    });
  }

  it('is asked once per mutating request, before the body is read, and never for reads', async () => {
    const seen: string[] = [];
    const w = await world({
      authorize: (req: IncomingMessage) => {
        // The body is still unread: a refused request costs no parsing.
        expect(req.readableEnded).toBe(false);
        seen.push(`${req.method} ${req.url}`);
        return true;
      },
    });
    for (const path of READS) expect((await call(w.port, 'GET', path)).status, path).toBe(200);
    expect(seen).toEqual([]);
    for (const [method, path, body] of MUTATIONS) {
      expect((await call(w.port, method, path, body)).status, `${method} ${path}`).toBeLessThan(300);
    }
    expect(seen).toEqual(MUTATIONS.map(([m, p]) => `${m} ${p}`));
  });
});

describe('readOnly', () => {
  it('answers 405 on every mutating route, before authorize, and changes nothing; reads work', async () => {
    let asked = 0;
    const w = await world({ readOnly: true, authorize: () => ++asked > 0 });
    const before = snapshot(w);
    for (const [method, path, body] of MUTATIONS) {
      const r = await call(w.port, method, path, body);
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.json).toMatchObject({ code: 'ERR_READ_ONLY' });
    }
    expect(asked).toBe(0);
    expect(snapshot(w)).toBe(before);
    for (const path of READS) expect((await call(w.port, 'GET', path)).status, path).toBe(200);
    expect(expiresOnTime(w)).toBe(true);
  });
});

describe('names and bodies aimed at prototypes over HTTP', () => {
  it('__proto__ and friends are ordinary names in paths, bodies and answers', async () => {
    const w = await world({});
    const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const body = `{"clusterName":"__proto__","brokerName":"constructor","brokerAddr":"toString","brokerId":0,
      "__proto__":{"polluted":"request"},
      "topicConfigWrapper":{"__proto__":{"polluted":"wrapper"},"dataVersion":{"timestamp":1,"counter":1},
        "topicConfigTable":{"__proto__":{"topicName":"__proto__","perm":6,"__proto__":{"polluted":"config"}},
          "hasOwnProperty":{"topicName":"hasOwnProperty","perm":6}}}}`;
    // Sent verbatim: JSON.stringify could not even express these own `__proto__` keys.
    const res = (await call(w.port, 'POST', '/brokers', body)).status;
    expect(res).toBe(200);
    const route = await call(w.port, 'GET', '/topics/__proto__/route');
    expect(route.status).toBe(200);
    expect(route.json).toMatchObject({ brokerDatas: [{ cluster: '__proto__', brokerName: 'constructor', brokerAddrs: { 0: 'toString' } }] });
    expect((await call(w.port, 'GET', '/topics/hasOwnProperty/route')).status).toBe(200);
    expect((await call(w.port, 'GET', '/topics/toString/route')).status).toBe(404);
    const cluster = (await call(w.port, 'GET', '/cluster')).json as { clusterAddrTable: Record<string, string[]> };
    expect(Object.hasOwn(cluster.clusterAddrTable, '__proto__')).toBe(true);
    expect(cluster.clusterAddrTable['__proto__']).toEqual(['constructor']);
    expect((await call(w.port, 'GET', '/clusters/__proto__/topics')).json).toEqual({ topicList: expect.arrayContaining(['__proto__', 'hasOwnProperty']) });

    expect((await call(w.port, 'PUT', '/kv/__proto__/__proto__', { value: 'v' })).status).toBe(204);
    expect((await call(w.port, 'PUT', '/kv/__proto__/constructor', { value: 'w' })).status).toBe(204);
    const list = (await call(w.port, 'GET', '/kv/__proto__')).json as object;
    expect(Object.entries(list)).toEqual([['__proto__', 'v'], ['constructor', 'w']]);
    expect((await call(w.port, 'GET', '/kv/constructor')).status).toBe(404);
    expect((await call(w.port, 'GET', '/kv/ns/toString')).status).toBe(404);

    expect((await call(w.port, 'DELETE', '/topics/__proto__')).status).toBe(204);
    expect((await call(w.port, 'GET', '/topics/__proto__/route')).status).toBe(404);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeys);
  });
});
