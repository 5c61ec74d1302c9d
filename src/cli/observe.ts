/**
 * The log lines an operator greps for, taken from the parts of the server:
 * brokers registered and removed (with the reason), registrations refused
 * (with the registry's reason), configuration changed by 318, access-file
 * reloads, and, rate-limited, TLS, access and protocol refusals.
 *
 * Where a part has no event for what must be logged (a refused
 * registration, a 318 outcome, an access refusal), the CLI observes it at
 * the seam it owns: a registry subclass, a configuration subclass, a
 * wrapper of the access control's `decide`.
 * @module
 */
import { NamesrvConfiguration, type ConfigUpdateOptions, type ConfigUpdateOutcome, type NamesrvConfigurationInit } from '../core/namesrv-config.js';
import type { RouteRegistryOptions } from '../core/options.js';
import { RouteRegistry } from '../core/registry.js';
import type { RegisterBrokerRequest, RegisterBrokerResult, RegisterBrokerStatus } from '../core/types.js';
import type { AccessControl } from '../remoting/access/access-control.js';
import { TlsConnectionError } from '../remoting/errors.js';
import type { RemotingServer } from '../remoting/server.js';
import type { Logger, RateLimitedLog } from './log.js';

/** A registry that tells about registrations it refuses or ignores (the registry has no event for them). */
export class ObservedRouteRegistry extends RouteRegistry {
  readonly #onNotApplied: (req: RegisterBrokerRequest, status: RegisterBrokerStatus) => void;

  constructor(options: RouteRegistryOptions, onNotApplied: (req: RegisterBrokerRequest, status: RegisterBrokerStatus) => void) {
    super(options);
    this.#onNotApplied = onNotApplied;
  }

  override registerBroker(req: RegisterBrokerRequest, status: RegisterBrokerStatus = {}): RegisterBrokerResult | null {
    const result = super.registerBroker(req, status);
    if (status.outcome === 'refused' || status.outcome === 'ignored') this.#onNotApplied(req, status);
    return result;
  }
}

/** A configuration that tells about each UPDATE_NAMESRV_CONFIG (318) outcome. */
export class ObservedNamesrvConfiguration extends NamesrvConfiguration {
  readonly #onUpdate: (outcome: ConfigUpdateOutcome) => void;

  constructor(init: NamesrvConfigurationInit, onUpdate: (outcome: ConfigUpdateOutcome) => void) {
    super(init);
    this.#onUpdate = onUpdate;
  }

  override async update(body: Uint8Array | string | null | undefined, options?: ConfigUpdateOptions): Promise<ConfigUpdateOutcome> {
    const outcome = await super.update(body, options);
    this.#onUpdate(outcome);
    return outcome;
  }
}

/** Logs a 318 outcome: changes at info, refusals at warn. */
export function logConfigUpdate(log: Logger, outcome: ConfigUpdateOutcome): void {
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
export function logRegistrationNotApplied(log: Logger, req: RegisterBrokerRequest, status: RegisterBrokerStatus): void {
  log.warn(status.outcome === 'refused' ? 'broker registration refused' : 'broker registration ignored', {
    addr: req.brokerAddr, cluster: req.clusterName, broker: req.brokerName, id: req.brokerId, reason: status.reason,
  });
}

/** Logs the registry's broker events. */
export function logRegistryEvents(registry: RouteRegistry, log: Logger): void {
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
