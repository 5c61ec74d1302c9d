/**
 * The log lines an operator greps for, taken from the parts of the server:
 * brokers registered and removed (with the reason), registrations refused
 * (with the registry's reason), configuration changed by 318, access-file
 * reloads, and, rate-limited, TLS, access and protocol refusals.
 *
 * Each part tells through its typed events (the registry's refused and
 * ignored registrations, the configuration's 318 outcomes); only the access
 * control has no refusal event, so the CLI wraps its `decide`.
 * @module
 */
import type { ConfigUpdateOutcome, NamesrvConfiguration } from '../config/namesrv-config.js';
import type { RouteRegistry } from '../core/registry.js';
import type { RegistrationNotAppliedEvent } from '../core/types.js';
import type { AccessControl } from '../remoting/access/access-control.js';
import { TlsConnectionError } from '../remoting/errors.js';
import type { RemotingServer } from '../remoting/server.js';
import type { Logger, RateLimitedLog } from './log.js';

/** Logs each 318 outcome of `config`: changes at info, refusals at warn. */
export function logConfigUpdates(config: NamesrvConfiguration, log: Logger): void {
  config.on('configUpdated', (outcome) => logConfigUpdate(log, outcome));
  config.on('configUpdateRefused', (outcome) => logConfigUpdate(log, outcome));
}

function logConfigUpdate(log: Logger, outcome: ConfigUpdateOutcome): void {
  switch (outcome.status) {
    case 'updated':
      if (outcome.changed.length > 0) log.info('config changed', { keys: outcome.changed, persistedTo: outcome.persistedTo ?? undefined });
      else log.debug('config update changed nothing', { ignored: outcome.ignored });
      return;
    case 'noBody': return;
    case 'blacklisted': log.warn('config update refused', { reason: outcome.remark, keys: outcome.keys }); return;
    case 'invalid': log.warn('config update refused', { reason: outcome.remark, key: outcome.key }); return;
    case 'malformed': log.warn('config update refused', { reason: outcome.detail }); return;
    case 'failed': log.error('config update failed', { reason: outcome.remark }); return;
  }
}

/** Logs a registration the registry refused or ignored, with its reason. */
function logRegistrationNotApplied(log: Logger, msg: string, e: RegistrationNotAppliedEvent): void {
  log.warn(msg, { addr: e.brokerAddr, cluster: e.clusterName, broker: e.brokerName, id: e.brokerId, reason: e.reason });
}

/** Logs the registry's broker events, and registrations it refused or ignored. */
export function logRegistryEvents(registry: RouteRegistry, log: Logger): void {
  registry.on('registrationRefused', (e) => logRegistrationNotApplied(log, 'broker registration refused', e));
  registry.on('registrationIgnored', (e) => logRegistrationNotApplied(log, 'broker registration ignored', e));
  registry.on('brokerRegistered', (e) => log.info('broker registered', {
    addr: e.brokerAddr, cluster: e.clusterName, broker: e.brokerName, id: e.brokerId,
  }));
  registry.on('brokerUnregistered', (e) => log.info('broker removed', {
    addr: e.brokerAddr, cluster: e.clusterName, broker: e.brokerName, id: e.brokerId, reason: e.reason,
  }));
}

/**
 * Logs the remoting server's events; refusals a peer can cause at will are
 * rate-limited per kind (the keys are bounded: never a remote address).
 */
export function logRemotingEvents(remoting: RemotingServer, log: Logger, limited: RateLimitedLog): void {
  remoting.on('protocolError', (e) => {
    if (e.error instanceof TlsConnectionError) {
      const msg = e.error.reason === 'plaintext-refused' ? 'TLS: plaintext connection refused' : 'TLS: handshake failed';
      limited.log('warn', `tls:${e.error.reason}`, msg, { remote: e.remoteAddress, error: e.error.message });
    } else {
      limited.log('warn', `protocol:${e.error.name}`, 'connection closed: protocol error', { remote: e.remoteAddress, error: e.error.message });
    }
  });
  remoting.on('requestError', (e) => {
    limited.log('warn', `request:${e.code}`, 'request failed', { code: e.code, remote: e.remoteAddress, error: e.error.message });
  });
  remoting.on('connect', (e) => log.debug('connection accepted', { remote: e.remoteAddress }));
  remoting.on('disconnect', (e) => log.debug('connection closed', { remote: e.remoteAddress }));
  remoting.on('error', (err) => log.error('remoting server error', { error: err.message }));
}

/** Logs access-file reloads, and refusals rate-limited per class and reason (the access control has no refusal event). */
export function observeAccessControl(control: AccessControl, log: Logger, limited: RateLimitedLog, file: string): void {
  control.on('reload', () => log.info('access file reloaded', { file }));
  control.on('reloadError', (err) => log.error('access file reload failed, previous policy kept', { file, error: err.message }));
  const decide = control.decide.bind(control);
  control.decide = (request) => {
    const decision = decide(request);
    if (decision.status === 'refused') {
      limited.log('warn', `access:${decision.className}:${decision.reason}`, 'access refused', {
        class: decision.className, reason: decision.reason, code: request.code, remote: request.remoteAddress,
      });
    }
    return decision;
  };
}
