/**
 * TLS on the remoting port: settings, per-connection detection, and the
 * self-signed certificate of RocketMQ's test mode.
 * @module
 */
export {
  resolveTlsOptions, tlsOptionsFromProperties, TLS_DEFAULTS, TLS_PROPERTY_KEYS, ROCKETMQ_TLS_CONFIG_FILE,
} from './config.js';
export type { TlsMode, TlsServerOptions, ResolvedTlsOptions, ClientAuthMode } from './config.js';
export { generateSelfSignedCertificate, certificateMatchesKey } from './self-signed.js';
export type { SelfSignedCertificate, SelfSignedOptions } from './self-signed.js';
