/**
 * TLS settings of the remoting port, as RocketMQ's `TlsSystemConfig` and
 * `TlsHelper` define them: a mode, a certificate and key (or a self-signed
 * test certificate), and RocketMQ's TLS properties file. Resolved once, when
 * the server is built, so a bad certificate fails start-up rather than the
 * first TLS client.
 * @module
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { InvalidOptionError } from '../../core/errors.js';
import { parseProperties } from '../../config/properties.js';
import { TlsConfigError } from '../errors.js';
import { generateSelfSignedCertificate } from './self-signed.js';

/**
 * How the remoting port treats TLS (RocketMQ's `tls.server.mode`):
 * - `disabled`: plaintext only; a TLS handshake is not understood and its connection closes;
 * - `permissive`: each connection may use TLS or not, told apart by its first byte;
 * - `enforcing`: TLS only; a plaintext connection is closed.
 */
export type TlsMode = 'disabled' | 'permissive' | 'enforcing';

/** TLS options of a {@link RemotingServer} (`options.tls`). */
export interface TlsServerOptions {
  /**
   * RocketMQ's `tls.server.mode`.
   * @default 'permissive' (as RocketMQ)
   */
  readonly mode?: TlsMode;
  /** PEM certificate (chain) file; RocketMQ's `tls.server.certPath`. Goes with {@link keyPath}. */
  readonly certPath?: string;
  /** PEM private key file (PKCS#8, PKCS#1 or SEC1); RocketMQ's `tls.server.keyPath`. */
  readonly keyPath?: string;
  /** Passphrase of an encrypted key; RocketMQ's `tls.server.keyPassword`. */
  readonly keyPassword?: string;
  /** PEM certificate in memory, instead of {@link certPath}. */
  readonly cert?: string | Buffer;
  /** PEM private key in memory, instead of {@link keyPath}. */
  readonly key?: string | Buffer;
  /**
   * RocketMQ's `tls.test.mode.enable`: without a certificate, serve TLS with a
   * self-signed one generated at start (Java clients in test mode trust any
   * certificate). Unlike RocketMQ, a configured certificate is used even in
   * test mode, rather than ignored.
   * @default true (as RocketMQ)
   */
  readonly testMode?: boolean;
  /**
   * RocketMQ's `tls.config.file`: a properties file whose `tls.test.mode.enable`,
   * `tls.server.certPath`, `tls.server.keyPath` and `tls.server.keyPassword`
   * override the options above (as RocketMQ, `tls.server.mode` is not read from
   * it). A missing file is skipped, as RocketMQ does.
   * @default none (RocketMQ's is `/etc/rocketmq/tls.properties`: see {@link ROCKETMQ_TLS_CONFIG_FILE})
   */
  readonly configFile?: string;
  /**
   * RocketMQ's `tls.server.need.client.auth`: whether TLS clients are asked
   * for a certificate (`optional`) or must present one (`require`).
   * @default 'none' (as RocketMQ)
   */
  readonly needClientAuth?: ClientAuthMode;
  /**
   * RocketMQ's `tls.server.authClient`: a client certificate must chain to
   * {@link trustCertPath} (or to Node's root CAs without one); a certificate
   * that does not is refused, as Java's trust manager refuses it. False
   * accepts any certificate unverified (Java's insecure trust manager); the
   * access decision still sees whether it was verified.
   * @default false (as RocketMQ)
   */
  readonly authClient?: boolean;
  /** RocketMQ's `tls.server.trustCertPath`: PEM CA certificate(s) that client certificates are verified against. */
  readonly trustCertPath?: string;
}

/** RocketMQ's `tls.server.need.client.auth` values (Netty's `ClientAuth`). */
export type ClientAuthMode = 'none' | 'optional' | 'require';

/** TLS settings with defaults applied and the certificate loaded. */
export interface ResolvedTlsOptions {
  readonly mode: TlsMode;
  /** What TLS connections are served with; null when `mode` is `disabled`. */
  readonly secureContext: SecureContext | null;
  /** What {@link secureContext} was made of (certificate, key, passphrase, trusted CAs), for a `tls.Server`; null when disabled. */
  readonly contextOptions: SecureContextOptions | null;
  /** Where the certificate came from; null when `mode` is `disabled`. */
  readonly certificate: 'file' | 'memory' | 'self-signed' | null;
  readonly certPath: string | null;
  readonly keyPath: string | null;
  readonly testMode: boolean;
  readonly configFile: string | null;
  /** True when `configFile` existed and was applied. */
  readonly configFileLoaded: boolean;
  /** Whether TLS clients are asked for a certificate, or must present one. */
  readonly clientAuth: ClientAuthMode;
  /** Whether a client certificate must verify against the trusted CAs. */
  readonly authClient: boolean;
}

/** RocketMQ's defaults. */
export const TLS_DEFAULTS = Object.freeze({ mode: 'permissive' as TlsMode, testMode: true, needClientAuth: 'none' as ClientAuthMode, authClient: false });

/** Where RocketMQ looks for its TLS properties file when `tls.config.file` is not set. */
export const ROCKETMQ_TLS_CONFIG_FILE = '/etc/rocketmq/tls.properties';

/** RocketMQ's property keys (system properties in Java) for each option. */
export const TLS_PROPERTY_KEYS = Object.freeze({
  mode: 'tls.server.mode',
  certPath: 'tls.server.certPath',
  keyPath: 'tls.server.keyPath',
  keyPassword: 'tls.server.keyPassword',
  testMode: 'tls.test.mode.enable',
  configFile: 'tls.config.file',
  needClientAuth: 'tls.server.need.client.auth',
  authClient: 'tls.server.authClient',
  trustCertPath: 'tls.server.trustCertPath',
});

const MODES: ReadonlySet<string> = new Set<TlsMode>(['disabled', 'permissive', 'enforcing']);
const CLIENT_AUTH_MODES: ReadonlySet<string> = new Set<ClientAuthMode>(['none', 'optional', 'require']);

/**
 * Reads the TLS keys of RocketMQ properties (`namesrv.properties` entries or
 * system properties) into options; other keys are ignored.
 * @throws {@link TlsConfigError} naming the key when a value is invalid (RocketMQ
 *   would silently fall back to `permissive` or `false`).
 */
export function tlsOptionsFromProperties(properties: ReadonlyMap<string, string>): TlsServerOptions {
  const k = TLS_PROPERTY_KEYS;
  const out: { -readonly [P in keyof TlsServerOptions]: TlsServerOptions[P] } = {};
  const mode = properties.get(k.mode)?.trim();
  if (mode !== undefined) {
    if (!MODES.has(mode)) throw new TlsConfigError(k.mode, `must be disabled, permissive or enforcing, got ${JSON.stringify(mode)}`);
    out.mode = mode as TlsMode;
  }
  const testMode = properties.get(k.testMode);
  if (testMode !== undefined) out.testMode = parseBoolean(k.testMode, testMode);
  const authClient = properties.get(k.authClient);
  if (authClient !== undefined) out.authClient = parseBoolean(k.authClient, authClient);
  const needClientAuth = properties.get(k.needClientAuth)?.trim().toLowerCase();
  // Empty means none, as Java's parseClientAuthMode; an unknown value is an error here (Java: none).
  if (needClientAuth !== undefined && needClientAuth !== '') {
    if (!CLIENT_AUTH_MODES.has(needClientAuth)) {
      throw new TlsConfigError(k.needClientAuth, `must be none, optional or require, got ${JSON.stringify(needClientAuth)}`);
    }
    out.needClientAuth = needClientAuth as ClientAuthMode;
  }
  for (const key of ['certPath', 'keyPath', 'keyPassword', 'configFile', 'trustCertPath'] as const) {
    const value = properties.get(k[key]);
    // An empty value means unset, as RocketMQ's isNullOrEmpty.
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/**
 * Applies defaults, the properties file, and loads (or generates) the certificate.
 * @throws {@link InvalidOptionError} when an option has the wrong type;
 *   {@link TlsConfigError} when a file cannot be read or the certificate or key is invalid.
 */
export function resolveTlsOptions(options: TlsServerOptions = {}): ResolvedTlsOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options.tls', 'must be an object');
  checkOptionTypes(options);
  const configFile = options.configFile ?? null;
  const fromFile = configFile === null ? null : readConfigFile(configFile);
  const o: TlsServerOptions = { ...options, ...fromFile };
  // A file's paths replace in-memory PEM too: the file has the last word, as in RocketMQ.
  if (fromFile?.certPath !== undefined) delete (o as { cert?: unknown }).cert;
  if (fromFile?.keyPath !== undefined) delete (o as { key?: unknown }).key;
  const mode = o.mode ?? TLS_DEFAULTS.mode;
  const testMode = o.testMode ?? TLS_DEFAULTS.testMode;
  const certPath = o.certPath ?? null;
  const keyPath = o.keyPath ?? null;
  const clientAuth = o.needClientAuth ?? TLS_DEFAULTS.needClientAuth;
  const authClient = o.authClient ?? TLS_DEFAULTS.authClient;
  const base = { mode, testMode, certPath, keyPath, configFile, configFileLoaded: fromFile !== null, clientAuth, authClient };
  if (mode === 'disabled') return { ...base, secureContext: null, contextOptions: null, certificate: null };
  const ca = o.trustCertPath === undefined ? undefined : readPem('trustCertPath', o.trustCertPath);
  if ((o.cert ?? certPath) !== null && (o.key ?? keyPath) === null) throw new TlsConfigError('keyPath', 'a certificate needs its key');
  if ((o.key ?? keyPath) !== null && (o.cert ?? certPath) === null) throw new TlsConfigError('certPath', 'a key needs its certificate');
  if (o.cert === undefined && certPath === null) {
    if (!testMode) {
      throw new TlsConfigError('certPath', `mode ${mode} without test mode needs a certificate and key (certPath, keyPath)`);
    }
    const generated = generateSelfSignedCertificate();
    const contextOptions: SecureContextOptions = { ...generated, ...(ca === undefined ? {} : { ca }) };
    return { ...base, secureContext: createSecureContext(contextOptions), contextOptions, certificate: 'self-signed' };
  }
  const cert = o.cert ?? readPem('certPath', certPath as string);
  const key = o.key ?? readPem('keyPath', keyPath as string);
  const contextOptions: SecureContextOptions = {
    cert, key, ...(o.keyPassword === undefined ? {} : { passphrase: o.keyPassword }), ...(ca === undefined ? {} : { ca }),
  };
  const secureContext = secureContextOf({ cert, key, passphrase: o.keyPassword, ca }, certPath, keyPath);
  return { ...base, secureContext, contextOptions, certificate: o.cert === undefined ? 'file' : 'memory' };
}

function checkOptionTypes(o: TlsServerOptions): void {
  if (o.mode !== undefined && !MODES.has(o.mode)) {
    throw new InvalidOptionError('options.tls.mode', `must be 'disabled', 'permissive' or 'enforcing', got ${String(o.mode)}`);
  }
  if (o.testMode !== undefined && typeof o.testMode !== 'boolean') throw new InvalidOptionError('options.tls.testMode', 'must be a boolean');
  if (o.authClient !== undefined && typeof o.authClient !== 'boolean') throw new InvalidOptionError('options.tls.authClient', 'must be a boolean');
  if (o.needClientAuth !== undefined && !CLIENT_AUTH_MODES.has(o.needClientAuth)) {
    throw new InvalidOptionError('options.tls.needClientAuth', `must be 'none', 'optional' or 'require', got ${String(o.needClientAuth)}`);
  }
  for (const name of ['certPath', 'keyPath', 'keyPassword', 'configFile', 'trustCertPath'] as const) {
    const value = o[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new InvalidOptionError(`options.tls.${name}`, `must be a non-empty string`);
    }
  }
  for (const name of ['cert', 'key'] as const) {
    const value = o[name];
    if (value !== undefined && typeof value !== 'string' && !Buffer.isBuffer(value)) {
      throw new InvalidOptionError(`options.tls.${name}`, `must be a PEM string or Buffer`);
    }
  }
}

/** The keys RocketMQ's `TlsHelper.extractTlsConfigFromFile` reads that we serve; null when the file is absent. */
function readConfigFile(path: string): TlsServerOptions | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TlsConfigError('configFile', `cannot read ${path}: ${(err as Error).message}`, { path, cause: err });
  }
  let properties: Map<string, string>;
  try {
    properties = parseProperties(text);
  } catch (err) {
    throw new TlsConfigError('configFile', `${path}: ${(err as Error).message}`, { path, cause: err });
  }
  // The mode and the file's own name are never read from the file, as in RocketMQ.
  properties.delete(TLS_PROPERTY_KEYS.mode);
  properties.delete(TLS_PROPERTY_KEYS.configFile);
  return tlsOptionsFromProperties(properties);
}

function readPem(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsConfigError(option, `cannot read ${path}: ${(err as Error).message}`, { path, cause: err });
  }
}

/** What a secure context is built from: the server's certificate and key, and the CAs client certificates must chain to. */
interface ContextParts {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly passphrase: string | undefined;
  readonly ca: Buffer | undefined;
}

/** Checks each part separately so the error names the file at fault, then builds the context. */
function secureContextOf(parts: ContextParts, certPath: string | null, keyPath: string | null): SecureContext {
  const { cert, key, passphrase, ca } = parts;
  const certAt = certPath === null ? {} : { path: certPath };
  const keyAt = keyPath === null ? {} : { path: keyPath };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new TlsConfigError('certPath', `not a PEM certificate${where(certPath)}: ${(err as Error).message}`, { ...certAt, cause: err });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(passphrase === undefined ? { key } : { key, passphrase });
  } catch (err) {
    const reason = passphrase === undefined ? 'not a PEM private key (or encrypted: set keyPassword)' : 'not a PEM private key, or a wrong keyPassword';
    throw new TlsConfigError('keyPath', `${reason}${where(keyPath)}: ${(err as Error).message}`, { ...keyAt, cause: err });
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsConfigError('keyPath', `the key${where(keyPath)} does not belong to the certificate${where(certPath)}`, keyAt);
  }
  try {
    return createSecureContext({ cert, key, ...(passphrase === undefined ? {} : { passphrase }), ...(ca === undefined ? {} : { ca }) });
  } catch (err) {
    throw new TlsConfigError('certPath', `unusable certificate or key: ${(err as Error).message}`, { ...certAt, cause: err });
  }
}

function where(path: string | null): string {
  return path === null ? '' : ` (${path})`;
}

/** Java's `Boolean.parseBoolean`, except that anything but true/false is an error rather than false. */
function parseBoolean(key: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new TlsConfigError(key, `must be true or false, got ${JSON.stringify(value)}`);
}
