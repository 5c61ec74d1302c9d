/**
 * Hostile input against the HTTP adapter: the body reader, the request
 * target parser, and the whole handler over loopback. Any input yields a
 * value or a clean 4xx, never a 500, a hang, or unbounded buffering.
 */
import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvConfigStore, RouteRegistry } from '../src/index.js';
import { createHttpServer, type NamesrvHttpServer } from '../src/http/index.js';
import { BodyMemory } from '../src/http/body-memory.js';
import { ClientGoneError, decodeSegment, parseTarget, readJsonBody } from '../src/http/request.js';
import { HttpError } from '../src/http/respond.js';

/** A request whose body arrives in `chunks`. */
function fakeRequest(chunks: readonly Buffer[], headers: Record<string, string>, failAfter = -1): IncomingMessage {
  let i = 0;
  const stream = new Readable({
    read() {
      if (i === failAfter) {
        this.destroy(new Error('connection reset'));
        return;
      }
      this.push(i < chunks.length ? chunks[i] : null);
      i++;
    },
  });
  return Object.assign(stream, { headers, method: 'POST', url: '/' }) as unknown as IncomingMessage;
}

async function outcome(p: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

function chunked(bytes: Uint8Array, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(last, p)));
    last = p;
  }
  return out.filter((c) => c.length > 0);
}

describe('HTTP body reader', () => {
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.json({ maxDepth: 4 }).map((t) => new Uint8Array(Buffer.from(t))),
    fc.string({ unit: 'binary', maxLength: 40 }).map((t) => new Uint8Array(Buffer.from(JSON.stringify({ t, __proto__x: t })))),
  );
  const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.x+json',
    'text/plain', '', 'application/jsonx', 'APPLICATION/JSON');

  it('any body, cut anywhere, parses or fails with a 400, 413 or 415 HttpError', async () => {
    await fc.assert(fc.asyncProperty(body, fc.array(fc.nat(200), { maxLength: 6 }), contentType, fc.integer({ min: 1, max: 256 }),
      fc.boolean(), async (bytes, cuts, type, limit, declareLength) => {
        const headers: Record<string, string> = { 'content-type': type };
        if (declareLength) headers['content-length'] = String(bytes.length);
        else headers['transfer-encoding'] = 'chunked';
        const memory = new BodyMemory(1 << 30, null);
        const r = await outcome(readJsonBody(fakeRequest(chunked(bytes, cuts), headers), limit, memory));
        // Whatever the outcome, the body's bytes are given back.
        expect(memory.heldBytes).toBe(0);
        if (r.ok) {
          expect(bytes.length).toBeLessThanOrEqual(limit);
          expect(r.value).toEqual(JSON.parse(Buffer.from(bytes).toString('utf8')));
          return;
        }
        expect(r.error).toBeInstanceOf(HttpError);
        const status = (r.error as HttpError).status;
        expect([400, 413, 415]).toContain(status);
        if (status === 413) expect(bytes.length).toBeGreaterThan(limit);
      }), { numRuns: 1_000 });
  });

  it('stops reading an endless body at the limit instead of buffering it', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(1024, 0x20));
      },
    });
    const req = Object.assign(endless, { headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    const r = await outcome(readJsonBody(req as unknown as IncomingMessage, 64 * 1024, new BodyMemory(1 << 30, null)));
    expect(r.ok).toBe(false);
    expect((r as { error: HttpError }).error.status).toBe(413);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Read up to the limit plus what the stream buffers ahead (highWaterMark), then paused.
    expect(pulled).toBeLessThan(64 + 32);
    const after = pulled;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pulled).toBe(after);
    endless.destroy();
  });

  it('a body that breaks off mid-way is a ClientGoneError, not a parse error', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 5 }), async (parts) => {
      const chunks = parts.map((p) => Buffer.from(p));
      const r = await outcome(readJsonBody(fakeRequest(chunks, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        chunks.length - 1), 1 << 20, new BodyMemory(1 << 30, null)));
      expect(r.ok).toBe(false);
      expect((r as { error: unknown }).error).toBeInstanceOf(ClientGoneError);
    }), { numRuns: 100 });
  });
});

describe('HTTP request target', () => {
  it('any target splits into segments or fails with a 400; no segment decodes to something else than its escape', () => {
    const target = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(fc.oneof(fc.constantFrom('%', '%2', '%zz', '%2F', '%C0%AF', '%E2%82', '..', '', '__proto__', '?', '#', 'http://x/'),
        fc.string({ maxLength: 5 })), { maxLength: 8 }).map((parts) => parts.join('/')),
    );
    fc.assert(fc.property(target, fc.constantFrom('', '/namesrv'), (url, basePath) => {
      let t;
      try {
        t = parseTarget(url, basePath);
      } catch (err) {
        expect(err).toBeInstanceOf(HttpError);
        expect((err as HttpError).status).toBe(400);
        return;
      }
      if (t === null) return;
      for (const segment of t.segments) {
        expect(segment).not.toContain('/');
        try {
          const decoded = decodeSegment(segment);
          expect(typeof decoded).toBe('string');
          if (!segment.includes('%')) expect(decoded).toBe(segment);
        } catch (err) {
          expect(err).toBeInstanceOf(HttpError);
          expect((err as HttpError).status).toBe(400);
        }
      }
    }), { numRuns: 3_000 });
  });
});

describe('HTTP handler over loopback', () => {
  let server: NamesrvHttpServer;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const errors: unknown[] = [];
  const registry = new RouteRegistry();

  beforeAll(async () => {
    server = createHttpServer(registry, { kvConfig: new KvConfigStore(), maxBodyBytes: 4_096, onError: (err) => errors.push(err) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    registry.close();
  });

  function send(method: string, path: string, payload: Buffer | null, type = 'application/json'): Promise<{ status: number; text: string; type: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = payload === null ? {} : { 'content-type': type, 'content-length': String(payload.length) };
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), type: res.headers['content-type'] ?? '' }));
      });
      req.on('error', reject);
      req.end(payload ?? undefined);
    });
  }

  const name = fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'toString', 'T', 'broker-a', 'ORDER_TOPIC_CONFIG', '..', '%2F', '%', '%E0%A4%A'),
    fc.string({ unit: 'binary', maxLength: 8 }).map(encodeURIComponent),
  );
  const path = fc.oneof(
    fc.tuple(name).map(([t]) => `/topics/${t}/route`),
    fc.tuple(name, fc.constantFrom('', '?cluster=c', '?cluster=__proto__')).map(([t, q]) => `/topics/${t}${q}`),
    fc.tuple(name).map(([b]) => `/brokers/${b}/wipe-write-perm`),
    fc.tuple(name).map(([b]) => `/brokers/${b}/add-write-perm`),
    fc.tuple(name, name).map(([ns, k]) => `/kv/${ns}/${k}`),
    fc.tuple(name).map(([ns]) => `/kv/${ns}`),
    fc.tuple(name).map(([c]) => `/clusters/${c}/topics`),
    fc.constantFrom('/brokers', '/brokers/heartbeat', '/cluster', '/topics', '/health', '/metrics', '/', '//', '/topics/'),
    fc.array(name, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
  );
  const jsonBody = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({
      clusterName: fc.oneof(fc.constantFrom('__proto__', 'c'), fc.jsonValue({ maxDepth: 1 })),
      brokerName: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'b'), fc.jsonValue({ maxDepth: 1 })),
      brokerAddr: fc.oneof(fc.constantFrom('toString', '10.0.0.1:1'), fc.jsonValue({ maxDepth: 1 })),
      brokerId: fc.oneof(fc.nat(2), fc.jsonValue({ maxDepth: 1 })),
      value: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
      topicConfigWrapper: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({
        dataVersion: fc.record({ timestamp: fc.nat(), counter: fc.nat() }),
        topicConfigTable: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'T', 'U'),
          fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.record({ topicName: fc.constantFrom('__proto__', 'T', 'U'), perm: fc.integer({ min: -1, max: 8 }) }))),
      })),
    }, { requiredKeys: [] }),
  ).map((v) => Buffer.from(JSON.stringify(v).replaceAll('"__proto__x"', '"__proto__"')));
  const payload = fc.oneof(jsonBody, fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), fc.constant(Buffer.alloc(5_000, 0x20)));

  it('any method, path and body gets a 2xx or a JSON 4xx, never a 500, and never pollutes a prototype', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'), path, fc.option(payload, { nil: null }),
      fc.constantFrom('application/json', 'text/plain'), async (method, p, body, type) => {
        const res = await send(method, p, method === 'GET' || method === 'HEAD' ? null : body, type);
        expect(res.status, `${method} ${p}`).toBeGreaterThanOrEqual(200);
        expect(res.status, `${method} ${p} ${res.text}`).toBeLessThan(500);
        if (res.status >= 400 && method !== 'HEAD') {
          expect(res.type).toMatch(/^application\/json/);
          const err = JSON.parse(res.text) as { code: unknown; message: unknown };
          expect(typeof err.code).toBe('string');
          expect(typeof err.message).toBe('string');
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
        expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('topicName');
      }), { numRuns: 400 });
    expect(errors).toEqual([]);
    expect((await send('GET', '/health', null)).status).toBe(200);
  });
});
