/**
 * A small etcd v3 client over etcd's JSON gateway (`/v3/kv/range`,
 * `/v3/kv/txn`, `/v3/lease/*`, `/v3/watch`) with `node:http`: just what the
 * controller's log needs, no gRPC dependency. Keys and values are UTF-8
 * strings here (base64 on the wire); int64s are decimal strings on the
 * wire and safe integers here (etcd revisions and leases stay far below
 * 2^53 in practice). Endpoints are tried in turn when one cannot be reached.
 * @internal
 * @module
 */
import { request, Agent, type IncomingMessage } from 'node:http';
import { ControllerLogError } from '../errors.js';

/** A key-value as etcd returns it. */
export interface EtcdKeyValue {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly lease: string;
}

/** One watch event. */
export interface EtcdWatchEvent {
  readonly type: 'PUT' | 'DELETE';
  readonly kv: EtcdKeyValue;
}

/** A comparison of a transaction. */
export type EtcdCompare =
  | { readonly key: string; readonly target: 'CREATE'; readonly createRevision: number }
  | { readonly key: string; readonly target: 'VALUE'; readonly value: string };

/** A put of a transaction. */
export interface EtcdPut {
  readonly key: string;
  readonly value: string;
  readonly lease?: string;
}

type Json = Record<string, unknown>;

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: unknown): string => (typeof text === 'string' ? Buffer.from(text, 'base64').toString('utf8') : '');
const int = (value: unknown): number => (typeof value === 'string' || typeof value === 'number' ? Number(value) : 0);

/** The first key after every key starting with `prefix` (etcd's range end for a prefix). */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if ((bytes[i] ?? 0xff) < 0xff) {
      bytes[i] = (bytes[i] ?? 0) + 1;
      return bytes.subarray(0, i + 1).toString('latin1');
    }
  }
  return '\0';
}

function keyValue(raw: unknown): EtcdKeyValue {
  const kv = (raw ?? {}) as Json;
  return {
    key: unb64(kv.key), value: unb64(kv.value), createRevision: int(kv.create_revision), modRevision: int(kv.mod_revision),
    lease: typeof kv.lease === 'string' ? kv.lease : '0',
  };
}

export class EtcdClient {
  readonly #endpoints: readonly string[];
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 8 });
  readonly #timeoutMillis: number;
  /** The endpoint that answered last: tried first. */
  #current = 0;

  /** @param endpoints - `http://host:port` of etcd members. */
  constructor(endpoints: readonly string[], timeoutMillis = 5_000) {
    if (endpoints.length === 0) throw new ControllerLogError('etcd needs at least one endpoint');
    this.#endpoints = endpoints.map((e) => (/^https?:\/\//.test(e) ? e : `http://${e}`).replace(/\/+$/, ''));
    this.#timeoutMillis = timeoutMillis;
  }

  /** Keys in [key, rangeEnd) (or just key), sorted by key; at most `limit` (0: all). */
  async range(key: string, rangeEnd: string | null, limit = 0, revision = 0): Promise<{ kvs: EtcdKeyValue[]; revision: number; more: boolean }> {
    const body: Json = { key: b64(key), sort_order: 'ASCEND', sort_target: 'KEY' };
    if (rangeEnd !== null) body.range_end = b64(rangeEnd);
    if (limit > 0) body.limit = String(limit);
    if (revision > 0) body.revision = String(revision);
    const res = await this.#call('/v3/kv/range', body);
    const kvs = Array.isArray(res.kvs) ? res.kvs.map(keyValue) : [];
    return { kvs, revision: int((res.header as Json | undefined)?.revision), more: res.more === true };
  }

  /** A transaction: the puts when every comparison holds. */
  async txn(compare: readonly EtcdCompare[], puts: readonly EtcdPut[]): Promise<{ succeeded: boolean; revision: number }> {
    const res = await this.#call('/v3/kv/txn', {
      compare: compare.map((c) => (c.target === 'CREATE'
        ? { key: b64(c.key), target: 'CREATE', result: 'EQUAL', create_revision: String(c.createRevision) }
        : { key: b64(c.key), target: 'VALUE', result: 'EQUAL', value: b64(c.value) })),
      success: puts.map((p) => ({ request_put: { key: b64(p.key), value: b64(p.value), ...(p.lease === undefined ? {} : { lease: p.lease }) } })),
    });
    // proto3 JSON leaves `false` out.
    return { succeeded: res.succeeded === true, revision: int((res.header as Json | undefined)?.revision) };
  }

  /** Deletes a key (only if its value is `value`). */
  async deleteIf(key: string, value: string): Promise<void> {
    await this.#call('/v3/kv/txn', {
      compare: [{ key: b64(key), target: 'VALUE', result: 'EQUAL', value: b64(value) }],
      success: [{ request_delete_range: { key: b64(key) } }],
    });
  }

  /** A lease of `ttlSeconds`; returns its id. */
  async grant(ttlSeconds: number): Promise<string> {
    const res = await this.#call('/v3/lease/grant', { TTL: String(ttlSeconds) });
    if (typeof res.ID !== 'string' && typeof res.ID !== 'number') throw new ControllerLogError('etcd granted no lease');
    return String(res.ID);
  }

  /** Refreshes a lease; false when it has expired. */
  async keepAlive(id: string): Promise<boolean> {
    const res = await this.#call('/v3/lease/keepalive', { ID: id });
    return int((res.result as Json | undefined)?.TTL) > 0;
  }

  /** Revokes a lease (its keys go at once). */
  async revoke(id: string): Promise<void> {
    await this.#call('/v3/lease/revoke', { ID: id });
  }

  /**
   * Watches [key, rangeEnd) from `startRevision`; `onEvents` gets each batch
   * in order. Resolves when the stream ends (closed, compacted, etcd gone):
   * the caller re-reads and watches again.
   */
  watch(key: string, rangeEnd: string, startRevision: number, onEvents: (events: EtcdWatchEvent[]) => void, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify({ create_request: { key: b64(key), range_end: b64(rangeEnd), start_revision: String(startRevision) } });
    return new Promise<void>((resolve) => {
      const url = new URL('/v3/watch', this.#endpoints[this.#current]);
      const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' }, signal }, (res) => {
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          // The gateway writes one JSON object per line.
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line !== '' && !deliver(line, onEvents)) req.destroy();
          }
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      });
      req.on('error', () => {
        this.#current = (this.#current + 1) % this.#endpoints.length;
        resolve();
      });
      req.end(body);
    });
  }

  /** Closes idle connections. */
  close(): void {
    this.#agent.destroy();
  }

  async #call(path: string, body: Json): Promise<Json> {
    let lastError: unknown = null;
    for (let tried = 0; tried < this.#endpoints.length; tried++) {
      const endpoint = this.#endpoints[this.#current] ?? '';
      try {
        return await this.#post(endpoint, path, JSON.stringify(body));
      } catch (err) {
        if (err instanceof ControllerLogError) throw err;
        lastError = err;
        this.#current = (this.#current + 1) % this.#endpoints.length;
      }
    }
    throw new ControllerLogError(`etcd unreachable (${this.#endpoints.join(', ')}): ${(lastError as Error | null)?.message ?? 'no endpoint'}`, { cause: lastError });
  }

  #post(endpoint: string, path: string, body: string): Promise<Json> {
    return new Promise<Json>((resolve, reject) => {
      const req = request(new URL(path, endpoint), {
        method: 'POST', agent: this.#agent, timeout: this.#timeoutMillis, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res) => readJson(res, path).then(resolve, reject));
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.#timeoutMillis} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

async function readJson(res: IncomingMessage, path: string): Promise<Json> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) text += chunk as string;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ControllerLogError(`etcd ${path} answered ${res.statusCode ?? '?'} with non-JSON: ${text.slice(0, 200)}`);
  }
  const json = (parsed ?? {}) as Json;
  // A streaming endpoint answers {"result": …} or {"error": …}.
  if ((res.statusCode ?? 500) >= 400 || json.error !== undefined) {
    throw new ControllerLogError(`etcd ${path} failed (${res.statusCode ?? '?'}): ${JSON.stringify(json.error ?? json.message ?? json)}`);
  }
  return json;
}

/** Hands one watch message's events on; false when the watch is over (canceled or compacted). */
function deliver(line: string, onEvents: (events: EtcdWatchEvent[]) => void): boolean {
  let message: Json;
  try {
    message = JSON.parse(line) as Json;
  } catch {
    return false;
  }
  const result = message.result as Json | undefined;
  if (result === undefined || result.canceled === true || int(result.compact_revision) > 0) return false;
  const events = Array.isArray(result.events) ? result.events as Json[] : [];
  if (events.length > 0) onEvents(events.map((e) => ({ type: e.type === 'DELETE' ? 'DELETE' : 'PUT', kv: keyValue(e.kv) })));
  return true;
}
