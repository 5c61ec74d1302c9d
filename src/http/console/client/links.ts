/** The page's own addresses: `#/topic/NAME`, `#/broker/CLUSTER/ADDR` (each part percent-encoded) and `#/controller`. */

/** The topic page of `topic`. */
export function topicHref(topic: string): string {
  return `#/topic/${encodeURIComponent(topic)}`;
}

/** The broker page of `addr` in `cluster`. */
export function brokerHref(cluster: string, addr: string): string {
  return `#/broker/${encodeURIComponent(cluster)}/${encodeURIComponent(addr)}`;
}

/** What a hash points at. */
export type View =
  | { readonly kind: 'overview' }
  | { readonly kind: 'topic'; readonly topic: string }
  | { readonly kind: 'broker'; readonly cluster: string; readonly addr: string }
  | { readonly kind: 'controller' };

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** Parses `location.hash`; anything unknown is the overview. */
export function viewOf(hash: string): View {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const [kind, a, b] = parts;
  if (kind === 'controller' && parts.length === 1) return { kind: 'controller' };
  if (kind === 'topic' && parts.length === 2 && a !== undefined) {
    const topic = decode(a);
    if (topic !== null) return { kind: 'topic', topic };
  }
  if (kind === 'broker' && parts.length === 3 && a !== undefined && b !== undefined) {
    const cluster = decode(a);
    const addr = decode(b);
    if (cluster !== null && addr !== null) return { kind: 'broker', cluster, addr };
  }
  return { kind: 'overview' };
}
