/** The HTTP adapter's refusals: bad input, limits, routing errors, guards, unexpected failures, options. */
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { InvalidOptionError, RouteRegistry } from '../src/index.js';
import { createHttpHandler, type HttpHandlerOptions } from '../src/http/index.js';
import { httpFixtures } from './helpers/http.js';
import { defaultBroker, registration } from './helpers/registry.js';

const { start, call, port } = httpFixtures();

/** Writes raw bytes on a fresh connection and returns everything read until the server closes it. */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port(), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', (err) => (chunks.length > 0 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(err)));
    socket.write(bytes);
  });
}

const register = registration(defaultBroker(), ['T']);

describe('HTTP adapter: bad requests', () => {
  it('bad JSON answers 400 with the parser reason and changes nothing', async () => {
    const registry = new RouteRegistry();
    await start(registry);
    const r = await call('POST', '/brokers', '{"clusterName": ');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'ERR_BAD_JSON' });
    expect((r.json as { message: string }).message).toMatch(/^invalid JSON: .+/);
    expect(registry.liveBrokerCount).toBe(0);
  });

  it('a body that is not UTF-8, not an object, or missing answers 400', async () => {
    await start(new RouteRegistry());
    const notUtf8 = await raw(Buffer.concat([
      Buffer.from('POST /brokers HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n'),
      Buffer.from([0x22, 0xff, 0x22]),
    ]));
    expect(notUtf8).toMatch(/^HTTP\/1\.1 400 /);
    expect(notUtf8).toContain('not valid UTF-8');
    const notObject = await call('POST', '/brokers', [1, 2]);
    expect(notObject.status).toBe(400);
    expect(notObject.json).toMatchObject({ code: 'ERR_INVALID_REQUEST', field: 'body' });
    const missing = await call('POST', '/brokers');
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ code: 'ERR_BAD_JSON', message: 'a JSON request body is required' });
  });

  it('an invalid registration answers 400 naming the field, and nothing changes', async () => {
    const registry = new RouteRegistry();
    await start(registry);
    const r = await call('POST', '/brokers', { ...register, brokerId: -1 });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'ERR_INVALID_REQUEST', field: 'brokerId' });
    const perm = structuredClone(register);
    (perm.topicConfigWrapper?.topicConfigTable.T as { perm: number }).perm = 16;
    const r2 = await call('POST', '/brokers', perm);
    expect(r2.status).toBe(400);
    expect((r2.json as { field: string }).field).toMatch(/perm$/);
    expect(registry.liveBrokerCount).toBe(0);
    expect(registry.topicCount).toBe(0);
  });

  it('a JSON body is read whatever content type it claims (curl -d, fetch with a string); what is not JSON answers 400', async () => {
    const registry = new RouteRegistry();
    await start(registry);
    for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8']) {
      const r = await call('POST', '/brokers', JSON.stringify(register), { 'content-type': type });
      expect(r.status, type).toBe(200);
    }
    expect(registry.liveBrokerCount).toBe(1);
    const bad = await call('POST', '/brokers', 'clusterName=DefaultCluster', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: 'ERR_BAD_JSON' });
  });

  it('a declared length over maxBodyBytes answers 413 at once and closes', async () => {
    await start(new RouteRegistry(), { maxBodyBytes: 1024 });
    // The body is never sent: the answer must not wait for it.
    const reply = await raw('POST /brokers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toMatch(/\r\nConnection: close\r\n/i);
    expect(reply).toContain('"code":"ERR_BODY_TOO_LARGE"');
  });

  it('a chunked body growing over maxBodyBytes answers 413 and closes', async () => {
    const registry = new RouteRegistry();
    await start(registry, { maxBodyBytes: 1024 });
    const chunk = `400\r\n${' '.repeat(1024)}\r\n`;
    const reply = await raw(`POST /brokers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}`);
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toMatch(/\r\nConnection: close\r\n/i);
    // A body of exactly the limit is fine.
    const body = JSON.stringify(register);
    const fits = await call('POST', '/brokers', body.padEnd(1024, ' '));
    expect(body.length).toBeLessThan(1024);
    expect(fits.status).toBe(200);
  });

  it('malformed percent-encoding answers 400', async () => {
    await start(new RouteRegistry());
    const r = await call('GET', '/topics/%E0%A4%A/route');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'ERR_BAD_REQUEST_TARGET' });
  });
});

describe('HTTP adapter: routing errors', () => {
  it('an unknown path answers 404', async () => {
    await start(new RouteRegistry(), { console: false });
    for (const path of ['/', '/nope', '/topics/x/y', '/topics/x/route/extra', '/Topics', '/health/']) {
      const r = await call('GET', path);
      expect(r.status, path).toBe(404);
      expect(r.json, path).toEqual({ code: 'ERR_NOT_FOUND', message: 'no such endpoint' });
    }
  });

  it('a wrong method answers 405 with Allow', async () => {
    await start(new RouteRegistry());
    const r = await call('POST', '/topics/x/route');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
    expect(r.json).toMatchObject({ code: 'ERR_METHOD_NOT_ALLOWED' });
    expect((await call('PUT', '/brokers')).headers.allow).toBe('GET, HEAD, POST, DELETE');
    expect((await call('PATCH', '/kv/ns/k')).headers.allow).toBe('GET, HEAD, PUT, DELETE');
  });

  it('an unexpected error answers 500 without details, is reported, and the server keeps serving', async () => {
    const registry = new RouteRegistry();
    const boom = new Error('secret internals');
    vi.spyOn(registry, 'getAllClusterInfo').mockImplementation(() => {
      throw boom;
    });
    const errors: unknown[] = [];
    await start(registry, { onError: (err) => errors.push(err) });
    const r = await call('GET', '/cluster');
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ code: 'ERR_INTERNAL', message: 'internal server error' });
    expect(errors).toEqual([boom]);
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('a throwing onError hook changes nothing', async () => {
    const registry = new RouteRegistry();
    vi.spyOn(registry, 'getAllTopicList').mockImplementation(() => {
      throw new Error('boom');
    });
    await start(registry, {
      onError: () => {
        throw new Error('hook');
      },
    });
    expect((await call('GET', '/topics')).status).toBe(500);
    expect((await call('GET', '/health')).status).toBe(200);
  });
});

describe('HTTP adapter: guards', () => {
  it('readOnly refuses every mutating route with 405 and the read methods left; reads work', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(register);
    await start(registry, { readOnly: true, authorize: () => true });
    const r = await call('POST', '/brokers', register);
    expect(r.status).toBe(405);
    expect(r.json).toMatchObject({ code: 'ERR_READ_ONLY' });
    expect(r.headers.allow).toBe('GET, HEAD');
    // A path with no read method left says so with an empty Allow (RFC 9110 §10.2.1).
    expect((await call('POST', '/brokers/heartbeat', { clusterName: 'c', brokerAddr: 'a' })).headers.allow).toBe('');
    expect((await call('PUT', '/kv/ns/k', { value: 'v' })).headers.allow).toBe('GET, HEAD');
    expect((await call('DELETE', '/topics/T')).status).toBe(405);
    expect((await call('POST', '/brokers/b/wipe-write-perm')).status).toBe(405);
    expect(registry.getRouteInfoByTopic('T')?.queueDatas[0]?.perm).toBe(6);
    expect((await call('GET', '/topics/T/route')).status).toBe(200);
  });

  it('authorize: true allows, false answers 403, a throw answers 401; reads are not guarded', async () => {
    const registry = new RouteRegistry();
    const seen: string[] = [];
    await start(registry, {
      authorize: async (req) => {
        seen.push(`${req.method} ${req.url}`);
        const auth = req.headers.authorization;
        if (auth === undefined) throw new Error('no credentials');
        return auth === 'Bearer admin';
      },
    });
    const anonymous = await call('POST', '/brokers', register);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toEqual({ code: 'ERR_UNAUTHORIZED', message: 'missing or invalid credentials' });
    const user = await call('POST', '/brokers', register, { authorization: 'Bearer user' });
    expect(user.status).toBe(403);
    expect(user.json).toMatchObject({ code: 'ERR_FORBIDDEN' });
    expect(registry.liveBrokerCount).toBe(0);
    const admin = await call('POST', '/brokers', register, { authorization: 'Bearer admin' });
    expect(admin.status).toBe(200);
    expect(registry.liveBrokerCount).toBe(1);
    for (const path of ['/topics/T/route', '/cluster', '/topics', '/health', '/metrics']) {
      expect((await call('GET', path)).status, path).toBe(200);
    }
    expect(seen).toEqual(['POST /brokers', 'POST /brokers', 'POST /brokers']);
  });

  it('authorize runs before the body is read: a refused request with a bad body still gets 403', async () => {
    await start(new RouteRegistry(), { authorize: () => false });
    const r = await call('POST', '/brokers', '{not json');
    expect(r.status).toBe(403);
    expect(r.headers.connection).toBe('close');
  });

  it('refuses mutating browser requests from another site (CSRF)', async () => {
    const registry = new RouteRegistry();
    registry.registerBroker(register);
    await start(registry);
    const host = `127.0.0.1:${port()}`;
    const name = defaultBroker().brokerName;
    const evil = await call('POST', `/brokers/${name}/wipe-write-perm`, undefined, { origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.json).toMatchObject({ code: 'ERR_CROSS_SITE' });
    const fetchMeta = await call('POST', `/brokers/${name}/wipe-write-perm`, undefined, { 'sec-fetch-site': 'cross-site' });
    expect(fetchMeta.status).toBe(403);
    expect(registry.getRouteInfoByTopic('T')?.queueDatas[0]?.perm).toBe(6);
    // Reads from anywhere are fine; the same origin may write.
    expect((await call('GET', '/topics', undefined, { origin: 'http://evil.example' })).status).toBe(200);
    const same = await call('POST', `/brokers/${name}/wipe-write-perm`, undefined, { origin: `http://${host}` });
    expect(same.status).toBe(200);
  });
});

describe('HTTP adapter: options', () => {
  const registry = new RouteRegistry();
  it.each<[string, HttpHandlerOptions]>([
    ['maxBodyBytes 0', { maxBodyBytes: 0 }],
    ['maxBodyBytes 1.5', { maxBodyBytes: 1.5 }],
    ['maxWatchers -1', { maxWatchers: -1 }],
    ['keepAliveMillis NaN', { keepAliveMillis: Number.NaN }],
    ['readOnly "yes"', { readOnly: 'yes' as unknown as boolean }],
    ['authorize not a function', { authorize: true as unknown as () => boolean }],
    ['basePath without /', { basePath: 'namesrv' }],
    ['basePath ending in /', { basePath: '/namesrv/' }],
    ['metrics not metrics', { metrics: {} as never }],
    ['kvConfig not a store', { kvConfig: {} as never }],
  ])('rejects %s eagerly', (_name, options) => {
    expect(() => createHttpHandler(registry, options)).toThrow(InvalidOptionError);
  });

  it('rejects a non-registry and non-object options', () => {
    expect(() => createHttpHandler({} as RouteRegistry)).toThrow(InvalidOptionError);
    expect(() => createHttpHandler(registry, 'x' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
  });
});
