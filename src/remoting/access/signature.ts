/**
 * RocketMQ ACL 1.0 request signatures, as Java's `AclClientRPCHook` computes
 * them: extFields `AccessKey` (and `SecurityToken` when set) are added first,
 * then `Signature` = base64(HMAC-SHA1(secretKey, values of every extField but
 * `Signature`, sorted by key, concatenated, UTF-8, followed by the raw body)).
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The extField naming the account. */
export const ACL_ACCESS_KEY = 'AccessKey';
/** The extField carrying the signature. */
export const ACL_SIGNATURE = 'Signature';
/** The optional extField carrying a security token (signed like any other field). */
export const ACL_SECURITY_TOKEN = 'SecurityToken';

/** Credentials a client signs its requests with. */
export interface AclCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  /** Sent as the `SecurityToken` extField when set. */
  readonly securityToken?: string;
}

/**
 * The bytes a signature covers: the values of all extFields except
 * `Signature`, in UTF-16 code unit order of their keys (Java's `TreeMap` over
 * `String`, JavaScript's default sort), UTF-8 encoded, then the body as sent
 * (a compressed body is signed compressed).
 */
export function signatureContent(extFields: Readonly<Record<string, string>>, body: Uint8Array | null): Buffer {
  const keys = Object.keys(extFields).filter((k) => k !== ACL_SIGNATURE).sort();
  let text = '';
  for (const key of keys) text += extFields[key] ?? '';
  const head = javaUtf8(text);
  return body === null || body.length === 0 ? head : Buffer.concat([head, body]);
}

/** The base64 HMAC-SHA1 signature of a request, as `AclClientRPCHook` computes it. */
export function computeSignature(secretKey: string, extFields: Readonly<Record<string, string>>, body: Uint8Array | null): string {
  return createHmac('sha1', javaUtf8(secretKey)).update(signatureContent(extFields, body)).digest('base64');
}

/**
 * True when the request's `Signature` extField is the one `secretKey` gives.
 * Compared in constant time over the base64 text (Java compares the strings,
 * so a signature that merely decodes to the same bytes does not pass).
 */
export function verifySignature(secretKey: string, extFields: Readonly<Record<string, string>>, body: Uint8Array | null): boolean {
  const given = Object.hasOwn(extFields, ACL_SIGNATURE) ? extFields[ACL_SIGNATURE] : undefined;
  if (given === undefined) return false;
  const expected = Buffer.from(computeSignature(secretKey, extFields, body), 'latin1');
  const actual = Buffer.from(given, 'utf8');
  // The length of a base64 SHA-1 digest is public; only the content must not leak.
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * extFields with `AccessKey`, `SecurityToken` (when set) and `Signature`
 * added, as `AclClientRPCHook.doBeforeRequest` leaves them. `extFields` is not modified.
 */
export function signExtFields(
  credentials: AclCredentials, extFields: Readonly<Record<string, string>>, body: Uint8Array | null,
): Record<string, string> {
  const signed: Record<string, string> = {};
  // defineProperty keeps a field named `__proto__` an ordinary field.
  const put = (key: string, value: string): void => {
    Object.defineProperty(signed, key, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const key of Object.keys(extFields)) put(key, extFields[key] ?? '');
  put(ACL_ACCESS_KEY, credentials.accessKey);
  if (credentials.securityToken !== undefined) put(ACL_SECURITY_TOKEN, credentials.securityToken);
  put(ACL_SIGNATURE, computeSignature(credentials.secretKey, signed, body));
  return signed;
}

// Java's String.getBytes(UTF_8) writes '?' for an unpaired surrogate where
// Node writes U+FFFD; matching Java keeps such (odd but decodable) fields verifiable.
function javaUtf8(text: string): Buffer {
  return Buffer.from(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '?'), 'utf8');
}
