/**
 * Bearer tokens with roles: which role a request needs, and whether the
 * presented token grants it. Tokens are compared in constant time.
 * @internal
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpRole, ResolvedToken } from './options.js';
import { HttpError } from './respond.js';

/** Sent with every 401 so clients know which scheme to use (RFC 6750). */
const CHALLENGE = Object.freeze({ 'WWW-Authenticate': 'Bearer realm="rocketmq-namesrv"' });

/** Fixed-length digests, so comparing never leaks a token's length or a prefix. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The tokens of one handler, hashed once. */
export class TokenGuard {
  readonly #tokens: ReadonlyArray<{ readonly digest: Buffer; readonly roles: ReadonlySet<HttpRole> }>;

  constructor(tokens: readonly ResolvedToken[]) {
    this.#tokens = tokens.map((t) => ({ digest: digest(t.token), roles: t.roles }));
  }

  /**
   * Throws 401 without a known token, 403 when it lacks `role` (`admin` grants every role).
   * With no tokens at all every request is refused: an empty list closes, it never opens.
   */
  check(req: IncomingMessage, role: HttpRole): void {
    if (this.#tokens.length === 0) {
      throw new HttpError(401, 'ERR_UNAUTHORIZED', 'this server accepts no bearer token: its access configuration lists none', CHALLENGE);
    }
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match === null) throw new HttpError(401, 'ERR_UNAUTHORIZED', 'a bearer token is required', CHALLENGE);
    const presented = digest(match[1] as string);
    let roles: ReadonlySet<HttpRole> | null = null;
    // Every token is compared, found or not, so timing says nothing about which matched.
    for (const t of this.#tokens) {
      if (timingSafeEqual(t.digest, presented) && roles === null) roles = t.roles;
    }
    if (roles === null) throw new HttpError(401, 'ERR_UNAUTHORIZED', 'missing or invalid credentials', CHALLENGE);
    if (!roles.has(role) && !roles.has('admin')) {
      throw new HttpError(403, 'ERR_FORBIDDEN', `this token lacks the ${role} role`);
    }
  }
}
