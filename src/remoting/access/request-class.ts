/**
 * Request classes of the access file: which requests a role may send.
 * @module
 */

/** A request class, as named in the access file. */
export type RequestClass = 'client' | 'broker' | 'admin';

/** Every request class, in the order the access file documents them. */
export const REQUEST_CLASSES: readonly RequestClass[] = Object.freeze(['client', 'broker', 'admin'] as const);

// Reads: routes (105), cluster info (106), topic lists (206, 224, 304, 311, 312, 313),
// member group (901), KV reads (101, 219) and the name server's configuration (319).
const CLIENT_CODES: ReadonlySet<number> = new Set([101, 105, 106, 206, 219, 224, 304, 311, 312, 313, 319, 901]);
// What a broker sends: register (103), unregister (104), data version query (322), heartbeat (904).
const BROKER_CODES: ReadonlySet<number> = new Set([103, 104, 322, 904,
  // ... and, in controller mode: alter sync-state set, elect itself, register, replica info, metadata, broker ids (1001-1005, 1012, 1013).
  1001, 1002, 1003, 1004, 1005, 1012, 1013]);

/**
 * The class of a request code. Every code not listed as `client` or `broker`,
 * known to this server or not, is `admin`: a code added later is closed until
 * someone decides otherwise.
 */
export function requestClassOf(code: number): RequestClass {
  if (CLIENT_CODES.has(code)) return 'client';
  if (BROKER_CODES.has(code)) return 'broker';
  return 'admin';
}

/** True when `value` names a request class (exact, lowercase). */
export function isRequestClass(value: unknown): value is RequestClass {
  return value === 'client' || value === 'broker' || value === 'admin';
}
