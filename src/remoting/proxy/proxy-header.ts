/**
 * The HAProxy PROXY protocol header (v1 text, v2 binary) that a load balancer
 * may put in front of a connection's first bytes, read as Netty's
 * `HAProxyMessageDecoder` reads it for RocketMQ's `NettyRemotingServer`:
 * detected by its prefix at the very start of the connection, before the TLS
 * sniff. Pure functions over bytes; no sockets.
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The 12 bytes every v2 header starts with. */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** What every v1 header starts with (Netty detects v1 by these five bytes). */
const V1_PREFIX = Buffer.from('PROXY', 'latin1');
/** A v1 header's longest form, CRLF included (the specification's 107 bytes). */
export const V1_MAX_BYTES = 107;
/** v2: the fixed part (signature, version/command, family, length). */
const V2_FIXED_BYTES = 16;

/** One v2 Type-Length-Value record, as sent (sub-TLVs of `PP2_TYPE_SSL` are left inside `value`). */
export interface ProxyTlv {
  readonly type: number;
  readonly value: Buffer;
}

/** What a PROXY header says of the connection. */
export interface ProxyHeader {
  readonly version: 1 | 2;
  /**
   * `proxy`: the connection is relayed for `source`; `local`: the proxy's own
   * connection (a health check), or an address family the header does not
   * carry (v1 `UNKNOWN`, v2 `UNSPEC`/`UNIX`): the socket's address stands.
   */
  readonly command: 'proxy' | 'local';
  /** The original client, when `command` is `proxy`. */
  readonly source: { readonly address: string; readonly port: number } | null;
  /** The address the client connected to, when `command` is `proxy`. */
  readonly destination: { readonly address: string; readonly port: number } | null;
  /** v2 TLVs in the order sent; empty for v1. */
  readonly tlvs: readonly ProxyTlv[];
}

/** The outcome of {@link readProxyHeader} over the bytes a connection has sent so far. */
export type ProxyHeaderRead =
  | { readonly status: 'more' }
  | { readonly status: 'absent' }
  | { readonly status: 'present'; readonly header: ProxyHeader; readonly headerBytes: number }
  | { readonly status: 'invalid'; readonly reason: string };

/**
 * Reads a PROXY header at the start of `bytes` (everything the connection
 * sent so far). `more` while the bytes could still be a header's beginning;
 * `absent` as soon as they cannot (the first byte of a RocketMQ frame or of a
 * TLS handshake decides it); `invalid` for a header that breaks the
 * specification. Never throws.
 */
export function readProxyHeader(bytes: Buffer): ProxyHeaderRead {
  if (startsLike(bytes, V2_SIGNATURE)) return bytes.length < V2_SIGNATURE.length ? MORE : readV2(bytes);
  if (startsLike(bytes, V1_PREFIX)) return bytes.length < V1_PREFIX.length ? MORE : readV1(bytes);
  return ABSENT;
}

const MORE: ProxyHeaderRead = Object.freeze({ status: 'more' });
const ABSENT: ProxyHeaderRead = Object.freeze({ status: 'absent' });

function invalid(reason: string): ProxyHeaderRead {
  return { status: 'invalid', reason };
}

/** Whether `bytes` and `prefix` agree on their common length. */
function startsLike(bytes: Buffer, prefix: Buffer): boolean {
  const n = Math.min(bytes.length, prefix.length);
  return n > 0 && bytes.compare(prefix, 0, n, 0, n) === 0;
}

/** v1: `PROXY TCP4|TCP6 <src> <dst> <sport> <dport>\r\n` or `PROXY UNKNOWN…\r\n`. */
function readV1(bytes: Buffer): ProxyHeaderRead {
  const lf = bytes.indexOf(0x0a);
  if (lf === -1) return bytes.length >= V1_MAX_BYTES ? invalid(`v1 header longer than ${V1_MAX_BYTES} bytes`) : MORE;
  if (lf + 1 > V1_MAX_BYTES) return invalid(`v1 header longer than ${V1_MAX_BYTES} bytes`);
  if (bytes[lf - 1] !== 0x0d) return invalid('v1 header does not end with CRLF');
  const line = bytes.toString('latin1', 0, lf - 1);
  const header = parseV1Line(line);
  return typeof header === 'string' ? invalid(header) : { status: 'present', header, headerBytes: lf + 1 };
}

/** The fields of a v1 line without its CRLF, or why it is invalid. */
function parseV1Line(line: string): ProxyHeader | string {
  const parts = line.split(' ');
  if (parts[0] !== 'PROXY') return 'v1 header does not start with "PROXY "';
  const protocol = parts[1];
  if (protocol === 'UNKNOWN') return { version: 1, command: 'local', source: null, destination: null, tlvs: [] };
  if (protocol !== 'TCP4' && protocol !== 'TCP6') return `v1 protocol must be TCP4, TCP6 or UNKNOWN, got ${JSON.stringify(protocol ?? '')}`;
  if (parts.length !== 6) return 'v1 header must have 6 fields';
  const isFamily = protocol === 'TCP4' ? isIPv4 : isIPv6;
  const [, , sourceAddress, destinationAddress, sourcePort, destinationPort] = parts as [string, string, string, string, string, string];
  if (!isFamily(sourceAddress) || !isFamily(destinationAddress)) return `v1 addresses are not ${protocol} addresses`;
  const sport = parsePort(sourcePort);
  const dport = parsePort(destinationPort);
  if (sport === null || dport === null) return 'v1 ports must be integers from 0 to 65535';
  return {
    version: 1, command: 'proxy', tlvs: [],
    source: { address: sourceAddress, port: sport }, destination: { address: destinationAddress, port: dport },
  };
}

function parsePort(text: string): number | null {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/** v2: signature, version 2 + command, family + transport, length, addresses, TLVs. */
function readV2(bytes: Buffer): ProxyHeaderRead {
  if (bytes.length < V2_FIXED_BYTES) return MORE;
  const versionCommand = bytes[12] as number;
  if (versionCommand >> 4 !== 2) return invalid(`v2 version must be 2, got ${versionCommand >> 4}`);
  const command = versionCommand & 0x0f;
  if (command > 1) return invalid(`v2 command must be LOCAL (0) or PROXY (1), got ${command}`);
  const length = bytes.readUInt16BE(14);
  if (bytes.length < V2_FIXED_BYTES + length) return MORE;
  const familyTransport = bytes[13] as number;
  const payload = bytes.subarray(V2_FIXED_BYTES, V2_FIXED_BYTES + length);
  const addressed = readV2Addresses(familyTransport, payload);
  if (typeof addressed === 'string') return invalid(addressed);
  const tlvs = readTlvs(payload.subarray(addressed.bytes));
  if (typeof tlvs === 'string') return invalid(tlvs);
  const proxied = command === 1 && addressed.source !== null;
  const header: ProxyHeader = {
    version: 2, command: proxied ? 'proxy' : 'local', tlvs,
    source: proxied ? addressed.source : null, destination: proxied ? addressed.destination : null,
  };
  return { status: 'present', header, headerBytes: V2_FIXED_BYTES + length };
}

interface V2Addresses {
  readonly source: { address: string; port: number } | null;
  readonly destination: { address: string; port: number } | null;
  /** How many payload bytes the addresses take (the TLVs follow). */
  readonly bytes: number;
}

/** The address block of a v2 payload by its family, or why it is invalid. */
function readV2Addresses(familyTransport: number, payload: Buffer): V2Addresses | string {
  const family = familyTransport >> 4;
  const transport = familyTransport & 0x0f;
  if (family > 3) return `v2 address family must be 0 to 3, got ${family}`;
  if (transport > 2) return `v2 transport must be 0 to 2, got ${transport}`;
  if (family === 0) return { source: null, destination: null, bytes: 0 };
  // UNIX sockets carry two 108-byte paths: no IP to stand for the peer, the socket's address stays.
  const size = family === 1 ? 12 : family === 2 ? 36 : 216;
  if (payload.length < size) return `v2 payload of ${payload.length} bytes is too short for its addresses (${size})`;
  if (family === 3) return { source: null, destination: null, bytes: size };
  const ipBytes = family === 1 ? 4 : 16;
  const ip = family === 1 ? ipv4 : ipv6;
  return {
    source: { address: ip(payload.subarray(0, ipBytes)), port: payload.readUInt16BE(2 * ipBytes) },
    destination: { address: ip(payload.subarray(ipBytes, 2 * ipBytes)), port: payload.readUInt16BE(2 * ipBytes + 2) },
    bytes: size,
  };
}

function ipv4(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** IPv6 in the form `net` uses: hextets in lower-case hex, the longest run of zeros as `::`. */
function ipv6(b: Buffer): string {
  const hextets: number[] = [];
  for (let i = 0; i < 16; i += 2) hextets.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = hextets.map((h) => h.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The TLV records after the addresses, or why they are malformed. */
function readTlvs(bytes: Buffer): ProxyTlv[] | string {
  const tlvs: ProxyTlv[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 3) return 'v2 TLV truncated';
    const type = bytes[at] as number;
    const length = bytes.readUInt16BE(at + 1);
    if (at + 3 + length > bytes.length) return `v2 TLV 0x${type.toString(16).padStart(2, '0')} longer than the header`;
    tlvs.push({ type, value: Buffer.from(bytes.subarray(at + 3, at + 3 + length)) });
    at += 3 + length;
  }
  return tlvs;
}
