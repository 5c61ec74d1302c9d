/**
 * A sealed topic table that can give up its entries once the registry has
 * applied it. A broker re-sends an unchanged table every 30 s; the decode
 * pool hands the same sealed instance back, and the registry only compares
 * its identity (see `isHeld` in `plan.ts`). Holding ~1 000 decoded
 * `TopicConfig` objects per broker only for that identity cost about 0.18 MiB
 * per broker of 1 008 topics (half of R5's RSS at 2 000 brokers), so the
 * registry packs the table after applying it: keys plus a byte per entry
 * naming one of a few templates (RocketMQ brokers send a handful of shapes
 * per table: user topics 8/8/6, the system topics). Reading it again (a walk
 * the registry cannot skip) rebuilds equal entries, in the same order, with
 * the same keys in the same order.
 * @internal
 * @module
 */
import { isSealedTopicTable } from './topic-table.js';
import type { TopicConfig } from '../types.js';

/** Marks the slot of a template holding the entry's own key (`topicName` equal to it). */
const NAME = Symbol('topic name');
/** Marks a slot holding an empty plain object (`attributes: {}`), rebuilt fresh. */
const EMPTY = Symbol('empty object');
/** Templates per table at most: more distinct shapes are kept as they are. */
const MAX_TEMPLATES = 32;
/** The shape byte of an entry kept as it is. */
const KEPT = 255;

/** One shape of entries: their keys in order and the values of every slot but the name. */
interface Template {
  readonly keys: readonly string[];
  readonly values: readonly unknown[];
}

/** The packed entries. */
interface Packed {
  readonly names: readonly string[];
  /** Per entry, its template, or {@link KEPT}. */
  readonly shapes: Uint8Array;
  readonly templates: readonly Template[];
  /** Entries no template describes, by position, kept as they are; null when there are none (most tables). */
  readonly kept: ReadonlyMap<number, TopicConfig> | null;
}

/**
 * A topic table `Map` that {@link PackableTopicTable.pack} can shrink once
 * sealed (see `sealTopicTable`), and that rebuilds its entries when next
 * read. For tables of JSON values (what the decoders give), read-only once
 * sealed like any sealed table.
 */
export class PackableTopicTable extends Map<string, TopicConfig> {
  #packed: Packed | null = null;
  /** Packing was tried and would not save memory (a sealed table never changes, so never again). */
  #unpackable = false;

  /** Whether the entries are packed now (read again, they are rebuilt). */
  get packed(): boolean {
    return this.#packed !== null;
  }

  /**
   * Packs the entries of a sealed table (an unsealed one could change, so it
   * is left as it is); a no-op when packed already or when most entries fit
   * no template.
   */
  pack(): void {
    if (this.#packed !== null || this.#unpackable || super.size === 0 || !isSealedTopicTable(this)) return;
    const packed = packEntries(super.entries(), super.size);
    if (packed === null) {
      this.#unpackable = true;
      return;
    }
    // Map's own clear: the sealed table's own `clear` refuses.
    super.clear();
    this.#packed = packed;
  }

  override get size(): number {
    return this.#packed === null ? super.size : this.#packed.names.length;
  }

  override get(key: string): TopicConfig | undefined {
    this.#unpack();
    return super.get(key);
  }

  override has(key: string): boolean {
    this.#unpack();
    return super.has(key);
  }

  override forEach(callback: (value: TopicConfig, key: string, map: Map<string, TopicConfig>) => void, thisArg?: unknown): void {
    this.#unpack();
    super.forEach(callback, thisArg);
  }

  override keys(): MapIterator<string> {
    this.#unpack();
    return super.keys();
  }

  override values(): MapIterator<TopicConfig> {
    this.#unpack();
    return super.values();
  }

  override entries(): MapIterator<[string, TopicConfig]> {
    this.#unpack();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[string, TopicConfig]> {
    return this.entries();
  }

  /** Rebuilds the entries (through Map's own `set`: a sealed table's own refuses). */
  #unpack(): void {
    const packed = this.#packed;
    if (packed === null) return;
    this.#packed = null;
    const { names, shapes, templates, kept } = packed;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const shape = shapes[i] as number;
      const template = templates[shape];
      super.set(name, template === undefined ? kept?.get(i) as TopicConfig : build(template, name));
    }
  }
}

/** Packs `count` entries, or null when more than half of them fit no template. */
function packEntries(entries: Iterable<[string, TopicConfig]>, count: number): Packed | null {
  const names: string[] = [];
  const shapes = new Uint8Array(count);
  const templates: Template[] = [];
  const kept = new Map<number, TopicConfig>();
  let last = -1;
  let i = 0;
  for (const [name, config] of entries) {
    names.push(name);
    let shape = last >= 0 && fits(templates[last] as Template, name, config) ? last : findTemplate(templates, name, config);
    if (shape < 0 && templates.length < MAX_TEMPLATES) {
      const template = templateOf(name, config);
      if (template !== null) shape = templates.push(template) - 1;
    }
    if (shape < 0) {
      shapes[i] = KEPT;
      kept.set(i, config);
    } else {
      shapes[i] = shape;
      last = shape;
    }
    i++;
  }
  return kept.size * 2 > count ? null : { names, shapes, templates, kept: kept.size === 0 ? null : kept };
}

function findTemplate(templates: readonly Template[], name: string, config: unknown): number {
  for (let t = 0; t < templates.length; t++) if (fits(templates[t] as Template, name, config)) return t;
  return -1;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** `{}` as JSON gives it: a plain, extensible object without keys. */
function isEmptyPlainObject(value: unknown): boolean {
  if (!isPlainRecord(value) || !Object.isExtensible(value)) return false;
  for (const _ in value) return false;
  return Object.getOwnPropertyNames(value).length === 0;
}

/** A template describing `config` under `name`, or null when it holds values no template keeps (objects with keys, arrays, `__proto__`). */
function templateOf(name: string, config: unknown): Template | null {
  if (!isPlainRecord(config) || !Object.isExtensible(config)) return null;
  const keys: string[] = [];
  const values: unknown[] = [];
  for (const key in config) {
    if (key === '__proto__' || !Object.hasOwn(config, key)) return null;
    const value = config[key];
    if (key === 'topicName' && value === name) values.push(NAME);
    else if (value === null || (typeof value !== 'object' && typeof value !== 'function')) values.push(value);
    else if (isEmptyPlainObject(value)) values.push(EMPTY);
    else return null;
    keys.push(key);
  }
  // Keys a for-in does not show (non-enumerable, symbols) would be lost: such an entry is kept as it is.
  if (Object.getOwnPropertyNames(config).length !== keys.length || Object.getOwnPropertySymbols(config).length > 0) return null;
  return { keys, values };
}

/** Whether `config` under `name` is what `template` rebuilds: the same keys in the same order, equal values. */
function fits(template: Template, name: string, config: unknown): boolean {
  if (!isPlainRecord(config)) return false;
  const { keys, values } = template;
  let k = 0;
  for (const key in config) {
    if (key !== keys[k]) return false;
    const value = config[key];
    const want = values[k];
    if (want === NAME ? value !== name : want === EMPTY ? !isEmptyPlainObject(value) : !Object.is(value, want)) return false;
    k++;
  }
  return k === keys.length;
}

function build(template: Template, name: string): TopicConfig {
  const { keys, values } = template;
  const config: Record<string, unknown> = {};
  for (let k = 0; k < keys.length; k++) {
    const want = values[k];
    config[keys[k] as string] = want === NAME ? name : want === EMPTY ? {} : want;
  }
  return config as unknown as TopicConfig;
}
