/**
 * The access file: parsed and validated into an immutable {@link AccessPolicy}.
 * YAML (so JSON works too):
 * ```yaml
 * accounts:
 *   - { accessKey: ops, secretKey: "s3cret-ops", roles: [admin, broker, client] }
 * anonymous: [client]
 * whiteRemoteAddresses:
 *   broker: ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]
 * tokens:
 *   - { token: "…", roles: [admin] }
 * ```
 * Unknown keys are errors: a misspelt key in a security file must not pass
 * silently as "not configured".
 * @module
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { parseAddressRange, type AddressRange } from './address.js';
import { AccessPolicyError } from './errors.js';
import { isRequestClass, REQUEST_CLASSES, type RequestClass } from './request-class.js';

/** A RocketMQ ACL 1.0 account. */
export interface AccessAccount {
  readonly accessKey: string;
  readonly secretKey: string;
  /** The request classes this account may send when its signature verifies. */
  readonly roles: ReadonlySet<RequestClass>;
  /** Its signature counts only on a TLS connection whose client certificate verified (`tls.server.authClient`). */
  readonly requireClientCertificate: boolean;
}

/** The validated content of an access file. */
export interface AccessPolicy {
  /** Accounts by access key. */
  readonly accounts: ReadonlyMap<string, AccessAccount>;
  /** Classes allowed without a signature. Default: `client` only. */
  readonly anonymous: ReadonlySet<RequestClass>;
  /** Per class, the remote addresses allowed without a signature (a class absent here has none). */
  readonly whiteRemoteAddresses: ReadonlyMap<RequestClass, readonly AddressRange[]>;
  /** HTTP bearer tokens and the classes each holds. */
  readonly tokens: ReadonlyMap<string, ReadonlySet<RequestClass>>;
  /** Where the policy came from (a path, or `'<inline>'`). */
  readonly source: string;
}

const TOP_KEYS: ReadonlySet<string> = new Set(['accounts', 'anonymous', 'whiteRemoteAddresses', 'tokens']);
const ACCOUNT_KEYS: ReadonlySet<string> = new Set(['accessKey', 'secretKey', 'roles', 'requireClientCertificate']);
const TOKEN_KEYS: ReadonlySet<string> = new Set(['token', 'roles']);
const DEFAULT_ANONYMOUS: readonly RequestClass[] = ['client'];

/**
 * Parses and validates the text of an access file.
 * @param source - named in errors (a path, or `'<inline>'`).
 * @throws {@link AccessPolicyError} naming the bad field.
 */
export function parseAccessPolicy(text: string, source = '<inline>'): AccessPolicy {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    throw new AccessPolicyError(source, '', `is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  // An empty document is refused rather than read as "defaults": a file caught
  // half-written during a reload must not lock out every broker.
  if (doc === null || doc === undefined) throw new AccessPolicyError(source, '', 'is empty');
  const top = record(source, '', doc);
  for (const key of Object.keys(top)) {
    if (!TOP_KEYS.has(key)) throw new AccessPolicyError(source, key, `is not a known key (known: ${[...TOP_KEYS].join(', ')})`);
  }
  return Object.freeze({
    accounts: parseAccounts(source, top['accounts']),
    anonymous: top['anonymous'] === undefined ? new Set(DEFAULT_ANONYMOUS) : roleSet(source, 'anonymous', top['anonymous']),
    whiteRemoteAddresses: parseWhiteList(source, top['whiteRemoteAddresses']),
    tokens: parseTokens(source, top['tokens']),
    source,
  });
}

/**
 * Reads and parses an access file.
 * @throws {@link AccessPolicyError} when it cannot be read or is invalid.
 */
export async function loadAccessPolicy(path: string): Promise<AccessPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AccessPolicyError(path, '', `cannot be read: ${(err as Error).message}`, { cause: err });
  }
  return parseAccessPolicy(text, path);
}

function parseAccounts(source: string, value: unknown): ReadonlyMap<string, AccessAccount> {
  const accounts = new Map<string, AccessAccount>();
  if (value === undefined || value === null) return accounts;
  list(source, 'accounts', value).forEach((item, i) => {
    const field = `accounts[${i}]`;
    const a = record(source, field, item);
    onlyKeys(source, field, a, ACCOUNT_KEYS);
    const accessKey = nonEmptyString(source, `${field}.accessKey`, a['accessKey']);
    const secretKey = nonEmptyString(source, `${field}.secretKey`, a['secretKey']);
    if (accounts.has(accessKey)) throw new AccessPolicyError(source, `${field}.accessKey`, `duplicates access key "${accessKey}"`);
    const requireClientCertificate = a['requireClientCertificate'] ?? false;
    if (typeof requireClientCertificate !== 'boolean') {
      throw new AccessPolicyError(source, `${field}.requireClientCertificate`, 'must be true or false');
    }
    accounts.set(accessKey, Object.freeze({ accessKey, secretKey, roles: roleSet(source, `${field}.roles`, a['roles']), requireClientCertificate }));
  });
  return accounts;
}

function parseWhiteList(source: string, value: unknown): ReadonlyMap<RequestClass, readonly AddressRange[]> {
  const byClass = new Map<RequestClass, readonly AddressRange[]>();
  if (value === undefined || value === null) return byClass;
  const w = record(source, 'whiteRemoteAddresses', value);
  for (const key of Object.keys(w)) {
    const field = `whiteRemoteAddresses.${key}`;
    if (!isRequestClass(key)) throw new AccessPolicyError(source, field, `is not a request class (${REQUEST_CLASSES.join(', ')})`);
    const entries = w[key];
    const ranges = entries === null ? [] : list(source, field, entries).map((entry, i) => {
      const text = nonEmptyString(source, `${field}[${i}]`, entry).trim();
      const range = parseAddressRange(text);
      if (typeof range === 'string') throw new AccessPolicyError(source, `${field}[${i}]`, range);
      return range;
    });
    byClass.set(key, Object.freeze(ranges));
  }
  return byClass;
}

function parseTokens(source: string, value: unknown): ReadonlyMap<string, ReadonlySet<RequestClass>> {
  const tokens = new Map<string, ReadonlySet<RequestClass>>();
  if (value === undefined || value === null) return tokens;
  list(source, 'tokens', value).forEach((item, i) => {
    const field = `tokens[${i}]`;
    const t = record(source, field, item);
    onlyKeys(source, field, t, TOKEN_KEYS);
    const token = nonEmptyString(source, `${field}.token`, t['token']);
    if (/\s/.test(token)) throw new AccessPolicyError(source, `${field}.token`, 'must not contain white space');
    if (tokens.has(token)) throw new AccessPolicyError(source, `${field}.token`, 'duplicates another token');
    tokens.set(token, roleSet(source, `${field}.roles`, t['roles']));
  });
  return tokens;
}

function roleSet(source: string, field: string, value: unknown): ReadonlySet<RequestClass> {
  const roles = new Set<RequestClass>();
  if (value === null) return roles;
  list(source, field, value).forEach((role, i) => {
    if (!isRequestClass(role)) {
      throw new AccessPolicyError(source, `${field}[${i}]`, `is not a request class (${REQUEST_CLASSES.join(', ')}), got ${JSON.stringify(role)}`);
    }
    roles.add(role);
  });
  return roles;
}

function record(source: string, field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AccessPolicyError(source, field, 'must be a mapping');
  }
  return value as Record<string, unknown>;
}

function list(source: string, field: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new AccessPolicyError(source, field, 'must be a list');
  return value;
}

function nonEmptyString(source: string, field: string, value: unknown): string {
  // YAML reads `secretKey: 0123` as the number 123: refusing numbers keeps a key from changing silently.
  if (typeof value === 'number') throw new AccessPolicyError(source, field, 'must be a string (quote it: YAML reads it as a number)');
  if (typeof value !== 'string' || value === '') throw new AccessPolicyError(source, field, 'must be a non-empty string');
  return value;
}

function onlyKeys(source: string, field: string, value: Record<string, unknown>, known: ReadonlySet<string>): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new AccessPolicyError(source, `${field}.${key}`, `is not a known key (known: ${[...known].join(', ')})`);
  }
}
