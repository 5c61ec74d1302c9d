/**
 * Writing responses: JSON bodies, JSON errors, and the error type routes throw.
 * @internal
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NamesrvError } from '../core/errors.js';

/**
 * A failure with an HTTP status; its message is sent to the client, its
 * `code` (stable, machine-readable, e.g. `ERR_TOPIC_NOT_EXIST`) as `code`.
 */
export class HttpError extends NamesrvError {
  /** The HTTP status answered. */
  readonly status: number;
  /** Extra response headers, e.g. `Allow` for 405. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message, code);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
  }
}

/** The body of every error response. */
export interface ErrorBody {
  code: string;
  message: string;
  /** The offending field of an invalid request. */
  field?: string;
}

/**
 * JSON of frozen snapshots (routes), made once per snapshot: the registry
 * shares one frozen route between callers until it changes, so hot topics
 * and watchers fanned out to many clients serialize it once.
 */
const snapshotJson = new WeakMap<object, string>();

/** `JSON.stringify(value)`, cached when `value` is a frozen object. */
export function toJson(value: unknown): string {
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return JSON.stringify(value);
  let json = snapshotJson.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    snapshotJson.set(value, json);
  }
  return json;
}

/** True while the request may still have body bytes we have not read. */
export function hasUnreadBody(req: IncomingMessage): boolean {
  if (req.readableEnded) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Sends `body` (already text) with `status`. */
export function sendText(
  req: IncomingMessage, res: ServerResponse, status: number, contentType: string, body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  for (const name in headers) res.setHeader(name, headers[name] as string);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  // Answering before the body is read: close rather than let Node drain an unbounded body for keep-alive.
  if (hasUnreadBody(req)) res.setHeader('Connection', 'close');
  res.end(body);
}

/** Sends `json` (already serialized) with `status`. */
export function sendJson(
  req: IncomingMessage, res: ServerResponse, status: number, json: string, headers?: Readonly<Record<string, string>>,
): void {
  sendText(req, res, status, 'application/json; charset=utf-8', json, headers);
}

/** Sends a JSON error body `{ code, message, field? }`. */
export function sendError(
  req: IncomingMessage, res: ServerResponse, status: number, body: ErrorBody, headers?: Readonly<Record<string, string>>,
): void {
  sendJson(req, res, status, JSON.stringify(body), headers);
}
