/**
 * IP addresses and CIDR ranges of `whiteRemoteAddresses`: IPv4 and IPv6, with
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) treated as the IPv4 address it carries,
 * since a dual-stack listener reports IPv4 peers that way.
 * @module
 */
import { isIP } from 'node:net';

/** One parsed entry: an address with a prefix length (32 or 128 for a single address). */
export interface AddressRange {
  readonly family: 4 | 6;
  /** The network address, host bits cleared. */
  readonly network: bigint;
  readonly prefix: number;
  /** The entry as written. */
  readonly text: string;
}

const MAPPED_PREFIX = 0xffffn << 32n;
const MAPPED_MASK = ~0xffffffffn & ((1n << 128n) - 1n);

/**
 * Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `ipv6/n`. IPv4-mapped
 * IPv6 entries with a prefix of at least 96 become IPv4 entries.
 * @returns the range, or a reason why the text is not one.
 */
export function parseAddressRange(text: string): AddressRange | string {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const ipFamily = isIP(addr);
  if (ipFamily !== 4 && ipFamily !== 6) return `"${text}" is not an IP address or CIDR (IPv4 or IPv6; wildcards and ranges are not supported)`;
  const family: 4 | 6 = ipFamily;
  const bits = family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) return `"${text}" has an invalid prefix length (0 to ${bits})`;
    prefix = Number(p);
  }
  const value = family === 4 ? ipv4Value(addr) : ipv6Value(addr);
  if (family === 6 && prefix >= 96 && (value & MAPPED_MASK) === MAPPED_PREFIX) {
    return { family: 4, network: maskOf(value & 0xffffffffn, prefix - 96, 32), prefix: prefix - 96, text };
  }
  return { family, network: maskOf(value, prefix, bits), prefix, text };
}

/**
 * A remote address as the socket reports it, normalized: IPv4-mapped IPv6
 * becomes IPv4; an IPv6 zone (`%eth0`) is dropped.
 * @returns null when `remote` is not an IP address (e.g. undefined after a close).
 */
export function parseRemoteAddress(remote: string | undefined): { family: 4 | 6; value: bigint } | null {
  if (remote === undefined) return null;
  const zone = remote.indexOf('%');
  const addr = zone < 0 ? remote : remote.slice(0, zone);
  const family = isIP(addr);
  if (family === 4) return { family: 4, value: ipv4Value(addr) };
  if (family !== 6) return null;
  const value = ipv6Value(addr);
  if ((value & MAPPED_MASK) === MAPPED_PREFIX) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

/** True when the (normalized) remote address lies in one of the ranges. */
export function matchesAny(ranges: readonly AddressRange[], remote: string | undefined): boolean {
  const r = parseRemoteAddress(remote);
  if (r === null) return false;
  for (const range of ranges) {
    if (range.family === r.family) {
      if (maskOf(r.value, range.prefix, r.family === 4 ? 32 : 128) === range.network) return true;
    } else if (r.family === 4 && range.family === 6) {
      // An IPv6 range wide enough to hold ::ffff:0:0/96 (e.g. ::/0) covers IPv4 peers too.
      if (maskOf(MAPPED_PREFIX | r.value, range.prefix, 128) === range.network) return true;
    }
  }
  return false;
}

function maskOf(value: bigint, prefix: number, bits: number): bigint {
  if (prefix === 0) return 0n;
  const hostBits = BigInt(bits - prefix);
  return (value >> hostBits) << hostBits;
}

function ipv4Value(addr: string): bigint {
  let v = 0n;
  for (const part of addr.split('.')) v = (v << 8n) | BigInt(Number(part));
  return v;
}

// `addr` passed isIP() === 6, so the shape is known good.
function ipv6Value(addr: string): bigint {
  let text = addr;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // A dotted IPv4 tail is the last two groups written another way.
    const v4 = Number(ipv4Value(tail));
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const parse = (s: string): bigint[] => (s === '' ? [] : s.split(':').map((g) => BigInt(parseInt(g, 16))));
  const gap = text.indexOf('::');
  const head = parse(gap < 0 ? text : text.slice(0, gap));
  const rest = gap < 0 ? [] : parse(text.slice(gap + 2));
  const groups = [...head, ...new Array<bigint>(8 - head.length - rest.length).fill(0n), ...rest];
  let v = 0n;
  for (const g of groups) v = (v << 16n) | g;
  return v;
}
