/**
 * The standalone process's controller (RocketMQ's `enableControllerInNamesrv`
 * and `mqcontroller`): built from the properties keys, its log in
 * `controllerStorePath` (or on etcd with `controllerEtcdEndpoints`), its
 * events logged. Returns null when the controller is not enabled.
 * @module
 */
import { dirname, join } from 'node:path';
import { Controller } from '../controller/controller.js';
import type { ControllerEventLog } from '../controller/event-log.js';
import { EtcdEventLog } from '../controller/etcd/etcd-event-log.js';
import { FileEventLog } from '../controller/file-event-log.js';
import type { ControllerOptions } from '../controller/options.js';
import type { NamesrvConfiguration } from '../config/namesrv-config.js';
import { CliConfigError } from './config.js';
import type { Logger } from './log.js';

/** The keys read here (Java's `ControllerConfig` names, plus ours for etcd). */
export const CONTROLLER_CONFIG_KEYS = Object.freeze([
  'enableControllerInNamesrv', 'controllerOnly', 'controllerStorePath', 'scanNotActiveBrokerInterval', 'scanInactiveMasterInterval',
  'electMasterMaxRetryCount', 'enableElectUncleanMaster', 'notifyBrokerRoleChanged', 'configBlackList', 'controllerDLegerGroup',
  'controllerDLegerSelfId', 'controllerEtcdEndpoints', 'controllerEtcdPrefix', 'controllerEtcdLeaseSeconds', 'controllerAdvertisedAddress',
]);

/** Whether the process runs a controller, and whether only it (`--controller-only`). */
export function controllerMode(config: NamesrvConfiguration): 'off' | 'embedded' | 'only' {
  if (flag(config, 'controllerOnly', false)) return 'only';
  return flag(config, 'enableControllerInNamesrv', false) ? 'embedded' : 'off';
}

/**
 * Builds and starts the controller (its log replayed) when enabled; `cleanups` gets its close.
 * @throws {@link CliConfigError} naming a bad key; `ControllerLogError` when the log cannot be read.
 */
export async function startController(
  config: NamesrvConfiguration, homeDir: string, log: Logger, cleanups: Array<() => Promise<void> | void>,
): Promise<Controller | null> {
  if (controllerMode(config) === 'off') return null;
  const selfId = config.get('controllerDLegerSelfId') ?? 'n0';
  const eventLog = buildLog(config, homeDir, selfId);
  const options: ControllerOptions = {
    log: eventLog,
    ...optionalInt(config, 'scanNotActiveBrokerInterval'),
    ...optionalInt(config, 'scanInactiveMasterInterval'),
    ...optionalInt(config, 'electMasterMaxRetryCount'),
    enableElectUncleanMaster: flag(config, 'enableElectUncleanMaster', false),
    notifyBrokerRoleChanged: flag(config, 'notifyBrokerRoleChanged', true),
    ...(config.get('configBlackList') === undefined ? {} : { configBlackList: config.get('configBlackList') }),
  };
  const controller = new Controller(options);
  cleanups.push(() => controller.close());
  const advertised = config.get('controllerAdvertisedAddress');
  if (advertised !== undefined && advertised !== '') controller.setAdvertisedAddress(advertised);
  // The folder, as the key names it (Java prints its store folder too), not the events.log inside.
  controller.config.setInfo('controllerStorePath', eventLog instanceof FileEventLog ? dirname(eventLog.path) : '');
  controller.config.setInfo('controllerType', eventLog instanceof FileEventLog ? 'file' : 'etcd');
  controller.on('masterElected', (e) => log.info(`controller: ${e.brokerName} master is ${e.masterBrokerId} (${e.masterAddress ?? '?'})`, {
    cluster: e.clusterName, masterEpoch: e.masterEpoch, trigger: e.trigger, notified: e.notifyTargets.length,
  }));
  controller.on('brokerInactive', (e) => log.info(`controller: broker ${e.brokerName} ${e.brokerId} (${e.brokerAddr}) inactive`, { reason: e.reason }));
  controller.on('error', (err) => log.error('controller: scheduled work failed', { error: err.message }));
  await controller.start();
  log.info('controller started', { log: eventLog instanceof FileEventLog ? eventLog.path : 'etcd', selfId });
  return controller;
}

function buildLog(config: NamesrvConfiguration, homeDir: string, selfId: string): ControllerEventLog {
  const endpoints = config.get('controllerEtcdEndpoints');
  if (endpoints !== undefined && endpoints.trim() !== '') {
    const lease = optionalInt(config, 'controllerEtcdLeaseSeconds');
    return new EtcdEventLog({
      endpoints: endpoints.split(/[;,]/).map((e) => e.trim()).filter((e) => e !== ''),
      selfId,
      advertisedAddress: config.get('controllerAdvertisedAddress') ?? null,
      ...(config.get('controllerEtcdPrefix') === undefined ? {} : { prefix: config.get('controllerEtcdPrefix') }),
      ...(config.get('controllerDLegerGroup') === undefined ? {} : { group: config.get('controllerDLegerGroup') }),
      ...(lease.controllerEtcdLeaseSeconds === undefined ? {} : { leaseSeconds: lease.controllerEtcdLeaseSeconds }),
    });
  }
  const dir = config.get('controllerStorePath');
  const base = dir === undefined || dir.trim() === '' ? join(homeDir, 'namesrv', 'controller') : dir.replace(/^~(?=$|\/)/, homeDir);
  const group = config.get('controllerDLegerGroup');
  return new FileEventLog({ path: join(base, 'events.log'), selfId, ...(group === undefined ? {} : { group }) });
}

function flag(config: NamesrvConfiguration, key: string, fallback: boolean): boolean {
  const text = config.get(key);
  // Java's Boolean.parseBoolean.
  return text === undefined ? fallback : text.trim().toLowerCase() === 'true';
}

function optionalInt(config: NamesrvConfiguration, key: string): Record<string, number> {
  const text = config.get(key);
  if (text === undefined) return {};
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n < 1) throw new CliConfigError(`${key} must be a positive integer, got ${JSON.stringify(text)}`);
  return { [key]: n };
}
