/**
 * A small router: patterns of literal and `:param` segments, matched against
 * raw segments, with 404 and 405 (plus `Allow`) decided in one place.
 * @internal
 */
import type { HttpRole } from './options.js';
import { decodeSegment } from './request.js';

/** The methods the adapter serves. */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Who may call an endpoint when bearer tokens are in use: anyone, or holders of a role. */
export type Access = 'public' | HttpRole;

/** One method of one route. */
export interface Endpoint<H> {
  readonly method: Method;
  /** `METHOD /pattern`: a bounded metrics label. */
  readonly operation: string;
  /** Changes state: subject to `readOnly`, `authorize` and the cross-site check. */
  readonly mutating: boolean;
  /** The role a bearer token needs. */
  readonly access: Access;
  readonly handle: H;
}

/** A pattern with its endpoints. */
interface Route<H> {
  /** A literal segment, or null for a parameter. */
  readonly segments: readonly (string | null)[];
  readonly paramNames: readonly string[];
  readonly endpoints: Map<string, Endpoint<H>>;
}

/** What {@link Router.match} found. */
export type Match<H> =
  | { readonly kind: 'found'; readonly endpoint: Endpoint<H>; readonly params: Params }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'methodNotAllowed'; readonly allow: readonly string[] };

/** Decoded path parameters by name. */
export class Params {
  readonly #values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.#values = values;
  }

  /** The decoded value of `name`; a route only asks for names its pattern has. */
  get(name: string): string {
    const value = this.#values.get(name);
    if (value === undefined) throw new Error(`no path parameter ${name}`);
    return value;
  }
}

/** Routes registered in order; the first pattern that matches wins. */
export class Router<H> {
  readonly #routes: Route<H>[] = [];

  /** Adds `handle` for `method` on `pattern` (e.g. `/topics/:topic/route`). */
  add(method: Method, pattern: string, options: { readonly mutating: boolean; readonly access: Access }, handle: H): this {
    const parts = pattern === '/' ? [] : pattern.slice(1).split('/');
    const segments = parts.map((p) => (p.startsWith(':') ? null : p));
    const key = segments.map((s) => s ?? ':').join('/');
    let route = this.#routes.find((r) => r.segments.map((s) => s ?? ':').join('/') === key);
    if (route === undefined) {
      route = { segments, paramNames: parts.filter((p) => p.startsWith(':')).map((p) => p.slice(1)), endpoints: new Map() };
      this.#routes.push(route);
    }
    route.endpoints.set(method, { method, operation: `${method} ${pattern}`, mutating: options.mutating, access: options.access, handle });
    return this;
  }

  /** Finds the endpoint for `method` on raw (percent-encoded) `segments`. HEAD is served as GET. */
  match(method: string, segments: readonly string[]): Match<H> {
    const wanted = method === 'HEAD' ? 'GET' : method;
    let allow: Set<string> | null = null;
    for (const route of this.#routes) {
      if (!matches(route, segments)) continue;
      const endpoint = route.endpoints.get(wanted);
      if (endpoint !== undefined) return { kind: 'found', endpoint, params: paramsOf(route, segments) };
      allow ??= new Set();
      for (const e of route.endpoints.values()) {
        allow.add(e.method);
        if (e.method === 'GET') allow.add('HEAD');
      }
    }
    if (allow === null) return { kind: 'notFound' };
    return { kind: 'methodNotAllowed', allow: [...allow] };
  }

  /** The read methods of the patterns matching `segments` (the `Allow` of a read-only 405). */
  readMethodsOf(segments: readonly string[]): string[] {
    const out = new Set<string>();
    for (const route of this.#routes) {
      if (!matches(route, segments)) continue;
      for (const e of route.endpoints.values()) {
        if (e.mutating) continue;
        out.add(e.method);
        if (e.method === 'GET') out.add('HEAD');
      }
    }
    return [...out];
  }
}

function matches<H>(route: Route<H>, segments: readonly string[]): boolean {
  if (route.segments.length !== segments.length) return false;
  for (let i = 0; i < segments.length; i++) {
    const literal = route.segments[i];
    if (literal !== null && literal !== segments[i]) return false;
  }
  return true;
}

function paramsOf<H>(route: Route<H>, segments: readonly string[]): Params {
  const values = new Map<string, string>();
  let p = 0;
  route.segments.forEach((literal, i) => {
    if (literal !== null) return;
    values.set(route.paramNames[p++] as string, decodeSegment(segments[i] as string));
  });
  return new Params(values);
}
