/**
 * Access control on the remoting port: request classes, the access file,
 * RocketMQ ACL 1.0 signatures and the decision for one request.
 * @module
 */
export { AccessControl } from './access-control.js';
export type { AccessControlEvents, AccessControlOptions } from './access-control.js';
export { decide, NO_PERMISSION } from './decide.js';
export type { AccessDecision, AccessRequest, AllowedVia, RefusalReason } from './decide.js';
export { AccessPolicyError } from './errors.js';
export { loadAccessPolicy, parseAccessPolicy } from './policy.js';
export type { AccessAccount, AccessPolicy } from './policy.js';
export { parseAddressRange, matchesAny } from './address.js';
export type { AddressRange } from './address.js';
export { isRequestClass, requestClassOf, REQUEST_CLASSES } from './request-class.js';
export type { RequestClass } from './request-class.js';
export {
  ACL_ACCESS_KEY, ACL_SECURITY_TOKEN, ACL_SIGNATURE, computeSignature, signExtFields, signatureContent, verifySignature,
} from './signature.js';
export type { AclCredentials } from './signature.js';
