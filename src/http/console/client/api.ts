/** Requests to the name server's HTTP API, with the bearer token when one was given. */
import { byId } from './dom.js';
import { BASE, S } from './state.js';

/** A failed request's error carries its status (a plain Error: the project has one error class, on the server). */
export function statusError(path: string, status: number): Error & { status: number } {
  return Object.assign(new Error(`${path}: HTTP ${status}`), { status });
}

/** The HTTP status of an error from {@link api} or {@link json}, or null for any other failure. */
export function statusOf(e: unknown): number | null {
  const status = e instanceof Error ? (e as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : null;
}

function headers(accept: string): Record<string, string> {
  const h: Record<string, string> = { Accept: accept };
  if (S.token !== '') h.Authorization = `Bearer ${S.token}`;
  return h;
}

/** Shows the token form: the server wants one (401) or a better one (403). */
export function askToken(status: number): void {
  S.waitingForToken = true;
  byId('token-form').hidden = false;
  setConn('bad', status === 403 ? 'token lacks the client role' : 'token required');
}

/** The connection pill. */
export function setConn(kind: 'ok' | 'warn' | 'bad', text: string): void {
  const c = byId('conn');
  c.className = `pill ${kind}`;
  c.textContent = text;
}

/** GET `path`; a 401 or 403 asks for a token and rejects. */
export async function api(path: string, accept = 'application/json'): Promise<Response> {
  const res = await fetch(BASE + path, { headers: headers(accept), cache: 'no-store' });
  if (res.status === 401 || res.status === 403) {
    askToken(res.status);
    throw statusError(path, res.status);
  }
  return res;
}

/** GET `path` as JSON; anything but 2xx rejects with its status. */
export async function json<T>(path: string): Promise<T> {
  const res = await api(path);
  if (!res.ok) throw statusError(path, res.status);
  return (await res.json()) as T;
}

/** `segment` for a path, percent-encoded (names may hold `/`, `%`, `?`). */
export function seg(segment: string): string {
  return encodeURIComponent(segment);
}
