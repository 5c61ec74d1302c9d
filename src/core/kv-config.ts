/**
 * The KV config store: RocketMQ's `KVConfigManager`, namespaced string
 * key-value pairs that the name server keeps for clients (the namespace
 * `ORDER_TOPIC_CONFIG` feeds `orderTopicConf` of routes).
 * @module
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Mutex } from 'async-mutex';
import { EventEmitter } from 'eventemitter3';
import { removeStaleTemps, writeFileAtomic } from './atomic-file.js';
import { InvalidOptionError, KvConfigLoadError, KvConfigPersistError } from './errors.js';
import { checkOptions } from './option-checks.js';
import { isPlainObject, recordFromEntries, setOwn } from './records.js';
import { requireString } from './registration/validate.js';

/** The namespace whose entries map a topic to its `orderTopicConf` (RocketMQ's `NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG`). */
export const NAMESPACE_ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG';

const KV_CONFIG_OPTION_KEYS: ReadonlySet<string> = new Set(['path']);

/** Options of a {@link KvConfigStore}. */
export interface KvConfigStoreOptions {
  /**
   * The file every change is persisted to, in RocketMQ's `kvConfig.json`
   * format (RocketMQ's own default is `~/namesrv/kvConfig.json`). Resolved
   * against the working directory when the store is built.
   * @default undefined — memory only, nothing is read or written
   */
  readonly path?: string;
}

/** What changed: `value` is the new value, or `null` when the entry was deleted. */
export interface KvConfigChangeEvent {
  readonly namespace: string;
  readonly key: string;
  readonly value: string | null;
}

/** Events of a {@link KvConfigStore}. */
export interface KvConfigStoreEvents {
  /**
   * Emitted synchronously after an entry's value changed in memory (by
   * {@link KvConfigStore.put}, {@link KvConfigStore.delete} or
   * {@link KvConfigStore.load}); never for a put of the same value or a
   * delete of a missing entry.
   */
  change: (event: KvConfigChangeEvent) => void;
  /**
   * A write to {@link KvConfigStoreOptions.path} failed (a
   * {@link KvConfigPersistError}). The in-memory table is intact; the next
   * change or {@link KvConfigStore.flush} tries again.
   */
  error: (err: Error) => void;
}

type Table = Map<string, Map<string, string>>;
/** namespace → keys. */
type KeySet = Map<string, Set<string>>;

/**
 * Namespaced string key-value pairs, persisted to RocketMQ's `kvConfig.json`
 * when given a path. Reads and changes are synchronous on the in-memory table;
 * persistence runs in the background, one atomic write at a time.
 *
 * Call and await {@link KvConfigStore.load} before the first change, as
 * RocketMQ does at start-up: a change persists the whole table, so making one
 * first would replace what the file held.
 */
export class KvConfigStore extends EventEmitter<KvConfigStoreEvents> {
  readonly #path: string | null;
  readonly #table: Table = new Map();
  /** Serializes file access: writes never interleave, and a load sees every write queued before it. */
  readonly #mutex = new Mutex();
  /** Bumped by every change; a write records the version it captured. */
  #version = 0;
  /** The newest version known to be on disk. */
  #durable = 0;
  /** A write waits for the mutex and will capture the state when it starts, so more changes need no extra write. */
  #writeQueued = false;
  #writing = false;
  #lastWrite: Promise<void> = Promise.resolve();
  /** Per pending load: the keys changed since it began, which must keep their in-memory state. */
  readonly #loads = new Set<KeySet>();

  /** @throws {InvalidOptionError} when an option has the wrong type. */
  constructor(options: KvConfigStoreOptions = {}) {
    super();
    const path: unknown = checkOptions(options, 'KvConfigStore', KV_CONFIG_OPTION_KEYS).path;
    if (path === undefined) {
      this.#path = null;
    } else if (typeof path !== 'string' || path === '' || path.includes('\0')) {
      throw new InvalidOptionError('options.path', 'must be a non-empty file path string');
    } else {
      this.#path = resolve(path);
    }
  }

  /** The absolute path changes are persisted to, or `null` for a memory-only store. */
  get path(): string | null {
    return this.#path;
  }

  /**
   * Reads {@link KvConfigStoreOptions.path} and merges its entries into the
   * table, emitting `change` for each entry whose value differs. A missing or
   * empty file counts as no entries, as in RocketMQ; entries changed while
   * the load is pending keep their in-memory state. Nothing is written;
   * temp files that writes interrupted by a crash left next to the file are removed.
   * @throws {KvConfigLoadError} when the file cannot be read or is not
   *   `{"configTable":{namespace:{key:value}}}`; the table is left as it was.
   */
  async load(): Promise<void> {
    const path = this.#path;
    if (path === null) return;
    const touched: KeySet = new Map();
    this.#loads.add(touched);
    try {
      await this.#mutex.runExclusive(async () => {
        const loaded = parseKvConfig(await readKvConfig(path), path);
        await removeStaleTemps(path);
        this.#merge(loaded, touched);
      });
    } finally {
      this.#loads.delete(touched);
    }
  }

  /**
   * Sets `key` in `namespace` to `value` (RocketMQ's `putKVConfig`) and
   * persists the table.
   * @throws {InvalidRequestError} when an argument is not a string; nothing changes.
   */
  put(namespace: string, key: string, value: string): void {
    requireString(namespace, 'namespace');
    requireString(key, 'key');
    requireString(value, 'value');
    this.#touch(namespace, key);
    let kv = this.#table.get(namespace);
    // Unchanged: nothing to persist or announce.
    if (kv?.get(key) === value) return;
    if (kv === undefined) {
      kv = new Map();
      this.#table.set(namespace, kv);
    }
    kv.set(key, value);
    this.#changed(namespace, key, value);
  }

  /**
   * The value of `key` in `namespace` (RocketMQ's `getKVConfig`), or `null`.
   * @throws {InvalidRequestError} when an argument is not a string.
   */
  get(namespace: string, key: string): string | null {
    requireString(namespace, 'namespace');
    requireString(key, 'key');
    return this.#table.get(namespace)?.get(key) ?? null;
  }

  /**
   * Removes `key` from `namespace` (RocketMQ's `deleteKVConfig`) and persists
   * the table. A namespace left empty stays known (listing it gives `{}`), as in RocketMQ.
   * @throws {InvalidRequestError} when an argument is not a string; nothing changes.
   */
  delete(namespace: string, key: string): void {
    requireString(namespace, 'namespace');
    requireString(key, 'key');
    this.#touch(namespace, key);
    const kv = this.#table.get(namespace);
    if (kv === undefined || !kv.delete(key)) return;
    // Like RocketMQ, an emptied namespace stays: listing it answers `{}`, not "unknown".
    this.#changed(namespace, key, null);
  }

  /**
   * A snapshot of the entries of `namespace` (RocketMQ's
   * `getKVListByNamespace`), or `null` when it has none — the remoting layer
   * then answers `QUERY_NOT_FOUND` (22), as RocketMQ does.
   * @throws {InvalidRequestError} when `namespace` is not a string.
   */
  getKVListByNamespace(namespace: string): Record<string, string> | null {
    requireString(namespace, 'namespace');
    const kv = this.#table.get(namespace);
    return kv === undefined ? null : recordFromEntries(kv);
  }

  /** The known namespaces, in insertion order. */
  namespaces(): string[] {
    return [...this.#table.keys()];
  }

  /** A snapshot of every entry as `[namespace, key, value]`, namespace by namespace. */
  entries(): Array<[namespace: string, key: string, value: string]> {
    const out: Array<[string, string, string]> = [];
    for (const [namespace, kv] of this.#table) {
      for (const [key, value] of kv) out.push([namespace, key, value]);
    }
    return out;
  }

  /**
   * Resolves once every change made so far is on disk (at once for a
   * memory-only store). If the last write failed and nothing is pending, it
   * writes again.
   * @throws {KvConfigPersistError} when that write fails.
   */
  async flush(): Promise<void> {
    if (this.#path === null) return;
    if (this.#durable < this.#version && !this.#writeQueued && !this.#writing) this.#persistSoon();
    await this.#lastWrite;
  }

  #changed(namespace: string, key: string, value: string | null): void {
    this.#version++;
    // Persist before announcing, so a throwing listener cannot skip the write.
    this.#persistSoon();
    this.emit('change', Object.freeze({ namespace, key, value }));
  }

  /** Records a put or delete for every pending load, whose file contents it supersedes. */
  #touch(namespace: string, key: string): void {
    for (const touched of this.#loads) {
      let keys = touched.get(namespace);
      if (keys === undefined) {
        keys = new Set();
        touched.set(namespace, keys);
      }
      keys.add(key);
    }
  }

  #merge(loaded: Table, touched: KeySet): void {
    const changes: KvConfigChangeEvent[] = [];
    for (const [namespace, entries] of loaded) {
      const skip = touched.get(namespace);
      let kv = this.#table.get(namespace);
      for (const [key, value] of entries) {
        if (skip?.has(key) === true || kv?.get(key) === value) continue;
        if (kv === undefined) {
          kv = new Map();
          this.#table.set(namespace, kv);
        }
        kv.set(key, value);
        changes.push(Object.freeze({ namespace, key, value }));
      }
    }
    // Announce after the whole file is applied, so listeners see a consistent table.
    for (const change of changes) this.emit('change', change);
  }

  #persistSoon(): void {
    const path = this.#path;
    if (path === null || this.#writeQueued) return;
    this.#writeQueued = true;
    const write = this.#mutex.runExclusive(() => this.#write(path));
    // Persistence runs in the background: report failures instead of rejecting into nowhere.
    write.catch((err: unknown) => {
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
    });
    this.#lastWrite = write;
  }

  async #write(path: string): Promise<void> {
    this.#writeQueued = false;
    this.#writing = true;
    const version = this.#version;
    try {
      await writeFileAtomic(path, serializeKvConfig(this.#table));
    } catch (err) {
      throw new KvConfigPersistError(path, { cause: err });
    } finally {
      this.#writing = false;
    }
    if (version > this.#durable) this.#durable = version;
  }
}

/** RocketMQ's `KVConfigSerializeWrapper` JSON: `{"configTable":{namespace:{key:value}}}`. */
function serializeKvConfig(table: Table): string {
  const configTable: Record<string, Record<string, string>> = {};
  // setOwn: a namespace or key `__proto__` must become an own property, not a prototype.
  for (const [namespace, kv] of table) setOwn(configTable, namespace, recordFromEntries(kv));
  return JSON.stringify({ configTable });
}

async function readKvConfig(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return '';
    throw new KvConfigLoadError(path, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** Validates the whole document before anything is applied. */
function parseKvConfig(text: string, path: string): Table {
  const table: Table = new Map();
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  // RocketMQ's fastjson reads an empty file as no config rather than failing.
  if (body.trim() === '') return table;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw new KvConfigLoadError(path, `not valid JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const configTable = isPlainObject(doc) ? doc['configTable'] : undefined;
  if (!isPlainObject(configTable)) {
    throw new KvConfigLoadError(path, 'expected {"configTable":{"<namespace>":{"<key>":"<value>"}}}');
  }
  for (const namespace of Object.keys(configTable)) {
    const entries = configTable[namespace];
    // Java's map may hold null: it reads as an absent namespace or value.
    if (entries === null) continue;
    if (!isPlainObject(entries)) {
      throw new KvConfigLoadError(path, `configTable[${JSON.stringify(namespace)}] must be an object of strings`);
    }
    const kv = new Map<string, string>();
    for (const key of Object.keys(entries)) {
      const value = entries[key];
      if (value === null) continue;
      if (typeof value !== 'string') {
        throw new KvConfigLoadError(
          path,
          `configTable[${JSON.stringify(namespace)}][${JSON.stringify(key)}] must be a string, got ${typeof value}`,
        );
      }
      kv.set(key, value);
    }
    table.set(namespace, kv);
  }
  return table;
}

function errnoCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}
