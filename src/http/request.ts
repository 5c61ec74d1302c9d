/**
 * Reading requests: the target path, bounded JSON bodies, cross-site checks.
 * @internal
 */
import type { IncomingMessage } from 'node:http';
import { NamesrvError } from '../core/errors.js';
import { BodyReservation, type BodyMemory } from './body-memory.js';
import { HttpError } from './respond.js';

/** A request target split into raw (still percent-encoded) path segments and a query. */
export interface Target {
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
}

/**
 * Splits `url` under `basePath`, or returns null when it lies elsewhere.
 * Segments are split before decoding, so `%2F` stays inside a topic name,
 * and no dot-segment normalization happens (`..` is just a name).
 */
export function parseTarget(url: string, basePath: string): Target | null {
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  if (!path.startsWith('/')) {
    // Absolute form (`GET http://host/path`), which proxies send.
    try {
      path = new URL(path).pathname;
    } catch {
      throw new HttpError(400, 'ERR_BAD_REQUEST_TARGET', 'the request target must be a path');
    }
  }
  if (basePath !== '') {
    if (path === basePath) path = '/';
    else if (path.startsWith(basePath) && path[basePath.length] === '/') path = path.slice(basePath.length);
    else return null;
  }
  return { segments: path === '/' ? [] : path.slice(1).split('/'), query };
}

/** Percent-decodes one path segment; throws 400 on a malformed escape. */
export function decodeSegment(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'ERR_BAD_REQUEST_TARGET', `malformed percent-encoding in path segment '${raw}'`);
  }
}

/** True when a query flag is present and not `0` or `false`. */
export function queryFlag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && value !== '0' && value !== 'false';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads and parses a JSON body of at most `limit` bytes, whatever content
 * type it claims (`curl -d` says form-urlencoded, `fetch` with a string says
 * text/plain): what counts is that it parses. Browsers' cross-site requests
 * are refused before this by {@link isCrossSite}. The bytes are charged to
 * `memory` as they arrive and released once parsed (or refused); when it is
 * exhausted the request gets 503.
 */
export async function readJsonBody(req: IncomingMessage, limit: number, memory: BodyMemory): Promise<unknown> {
  // A framework's body parser may have consumed the stream already.
  if (req.readableEnded) return parsedByFramework(req);
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
    throw new HttpError(400, 'ERR_BAD_JSON', 'a JSON request body is required');
  }
  const declared = length === undefined ? NaN : Number(length);
  if (declared > limit) throw tooLarge(limit);
  const reservation = new BodyReservation(memory, Number.isSafeInteger(declared) && declared > 0 ? declared : limit);
  try {
    return parseJson(await readLimited(req, limit, reservation));
  } finally {
    reservation.release();
  }
}

function parsedByFramework(req: IncomingMessage): unknown {
  const body: unknown = (req as IncomingMessage & { body?: unknown }).body;
  if (body === undefined) throw new HttpError(400, 'ERR_BAD_JSON', 'a JSON request body is required');
  if (typeof body === 'string' || Buffer.isBuffer(body)) return parseJson(Buffer.from(body));
  return body;
}

function parseJson(bytes: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new HttpError(400, 'ERR_BAD_JSON', 'the request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, 'ERR_BAD_JSON', `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'ERR_BODY_TOO_LARGE', `the request body exceeds ${limit} bytes`);
}

function outOfMemory(): HttpError {
  return new HttpError(503, 'ERR_BUSY', 'request bodies hold all the memory they may use; retry later', { 'Retry-After': '1' });
}

/** Thrown when the client went away mid-body: there is nobody to answer. */
export class ClientGoneError extends NamesrvError {
  declare readonly code: 'ERR_CLIENT_GONE';

  constructor(options?: { cause?: unknown }) {
    super('the client closed the request', 'ERR_CLIENT_GONE', options);
    this.name = 'ClientGoneError';
  }
}

/**
 * Collects the body, stopping (paused, not drained) at the first byte over
 * `limit` or the first chunk `reservation` cannot cover.
 */
function readLimited(req: IncomingMessage, limit: number, reservation: BodyReservation): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      const refusal = size > limit ? tooLarge(limit) : reservation.cover(size) ? null : outOfMemory();
      if (refusal !== null) {
        cleanup();
        req.pause();
        reject(refusal);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new ClientGoneError({ cause: err }));
    };
    const onClose = (): void => {
      cleanup();
      reject(new ClientGoneError());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * True for a browser request from another site (or an opaque origin): one
 * that could be a cross-site request forgery of a mutating route.
 */
export function isCrossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'cross-site' || site === 'same-site';
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}
