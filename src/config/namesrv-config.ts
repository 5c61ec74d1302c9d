/**
 * The name server's runtime configuration, as RocketMQ 5.3.3's
 * `Configuration` object of `NamesrvController` holds it: what
 * GET_NAMESRV_CONFIG (319) prints and UPDATE_NAMESRV_CONFIG (318) changes.
 *
 * Java's `Configuration` holds every `NamesrvConfig` and `NettyServerConfig`
 * field plus, through `registerConfig(properties)`, every key of the `-c`
 * file (unknown ones included, as written). 318 merges only keys it already
 * holds, refuses a black-listed key first, and persists the whole set to the
 * `-c` file. Keys Java has and this server does not use (thread pools, Netty
 * knobs) are printed with Java's defaults and stored by 318 without effect,
 * so `mqadmin getNamesrvConfig` reads the same here as against Java.
 * @module
 */
import { availableParallelism, homedir } from 'node:os';
import { readFile, rm } from 'node:fs/promises';
import { Mutex } from 'async-mutex';
import { EventEmitter } from 'eventemitter3';
import { writeFileAtomic } from '../core/atomic-file.js';
import { ConfigValueError } from '../core/errors.js';
import {
  defaultValue, KNOWN_CONFIG_KEYS, NAMESRV_CONFIG_KEYS, NETTY_CLIENT_CONFIG_KEYS, NETTY_SERVER_CONFIG_KEYS,
  REGISTERED_CONFIG_KEYS, UPDATABLE_CONFIG_KEYS, normalizeConfigValue, typedConfigValue,
  type ConfigEnvironment, type RegistryOptionsPatch,
} from './keys.js';
import type { ResolvedRouteRegistryOptions } from '../core/options.js';
import { formatPropertiesFile, formatPropertiesSorted, parseProperties } from './properties.js';

/** Keys 318 always refuses (Java's `DefaultRequestProcessor.initConfigBlackList`). */
export const BUILT_IN_CONFIG_BLACKLIST: readonly string[] = Object.freeze([
  'configBlackList', 'configStorePath', 'kvConfigPath', 'rocketmqHome',
]);

/** Java's remark for a black-listed key (answered with NO_PERMISSION, 16). */
export const BLACKLIST_REMARK = 'Can not update config in black list.';

/** Java's remark for a body `Properties.load` refuses (answered with SYSTEM_ERROR, 1). */
export const MALFORMED_REMARK = 'string2Properties error';

/** How to build a {@link NamesrvConfiguration}. */
export interface NamesrvConfigurationInit {
  /** The `-c` file's properties as parsed: every key is kept and printed by 319, known ones validated. */
  readonly fileProperties?: ReadonlyMap<string, string>;
  /**
   * The `-c` file as given on the command line: printed as `configStorePath`
   * (Java sets it after loading the file) and where 318 persists. Without
   * one, 318 changes the running server only.
   */
  readonly configFile?: string | null;
  /** Values applied after the file: command-line flags. Known keys are validated. */
  readonly overrides?: Readonly<Record<string, string | number | boolean>>;
  /** Machine-dependent defaults; each defaults to this process's. */
  readonly environment?: Partial<ConfigEnvironment>;
  /**
   * The host program's own keys (its limits and settings), which the core
   * does not know: 318 refuses them even when they are not set.
   */
  readonly ownKeys?: Iterable<string>;
}

/** What {@link NamesrvConfiguration.update} did; map it to a response code as the comments say. */
export type ConfigUpdateOutcome =
  /** SUCCESS. Keys the server did not hold were ignored (as Java does). */
  | {
    readonly status: 'updated';
    /** Keys whose value changed. */
    readonly changed: readonly string[];
    /** Keys of the body the configuration does not hold. */
    readonly ignored: readonly string[];
    /** What was applied to the registry (also passed to `applyLive`); only changed keys. */
    readonly registryPatch: RegistryOptionsPatch;
    /** The file written, or null without a `-c` file. */
    readonly persistedTo: string | null;
  }
  /** SUCCESS: Java answers a request without body with SUCCESS and does nothing. */
  | { readonly status: 'noBody' }
  /** SYSTEM_ERROR (1), remark {@link MALFORMED_REMARK}: the body is not properties text. Nothing changed. */
  | { readonly status: 'malformed'; readonly remark: string; readonly detail: string }
  /**
   * NO_PERMISSION (16), remark {@link BLACKLIST_REMARK}: a black-listed key,
   * or any key not in `UPDATABLE_CONFIG_KEYS` that is held or known. Nothing changed.
   */
  | { readonly status: 'blacklisted'; readonly remark: string; readonly keys: readonly string[] }
  /** An error answer (INVALID_PARAMETER, 29, suggested) naming the key. Nothing changed. */
  | { readonly status: 'invalid'; readonly remark: string; readonly key: string }
  /** SYSTEM_ERROR (1): the file could not be written or `applyLive` threw. Nothing changed. */
  | { readonly status: 'failed'; readonly remark: string; readonly cause: unknown };

/** An accepted 318 ({@link ConfigUpdateOutcome} `updated`), whether or not it changed a value. */
export type ConfigUpdatedOutcome = Extract<ConfigUpdateOutcome, { status: 'updated' }>;
/** A refused or failed 318: nothing changed. */
export type ConfigUpdateRefusedOutcome = Extract<ConfigUpdateOutcome, { status: 'malformed' | 'blacklisted' | 'invalid' | 'failed' }>;

/** Events of {@link NamesrvConfiguration}, emitted once each update is settled. */
export interface NamesrvConfigurationEvents {
  /** An update was applied (and persisted, with a `-c` file); `changed` may be empty. */
  configUpdated: (outcome: ConfigUpdatedOutcome) => void;
  /** An update was refused or failed; values, file and registry are as they were. */
  configUpdateRefused: (outcome: ConfigUpdateRefusedOutcome) => void;
}

/** Options of {@link NamesrvConfiguration.update}. */
export interface ConfigUpdateOptions {
  /**
   * Applies the changed registry-level options to the running server (the
   * registry's validated update method). Called after the file is written
   * and before the new values become visible; if it throws, the file is
   * restored and nothing changes.
   */
  readonly applyLive?: (patch: RegistryOptionsPatch) => void | Promise<void>;
}

/**
 * The live configuration: Java's `Configuration` of the name server.
 * Reads are synchronous; updates are serialized, and each settled one is
 * told through {@link NamesrvConfigurationEvents}.
 */
export class NamesrvConfiguration extends EventEmitter<NamesrvConfigurationEvents> {
  /** Every key held, value as Java prints it (Java's `allConfigs`). */
  readonly #values = new Map<string, string>();
  readonly #env: ConfigEnvironment;
  readonly #storePath: string | null;
  readonly #blacklist: ReadonlySet<string>;
  readonly #ownKeys: ReadonlySet<string>;
  readonly #updates = new Mutex();

  /** @throws {@link ConfigValueError} when a known key of the file or the overrides has a bad value. */
  constructor(init: NamesrvConfigurationInit = {}) {
    super();
    this.#env = resolveEnvironment(init.environment);
    for (const spec of REGISTERED_CONFIG_KEYS.values()) {
      const value = defaultValue(spec, this.#env);
      if (value !== null) this.#values.set(spec.key, value);
    }
    for (const [key, value] of init.fileProperties ?? []) this.#values.set(key, normalize(key, value));
    this.#storePath = init.configFile ?? null;
    if (this.#storePath !== null) this.#values.set('configStorePath', this.#storePath);
    for (const [key, value] of Object.entries(init.overrides ?? {})) this.#values.set(key, normalize(key, String(value)));
    // Java reads the black list once, when its request processor is built: it cannot change at runtime.
    this.#blacklist = new Set([...BUILT_IN_CONFIG_BLACKLIST, ...javaSplit(this.#values.get('configBlackList') ?? '', ';')]);
    this.#ownKeys = new Set(init.ownKeys ?? []);
  }

  /**
   * Whether 318 refuses `key` with NO_PERMISSION: black-listed (Java's rule),
   * or held or known without being one of `UPDATABLE_CONFIG_KEYS` (ours: 318
   * fails closed). A key nobody knows and nothing holds is ignored, as Java does.
   */
  refuses(key: string): boolean {
    if (this.#blacklist.has(key)) return true;
    if (UPDATABLE_CONFIG_KEYS.has(key)) return false;
    return this.#values.has(key) || KNOWN_CONFIG_KEYS.has(key) || this.#ownKeys.has(key) || key.startsWith('tls.');
  }

  /** Where 318 persists: the `-c` file, or null. */
  get storePath(): string | null {
    return this.#storePath;
  }

  /** The keys 318 refuses: the built-in ones and `configBlackList`'s entries. */
  get blacklist(): ReadonlySet<string> {
    return this.#blacklist;
  }

  /** The value of `key` as 319 prints it (secrets unmasked), or undefined when not held. */
  get(key: string): string | undefined {
    return this.#values.get(key);
  }

  /** A copy of every key held and its value. */
  entries(): Map<string, string> {
    return new Map(this.#values);
  }

  /**
   * Sets a value the running server determined, such as `listenPort` once
   * the port is bound: validated, not black-listed, not persisted.
   * @throws {@link ConfigValueError}
   */
  set(key: string, value: string | number | boolean): void {
    this.#values.set(key, normalize(key, String(value)));
  }

  /** The registry options these values ask for, every one of them (for building the registry). */
  registryOptions(): Required<RegistryOptionsPatch> {
    const patch: Record<string, unknown> = {};
    for (const spec of REGISTERED_CONFIG_KEYS.values()) {
      const text = this.#values.get(spec.key);
      if (spec.live !== undefined && text !== undefined) patch[spec.live] = typedConfigValue(spec, text);
    }
    return patch as Required<RegistryOptionsPatch>;
  }

  /**
   * The GET_NAMESRV_CONFIG (319) body: every key held, `key=value\n`, sorted
   * by key (Java's `getAllConfigsFormatString`); encode it as UTF-8. Secret
   * keys of this server (`tls.server.keyPassword`) print as `******`.
   */
  formatAll(): string {
    const shown = new Map(this.#values);
    for (const key of shown.keys()) if (KNOWN_CONFIG_KEYS.get(key)?.secret === true) shown.set(key, '******');
    return formatPropertiesSorted(shown);
  }

  /**
   * What `mqnamesrv -p` prints (Java's `printObjectProperties` of
   * NamesrvConfig, NettyServerConfig and NettyClientConfig): `field=value`
   * lines in declaration order, an unset value empty. Java logs each line
   * through its console logger, so there each carries a time and level prefix.
   */
  formatPrintConfigItems(): string {
    let out = '';
    for (const spec of [...NAMESRV_CONFIG_KEYS, ...NETTY_SERVER_CONFIG_KEYS, ...NETTY_CLIENT_CONFIG_KEYS]) {
      const value = this.#values.get(spec.key) ?? defaultValue(spec, this.#env) ?? '';
      out += `${spec.field ?? spec.key}=${value}\n`;
    }
    return out;
  }

  /**
   * UPDATE_NAMESRV_CONFIG (318), as Java's `DefaultRequestProcessor.updateConfig`
   * and `Configuration.update`: parse the body (UTF-8), refuse it when it
   * names a key {@link refuses} refuses (black-listed, or anything but a
   * live `NamesrvConfig` switch), ignore keys not held, validate the rest, write
   * the file, apply the registry options, then make the values visible.
   * All or nothing: any refusal or failure leaves values, file and registry
   * as they were.
   */
  async update(body: Uint8Array | string | null | undefined, options: ConfigUpdateOptions = {}): Promise<ConfigUpdateOutcome> {
    const outcome = await this.#updates.runExclusive(() => this.#update(body, options));
    if (outcome.status === 'updated') this.emit('configUpdated', outcome);
    else if (outcome.status !== 'noBody') this.emit('configUpdateRefused', outcome);
    return outcome;
  }

  async #update(body: Uint8Array | string | null | undefined, options: ConfigUpdateOptions): Promise<ConfigUpdateOutcome> {
    if (body === null || body === undefined) return { status: 'noBody' };
    let props: Map<string, string>;
    try {
      props = parseProperties(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    } catch (err) {
      return { status: 'malformed', remark: MALFORMED_REMARK, detail: (err as Error).message };
    }
    const blacklisted = [...props.keys()].filter((key) => this.refuses(key));
    if (blacklisted.length > 0) return { status: 'blacklisted', remark: BLACKLIST_REMARK, keys: blacklisted };

    const next = new Map(this.#values);
    const changed: string[] = [];
    const ignored: string[] = [];
    const registryPatch: Record<string, unknown> = {};
    for (const [key, raw] of props) {
      if (!this.#values.has(key)) {
        ignored.push(key);
        continue;
      }
      let value: string;
      try {
        value = normalize(key, raw);
      } catch (err) {
        if (err instanceof ConfigValueError) return { status: 'invalid', remark: err.message, key };
        throw err;
      }
      if (value === this.#values.get(key)) continue;
      next.set(key, value);
      changed.push(key);
      const spec = REGISTERED_CONFIG_KEYS.get(key);
      if (spec?.live !== undefined) registryPatch[spec.live] = typedConfigValue(spec, value);
    }

    const path = this.#storePath;
    // Java persists after every accepted update, changed or not.
    const previous = path === null ? null : await this.#persist(path, next);
    if (previous instanceof Error) {
      return { status: 'failed', remark: `cannot persist config to ${String(path)}: ${previous.message}`, cause: previous };
    }
    if (Object.keys(registryPatch).length > 0 && options.applyLive !== undefined) {
      try {
        await options.applyLive(registryPatch);
      } catch (err) {
        if (path !== null && previous !== null) await restore(path, previous);
        return { status: 'failed', remark: `cannot apply config: ${(err as Error).message}`, cause: err };
      }
    }
    for (const key of changed) this.#values.set(key, next.get(key) as string);
    return { status: 'updated', changed, ignored, registryPatch, persistedTo: path };
  }

  /**
   * Writes `values` to `path` atomically, after copying the current file to
   * `<path>.bak` as Java's `MixAll.string2File` does. Returns what the file
   * held before (`text: null` when absent, for {@link restore}) or the error.
   */
  async #persist(path: string, values: ReadonlyMap<string, string>): Promise<{ text: string | null } | Error> {
    try {
      const before = await readIfExists(path);
      if (before !== null) await writeFileAtomic(`${path}.bak`, before);
      await writeFileAtomic(path, formatPropertiesFile(values));
      return { text: before };
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}

/** Puts back what the config file held before a failed update (best effort: the update already reports failure). */
async function restore(path: string, previous: { text: string | null }): Promise<void> {
  try {
    if (previous.text === null) await rm(path, { force: true });
    else await writeFileAtomic(path, previous.text);
  } catch {
    // The failure is reported to the caller either way; the file may now hold values the server does not run.
  }
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return null;
    throw err;
  }
}

/** A known key's canonical value; an unknown key's value as written (Java keeps it raw). */
function normalize(key: string, raw: string): string {
  const spec = KNOWN_CONFIG_KEYS.get(key);
  return spec === undefined ? raw : normalizeConfigValue(spec, raw);
}

/**
 * Java's `String.split(regex)` for a literal one-character separator:
 * trailing empty strings are dropped, and a string without the separator
 * (the empty string included) is itself the only element.
 */
export function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  if (parts.length === 1) return parts;
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function resolveEnvironment(env: Partial<ConfigEnvironment> = {}): ConfigEnvironment {
  return {
    homeDir: env.homeDir ?? homedir(),
    rocketmqHome: env.rocketmqHome !== undefined ? env.rocketmqHome : (process.env['ROCKETMQ_HOME'] ?? null),
    cpus: env.cpus ?? availableParallelism(),
    tlsEnforcing: env.tlsEnforcing ?? false,
  };
}

// ---------------------------------------------------------------- keeping it in step with a registry

/** The configuration keys and values (as 319 prints them) of a registry's runtime options. */
export function configValuesOfRegistry(options: ResolvedRouteRegistryOptions): Map<string, string> {
  const values = new Map<string, string>();
  for (const spec of REGISTERED_CONFIG_KEYS.values()) {
    if (spec.live === undefined) continue;
    const value: unknown = options[spec.live];
    // A fractional interval has no Java form: the configuration keeps what it had.
    if (typeof value === 'number' && !Number.isSafeInteger(value)) continue;
    values.set(spec.key, String(value));
  }
  return values;
}

/**
 * Sets `config`'s registry-level keys to the registry's current options, so
 * 319 shows (and 318 compares against) what the registry really does even
 * after `registry.updateOptions()` was called directly. Not persisted.
 */
export function syncConfigWithRegistry(config: NamesrvConfiguration, options: ResolvedRouteRegistryOptions): void {
  for (const [key, text] of configValuesOfRegistry(options)) {
    if (config.get(key) !== text) config.set(key, text);
  }
}
