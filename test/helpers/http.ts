/** Loopback helpers of the HTTP tests: servers closed after each test, and one-connection requests. */
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import type { RouteRegistry } from '../../src/index.js';
import { createHttpServer, type HttpHandlerOptions, type NamesrvHttpServer } from '../../src/http/index.js';

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body when it is JSON. */
  json: unknown;
}

/** One request on its own connection; `path` is sent as is, a string body verbatim, anything else as JSON. */
export function httpCall(
  port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {},
): Promise<HttpReply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  // Node's client sends a DELETE body without framing unless told its length.
  const allHeaders = payload === undefined
    ? headers
    : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: allHeaders, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const isJson = (res.headers['content-type'] ?? '').startsWith('application/json') && text !== '';
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: isJson ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Per-test HTTP servers of a test file, closed after each test; `call` goes to the latest one. */
export function httpFixtures() {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
  });
  const latest = (): Server => {
    const s = servers.at(-1);
    if (s === undefined) throw new Error('no server started in this test');
    return s;
  };
  const port = (): number => (latest().address() as AddressInfo).port;
  /** Listens with any server (a framework's, say) on an ephemeral loopback port. */
  const listen = async <S extends Server>(server: S): Promise<S> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return server;
  };
  return {
    /** Serves `registry` with {@link createHttpServer} on an ephemeral loopback port. */
    start: (registry: RouteRegistry, options?: HttpHandlerOptions): Promise<NamesrvHttpServer> =>
      listen(createHttpServer(registry, options)),
    listen,
    port,
    call: (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpReply> =>
      httpCall(port(), method, path, body, headers),
  };
}
