/**
 * A self-signed server certificate made at start-up with `node:crypto` only:
 * what RocketMQ's `tls.test.mode.enable` does with Netty's
 * `SelfSignedCertificate`. Java clients in test mode trust any certificate
 * (`InsecureTrustManagerFactory`), so its only job is to let the handshake
 * happen; it proves nothing about the server.
 *
 * Node can parse X.509 but not build it, so this file holds the few DER
 * encoders an X.509 v3 certificate needs (RFC 5280, X.690).
 * @module
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/** Options of {@link generateSelfSignedCertificate}. */
export interface SelfSignedOptions {
  /**
   * Subject and issuer common name.
   * @default 'localhost' (as Netty's `SelfSignedCertificate`)
   */
  readonly commonName?: string;
  /**
   * Subject alternative names: host names or IP addresses.
   * @default ['localhost', '127.0.0.1', '::1']
   */
  readonly altNames?: readonly string[];
  /**
   * The clock: the certificate is valid from a day before this instant.
   * @default new Date()
   */
  readonly now?: Date;
  /**
   * Validity after `now`, in days.
   * @default 365
   */
  readonly validDays?: number;
}

/** A PEM certificate and its unencrypted PKCS#8 PEM private key. */
export interface SelfSignedCertificate {
  readonly cert: string;
  readonly key: string;
}

const DAY_MILLIS = 86_400_000;

/** Object identifiers, as arcs. */
const OID = {
  ecdsaWithSha256: [1, 2, 840, 10045, 4, 3, 2],
  commonName: [2, 5, 4, 3],
  basicConstraints: [2, 5, 29, 19],
  keyUsage: [2, 5, 29, 15],
  extKeyUsage: [2, 5, 29, 37],
  subjectAltName: [2, 5, 29, 17],
  serverAuth: [1, 3, 6, 1, 5, 5, 7, 3, 1],
} as const;

/**
 * Generates an ECDSA P-256 key pair and a self-signed X.509 v3 server
 * certificate for it (SHA-256, `CA:FALSE`, `digitalSignature`, `serverAuth`,
 * the given subject alternative names). Takes about a millisecond.
 */
export function generateSelfSignedCertificate(options: SelfSignedOptions = {}): SelfSignedCertificate {
  const commonName = options.commonName ?? 'localhost';
  const altNames = options.altNames ?? ['localhost', '127.0.0.1', '::1'];
  const now = options.now ?? new Date();
  const validDays = options.validDays ?? 365;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = seq(set(seq(oid(OID.commonName), utf8(commonName))));
  const signatureAlgorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))), // version v3
    int(serialNumber()),
    signatureAlgorithm,
    name,
    seq(time(new Date(now.getTime() - DAY_MILLIS)), time(new Date(now.getTime() + validDays * DAY_MILLIS))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(
      extension(OID.basicConstraints, true, seq()),
      // digitalSignature is bit 0: one used bit, seven unused.
      extension(OID.keyUsage, true, tlv(0x03, Buffer.from([7, 0x80]))),
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, seq(...altNames.map(generalName))),
    )),
  );
  // ECDSA signatures come out DER-encoded (Ecdsa-Sig-Value), as X.509 wants them.
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, signatureAlgorithm, bitString(signature));
  return {
    cert: pem('CERTIFICATE', der),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** True when `certificate` parses, is signed by its own key and belongs to its private key. */
export function certificateMatchesKey(certificate: SelfSignedCertificate): boolean {
  const x509 = new X509Certificate(certificate.cert);
  return x509.checkPrivateKey(createPrivateKey(certificate.key)) && x509.verify(x509.publicKey);
}

/** A positive 16-byte serial (RFC 5280: at most 20 octets, positive, unpredictable). */
function serialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  return serial;
}

function generalName(name: string): Buffer {
  if (isIPv4(name)) return tlv(0x87, Buffer.from(name.split('.').map(Number)));
  if (isIPv6(name)) return tlv(0x87, ipv6Bytes(name));
  return tlv(0x82, Buffer.from(name, 'ascii')); // dNSName, IA5String
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const words = (s: string): number[] => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const h = words(head);
  const t = address.includes('::') ? words(tail) : [];
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

function extension(id: readonly number[], critical: boolean, value: Buffer): Buffer {
  return critical
    ? seq(oid(id), tlv(0x01, Buffer.from([0xff])), tlv(0x04, value))
    : seq(oid(id), tlv(0x04, value));
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

function oid(arcs: readonly number[]): Buffer {
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** An INTEGER from unsigned big-endian bytes. */
function int(unsigned: Buffer): Buffer {
  return tlv(0x02, (unsigned[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned);
}

function utf8(s: string): Buffer {
  return tlv(0x0c, Buffer.from(s, 'utf8'));
}

function bitString(bytes: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
}

function explicit(tag: number, inner: Buffer): Buffer {
  return tlv(0xa0 | tag, inner);
}

function seq(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

/** Tag, definite length (short or long form), value. */
function tlv(tag: number, value: Buffer): Buffer {
  const n = value.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, value]);
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
