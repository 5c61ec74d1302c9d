/**
 * What GET_CONTROLLER_CONFIG (1010) prints and UPDATE_CONTROLLER_CONFIG
 * (1009) changes: Java's `ControllerConfig` keys, as properties text. The
 * keys that steer the controller apply at once; the others (store path,
 * type…) are informational and only remembered.
 * @internal
 * @module
 */
import { formatPropertiesSorted } from '../config/properties.js';
import type { ResolvedControllerOptions } from './options.js';

/** What an update did. */
export type ConfigUpdateResult = { readonly status: 'updated'; readonly keys: readonly string[] } | { readonly status: 'blacklisted'; readonly key: string };

/** Keys always refused, as Java's processor adds them to any black list. */
const BUILT_IN_BLACKLIST = ['configBlackList', 'configStorePath', 'rocketmqHome'];

export class ControllerRuntimeConfig {
  enableElectUncleanMaster: boolean;
  notifyBrokerRoleChanged: boolean;
  electMasterMaxRetryCount: number;
  scanNotActiveBrokerInterval: number;
  scanInactiveMasterInterval: number;
  readonly #blacklist: ReadonlySet<string>;
  /** Informational keys (set by the embedding process, or remembered from updates). */
  readonly #info = new Map<string, string>();
  readonly #onIntervalsChanged: () => void;

  constructor(options: ResolvedControllerOptions, onIntervalsChanged: () => void) {
    this.enableElectUncleanMaster = options.enableElectUncleanMaster;
    this.notifyBrokerRoleChanged = options.notifyBrokerRoleChanged;
    this.electMasterMaxRetryCount = options.electMasterMaxRetryCount;
    this.scanNotActiveBrokerInterval = options.scanNotActiveBrokerInterval;
    this.scanInactiveMasterInterval = options.scanInactiveMasterInterval;
    this.#blacklist = new Set([...BUILT_IN_BLACKLIST, ...options.configBlackList.split(';').filter((k) => k !== '')]);
    this.#info.set('configBlackList', options.configBlackList);
    this.#onIntervalsChanged = onIntervalsChanged;
  }

  /** Sets an informational key (e.g. `controllerStorePath`, `controllerType`) shown by 1010. */
  setInfo(key: string, value: string): void {
    this.#info.set(key, value);
  }

  /** Java's `Configuration.update` after the black list check: any black-listed key refuses the whole update. */
  update(properties: ReadonlyMap<string, string>): ConfigUpdateResult {
    for (const key of properties.keys()) {
      if (this.#blacklist.has(key)) return { status: 'blacklisted', key };
    }
    const keys: string[] = [];
    let intervals = false;
    for (const [key, value] of properties) {
      if (this.#set(key, value.trim())) {
        keys.push(key);
        if (key.startsWith('scan')) intervals = true;
      }
    }
    if (intervals) this.#onIntervalsChanged();
    return { status: 'updated', keys };
  }

  /** Returns true when `key` was one of ours and `value` valid (Java ignores the rest, field by field). */
  #set(key: string, value: string): boolean {
    switch (key) {
      case 'enableElectUncleanMaster': return this.#flag(value, (v) => { this.enableElectUncleanMaster = v; });
      case 'notifyBrokerRoleChanged': return this.#flag(value, (v) => { this.notifyBrokerRoleChanged = v; });
      case 'electMasterMaxRetryCount': return this.#int(value, 1, 100, (v) => { this.electMasterMaxRetryCount = v; });
      case 'scanNotActiveBrokerInterval': return this.#int(value, 1, 0x7fffffff, (v) => { this.scanNotActiveBrokerInterval = v; });
      case 'scanInactiveMasterInterval': return this.#int(value, 1, 0x7fffffff, (v) => { this.scanInactiveMasterInterval = v; });
      default:
        if (!this.#info.has(key)) return false;
        this.#info.set(key, value);
        return true;
    }
  }

  #flag(value: string, set: (v: boolean) => void): boolean {
    // Java's Boolean.parseBoolean: anything but "true" is false.
    set(value.toLowerCase() === 'true');
    return true;
  }

  #int(value: string, min: number, max: number, set: (v: number) => void): boolean {
    const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) return false;
    set(n);
    return true;
  }

  /** The properties text 1010 answers, keys sorted. */
  format(): string {
    const entries: [string, string][] = [
      ['enableElectUncleanMaster', String(this.enableElectUncleanMaster)],
      ['notifyBrokerRoleChanged', String(this.notifyBrokerRoleChanged)],
      ['electMasterMaxRetryCount', String(this.electMasterMaxRetryCount)],
      ['scanNotActiveBrokerInterval', String(this.scanNotActiveBrokerInterval)],
      ['scanInactiveMasterInterval', String(this.scanInactiveMasterInterval)],
      ...this.#info,
    ];
    return formatPropertiesSorted(entries);
  }
}
