/**
 * What a request handler answers ({@link Reply}), and its common forms. The
 * encoder (response.ts) adds the opaque, flag and version; handlers never see frames.
 * @internal
 */
import { ResponseCode } from './codes.js';

/** A handler's answer to one request. */
export interface Reply {
  code: number;
  remark: string | null;
  extFields: Record<string, string> | null;
  body: Buffer | null;
}

const SUCCESS_EMPTY: Readonly<Reply> = Object.freeze({ code: ResponseCode.SUCCESS, remark: null, extFields: null, body: null });

/** SUCCESS with an optional body and custom header. */
export function ok(body: Buffer | null = null, extFields: Record<string, string> | null = null): Reply {
  return body === null && extFields === null ? SUCCESS_EMPTY : { code: ResponseCode.SUCCESS, remark: null, extFields, body };
}

/** An error answer: `code` with RocketMQ's remark. */
export function fail(code: number, remark: string): Reply {
  return { code, remark, extFields: null, body: null };
}

/** A JSON text as a body. */
export function json(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
