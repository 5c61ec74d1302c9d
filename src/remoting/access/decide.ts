/**
 * The access decision for one request, from its header and raw body only:
 * it runs before any body is decoded or inflated, so a refused request costs
 * one HMAC at most.
 * @module
 */
import type { ClientCertificate } from '../peer-identity.js';
import type { ProxyTlv } from '../proxy/proxy-header.js';
import { matchesAny } from './address.js';
import type { AccessPolicy } from './policy.js';
import { requestClassOf, type RequestClass } from './request-class.js';
import { ACL_ACCESS_KEY, ACL_SIGNATURE, verifySignature } from './signature.js';

/** What {@link decide} looks at. */
export interface AccessRequest {
  readonly code: number;
  readonly extFields: Readonly<Record<string, string>>;
  /** The body exactly as received (still compressed when it was sent compressed). */
  readonly body: Uint8Array | null;
  /**
   * The peer's address as the socket reports it (`::ffff:a.b.c.d` is fine), or
   * the client's that a trusted PROXY header named; undefined matches no white list.
   */
  readonly remoteAddress: string | undefined;
  /** The client certificate of a TLS connection; an account with `requireClientCertificate` needs a verified one. */
  readonly clientCertificate?: ClientCertificate | null;
  /** The TLVs of the connection's PROXY v2 header, for decisions that want them (none here read them). */
  readonly proxyTlvs?: readonly ProxyTlv[];
}

/** Why a request was let through. */
export type AllowedVia = 'anonymous' | 'whitelist' | 'signature';

/**
 * Why a request was refused:
 * - `unsigned`: no `AccessKey`/`Signature`, class not anonymous, address not white-listed;
 * - `incomplete-signature`: only one of `AccessKey` and `Signature`;
 * - `unknown-access-key`: no account has that access key;
 * - `bad-signature`: the signature does not verify (wrong secret, tampered field or body);
 * - `role-missing`: a valid signature of an account without the request's class;
 * - `client-certificate-missing`: a valid signature of an account that requires a verified TLS client certificate, without one.
 */
export type RefusalReason =
  | 'unsigned' | 'incomplete-signature' | 'unknown-access-key' | 'bad-signature' | 'role-missing' | 'client-certificate-missing';

/** The outcome of {@link decide}. */
export type AccessDecision =
  | {
    readonly status: 'allowed';
    readonly className: RequestClass;
    readonly via: AllowedVia;
    /** The account whose signature verified, when the request was signed. */
    readonly accessKey: string | null;
  }
  | {
    readonly status: 'refused';
    readonly className: RequestClass;
    readonly reason: RefusalReason;
    /** The remark to answer with (code 16, NO_PERMISSION); names the class as the access file does. */
    readonly remark: string;
  };

/** RocketMQ's `ResponseCode.NO_PERMISSION`: what a refusal is answered with. */
export const NO_PERMISSION = 16;

/**
 * Decides whether `policy` lets `request` through. Allowed when its class is
 * anonymous, its remote address is white-listed for the class, or it carries a
 * valid signature of an account holding the class. A request carrying
 * `AccessKey` or `Signature` that does not verify is refused even when it
 * would pass unsigned: a forged or stale credential is never ignored.
 */
export function decide(policy: AccessPolicy, request: AccessRequest): AccessDecision {
  const className = requestClassOf(request.code);
  const ext = request.extFields;
  const accessKey = Object.hasOwn(ext, ACL_ACCESS_KEY) ? ext[ACL_ACCESS_KEY] : undefined;
  const signed = Object.hasOwn(ext, ACL_SIGNATURE);
  const openToAll = (): AllowedVia | null => {
    if (policy.anonymous.has(className)) return 'anonymous';
    const white = policy.whiteRemoteAddresses.get(className);
    return white !== undefined && matchesAny(white, request.remoteAddress) ? 'whitelist' : null;
  };
  if (accessKey === undefined && !signed) {
    const via = openToAll();
    return via === null ? refuse(className, 'unsigned') : { status: 'allowed', className, via, accessKey: null };
  }
  if (accessKey === undefined || !signed) return refuse(className, 'incomplete-signature');
  const account = policy.accounts.get(accessKey);
  if (account === undefined) return refuse(className, 'unknown-access-key');
  if (!verifySignature(account.secretKey, ext, request.body)) return refuse(className, 'bad-signature');
  if (account.requireClientCertificate && request.clientCertificate?.verified !== true) return refuse(className, 'client-certificate-missing');
  if (account.roles.has(className)) return { status: 'allowed', className, via: 'signature', accessKey };
  const via = openToAll();
  return via === null ? refuse(className, 'role-missing') : { status: 'allowed', className, via, accessKey };
}

// Unknown key and bad signature read the same to the peer: telling them apart
// would let anyone probe which access keys exist.
const REMARKS: Readonly<Record<RefusalReason, string>> = Object.freeze({
  'unsigned': 'needs a signature (no AccessKey/Signature, and the remote address is not white-listed)',
  'incomplete-signature': 'needs both AccessKey and Signature',
  'unknown-access-key': 'signature rejected',
  'bad-signature': 'signature rejected',
  'role-missing': 'the account does not hold this class',
  'client-certificate-missing': 'the account needs a verified TLS client certificate',
});

function refuse(className: RequestClass, reason: RefusalReason): AccessDecision {
  return { status: 'refused', className, reason, remark: `No permission for request class "${className}": ${REMARKS[reason]}` };
}
