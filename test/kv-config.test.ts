/**
 * The KV config store: RocketMQ's KVConfigManagerTest and
 * KVConfigSerializeWrapperTest, plus persistence (format, load, atomic and
 * coalesced writes, failures). `node:fs/promises` is wrapped so tests can
 * count renames and hold a write in flight without sleeping.
 */
import type { PathLike } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  KvConfigStore,
  NAMESPACE_ORDER_TOPIC_CONFIG,
  type KvConfigChangeEvent,
  type KvConfigStoreOptions,
} from '../src/core/kv-config.js';
import {
  InvalidOptionError,
  InvalidRequestError,
  KvConfigLoadError,
  KvConfigPersistError,
  NamesrvError,
} from '../src/core/errors.js';

const fsHooks = vi.hoisted(() => ({
  /** Every `rename(from, to)` the store made. */
  renames: [] as Array<{ from: string; to: string }>,
  /** Runs before the real rename; may hold it or throw. */
  beforeRename: null as ((from: string, to: string) => Promise<void>) | null,
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: PathLike, to: PathLike): Promise<void> => {
      fsHooks.renames.push({ from: String(from), to: String(to) });
      const hook = fsHooks.beforeRename;
      if (hook !== null) await hook(String(from), String(to));
      return actual.rename(from, to);
    },
  };
});

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kv-config-'));
  file = join(dir, 'kvConfig.json');
  fsHooks.renames.length = 0;
  fsHooks.beforeRename = null;
});

afterEach(async () => {
  fsHooks.beforeRename = null;
  await rm(dir, { recursive: true, force: true });
});

const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));
const writesTo = (path: string): number => fsHooks.renames.filter((r) => r.to === path).length;

/** A gate that holds the next rename until released, and says when it is held. */
function holdNextRename(): { held: Promise<void>; release: () => void } {
  let onHeld!: () => void;
  let release!: () => void;
  const held = new Promise<void>((r) => (onHeld = r));
  const gate = new Promise<void>((r) => (release = r));
  fsHooks.beforeRename = async () => {
    fsHooks.beforeRename = null;
    onHeld();
    await gate;
  };
  return { held, release };
}

function recordChanges(store: KvConfigStore): KvConfigChangeEvent[] {
  const changes: KvConfigChangeEvent[] = [];
  store.on('change', (event) => changes.push(event));
  return changes;
}

describe('KVConfigManagerTest', () => {
  it('testPutKVConfig', () => {
    const store = new KvConfigStore();
    store.put(NAMESPACE_ORDER_TOPIC_CONFIG, 'UnitTest', 'test');
    expect(store.getKVListByNamespace(NAMESPACE_ORDER_TOPIC_CONFIG)).toEqual({ UnitTest: 'test' });
    expect(store.get(NAMESPACE_ORDER_TOPIC_CONFIG, 'UnitTest')).toBe('test');
  });

  it('testDeleteKVConfig', () => {
    const store = new KvConfigStore();
    store.delete(NAMESPACE_ORDER_TOPIC_CONFIG, 'UnitTest');
    expect(store.getKVListByNamespace(NAMESPACE_ORDER_TOPIC_CONFIG)).toBeNull();
    expect(store.get(NAMESPACE_ORDER_TOPIC_CONFIG, 'UnitTest')).toBeNull();
  });

  it('KVConfigSerializeWrapperTest.testEncodeAndDecode: the file round-trips', async () => {
    const store = new KvConfigStore({ path: file });
    store.put(NAMESPACE_ORDER_TOPIC_CONFIG, 'broker-name', 'default-broker');
    store.put(NAMESPACE_ORDER_TOPIC_CONFIG, 'topic-name', 'default-topic');
    store.put(NAMESPACE_ORDER_TOPIC_CONFIG, 'cid', 'default-consumer-name');
    await store.flush();

    const reloaded = new KvConfigStore({ path: file });
    await reloaded.load();
    expect(reloaded.get(NAMESPACE_ORDER_TOPIC_CONFIG, 'broker-name')).toBe('default-broker');
    expect(reloaded.get(NAMESPACE_ORDER_TOPIC_CONFIG, 'topic-name')).toBe('default-topic');
    expect(reloaded.get(NAMESPACE_ORDER_TOPIC_CONFIG, 'cid')).toBe('default-consumer-name');
  });
});

describe('table', () => {
  it('puts, updates, gets, deletes and lists', () => {
    const store = new KvConfigStore();
    store.put('ns1', 'a', '1');
    store.put('ns1', 'b', '2');
    store.put('ns2', 'a', 'x');
    store.put('ns1', 'a', '3');
    expect(store.get('ns1', 'a')).toBe('3');
    expect(store.get('ns1', 'missing')).toBeNull();
    expect(store.get('missing', 'a')).toBeNull();
    expect(store.getKVListByNamespace('ns1')).toEqual({ a: '3', b: '2' });
    expect(store.namespaces()).toEqual(['ns1', 'ns2']);
    expect(store.entries()).toEqual([
      ['ns1', 'a', '3'],
      ['ns1', 'b', '2'],
      ['ns2', 'a', 'x'],
    ]);

    store.delete('ns1', 'a');
    expect(store.get('ns1', 'a')).toBeNull();
    expect(store.getKVListByNamespace('ns1')).toEqual({ b: '2' });
  });

  it('keeps a namespace once its last key is deleted, so listing it answers {} as RocketMQ does', () => {
    const store = new KvConfigStore();
    expect(store.getKVListByNamespace('ns')).toBeNull();
    store.put('ns', 'k', 'v');
    store.delete('ns', 'k');
    expect(store.getKVListByNamespace('ns')).toEqual({});
    expect(store.namespaces()).toEqual(['ns']);
  });

  it('accepts empty strings as namespace, key and value', () => {
    const store = new KvConfigStore();
    store.put('', '', '');
    expect(store.get('', '')).toBe('');
    expect(store.getKVListByNamespace('')).toEqual({ '': '' });
  });

  it('returns snapshots: changing a list never changes the store', () => {
    const store = new KvConfigStore();
    store.put('ns', 'k', 'v');
    const list = store.getKVListByNamespace('ns') as Record<string, string>;
    list['k'] = 'changed';
    list['extra'] = 'x';
    const entries = store.entries();
    entries.length = 0;
    expect(store.getKVListByNamespace('ns')).toEqual({ k: 'v' });
    expect(store.entries()).toEqual([['ns', 'k', 'v']]);
  });

  it('treats __proto__, constructor and toString as ordinary names and values', () => {
    const store = new KvConfigStore();
    for (const name of ['__proto__', 'constructor', 'toString']) {
      expect(store.get(name, name)).toBeNull();
      expect(store.getKVListByNamespace(name)).toBeNull();
      store.put(name, name, name);
      expect(store.get(name, name)).toBe(name);
    }
    store.put('ns', '__proto__', 'polluted?');
    const list = store.getKVListByNamespace('ns') as Record<string, string>;
    expect(Object.getPrototypeOf(list)).toBe(Object.prototype);
    expect(Object.hasOwn(list, '__proto__')).toBe(true);
    expect(Object.keys(list)).toEqual(['__proto__']);
    expect(JSON.stringify(list)).toBe('{"__proto__":"polluted?"}');
    expect(store.get('ns', 'toString')).toBeNull();
  });

  it('rejects non-string arguments with InvalidRequestError and changes nothing', () => {
    const store = new KvConfigStore();
    const changes = recordChanges(store);
    store.put('ns', 'k', 'v');
    changes.length = 0;
    const cases: Array<[() => unknown, string]> = [
      [() => store.put(1 as unknown as string, 'k', 'v'), 'namespace'],
      [() => store.put('ns', null as unknown as string, 'v'), 'key'],
      [() => store.put('ns', 'k', undefined as unknown as string), 'value'],
      [() => store.put('ns', 'k', { toString: () => 'x' } as unknown as string), 'value'],
      [() => store.get(undefined as unknown as string, 'k'), 'namespace'],
      [() => store.get('ns', 5 as unknown as string), 'key'],
      [() => store.delete('ns', Symbol('k') as unknown as string), 'key'],
      [() => store.getKVListByNamespace(null as unknown as string), 'namespace'],
    ];
    for (const [call, field] of cases) {
      let caught: unknown;
      try {
        call();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(InvalidRequestError);
      expect(caught).toBeInstanceOf(NamesrvError);
      expect((caught as InvalidRequestError).code).toBe('ERR_INVALID_REQUEST');
      expect((caught as InvalidRequestError).field).toBe(field);
    }
    expect(store.entries()).toEqual([['ns', 'k', 'v']]);
    expect(changes).toEqual([]);
  });
});

describe('options', () => {
  it('rejects bad options eagerly with InvalidOptionError', () => {
    const bad: unknown[] = [null, 'kvConfig.json', { path: 42 }, { path: '' }, { path: null }, { path: 'a\0b' }];
    for (const options of bad) {
      expect(() => new KvConfigStore(options as KvConfigStoreOptions)).toThrow(InvalidOptionError);
    }
    expect(() => new KvConfigStore({ path: 7 as unknown as string })).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', code: 'ERR_INVALID_OPTION' }),
    );
    expect(() => new KvConfigStore({ path: 7 as unknown as string })).toThrow(InvalidOptionError);
  });

  it('resolves the path once, and is memory-only without one', () => {
    expect(new KvConfigStore().path).toBeNull();
    expect(new KvConfigStore({}).path).toBeNull();
    expect(new KvConfigStore({ path: 'rel/kv.json' }).path).toBe(resolve('rel/kv.json'));
  });

  it('a memory-only store loads nothing and flushes at once', async () => {
    const store = new KvConfigStore();
    await store.load();
    store.put('ns', 'k', 'v');
    await store.flush();
    expect(fsHooks.renames).toEqual([]);
    expect(store.get('ns', 'k')).toBe('v');
  });
});

describe('change events', () => {
  it('fires for new, updated and deleted entries only', () => {
    const store = new KvConfigStore();
    const changes = recordChanges(store);
    store.put(NAMESPACE_ORDER_TOPIC_CONFIG, 't1', 'broker-a:4');
    store.put(NAMESPACE_ORDER_TOPIC_CONFIG, 't1', 'broker-a:4'); // same value: no event
    store.put(NAMESPACE_ORDER_TOPIC_CONFIG, 't1', 'broker-a:8');
    store.delete(NAMESPACE_ORDER_TOPIC_CONFIG, 't1');
    store.delete(NAMESPACE_ORDER_TOPIC_CONFIG, 't1'); // already gone: no event
    store.delete('unknown', 'k');
    expect(changes).toEqual([
      { namespace: NAMESPACE_ORDER_TOPIC_CONFIG, key: 't1', value: 'broker-a:4' },
      { namespace: NAMESPACE_ORDER_TOPIC_CONFIG, key: 't1', value: 'broker-a:8' },
      { namespace: NAMESPACE_ORDER_TOPIC_CONFIG, key: 't1', value: null },
    ]);
  });

  it('fires synchronously, after the table is updated', () => {
    const store = new KvConfigStore();
    const seen: Array<string | null> = [];
    store.on('change', ({ namespace, key }) => seen.push(store.get(namespace, key)));
    store.put('ns', 'k', 'v');
    expect(seen).toEqual(['v']);
    store.delete('ns', 'k');
    expect(seen).toEqual(['v', null]);
  });

  it('persists even when a change listener throws', async () => {
    const store = new KvConfigStore({ path: file });
    store.on('change', () => {
      throw new Error('listener failed');
    });
    expect(() => store.put('ns', 'k', 'v')).toThrow('listener failed');
    await store.flush();
    expect(await readJson(file)).toEqual({ configTable: { ns: { k: 'v' } } });
  });
});

describe('persistence', () => {
  it("writes RocketMQ's kvConfig.json format exactly", async () => {
    const store = new KvConfigStore({ path: file });
    store.put(NAMESPACE_ORDER_TOPIC_CONFIG, 'TopicTest', 'broker-a:4;broker-b:4');
    store.put('ns', 'k', 'v');
    await store.flush();
    expect(await readFile(file, 'utf8')).toBe(
      '{"configTable":{"ORDER_TOPIC_CONFIG":{"TopicTest":"broker-a:4;broker-b:4"},"ns":{"k":"v"}}}',
    );

    store.delete(NAMESPACE_ORDER_TOPIC_CONFIG, 'TopicTest');
    store.delete('ns', 'k');
    await store.flush();
    expect(await readFile(file, 'utf8')).toBe('{"configTable":{"ORDER_TOPIC_CONFIG":{},"ns":{}}}');
  });

  it('persists every put and delete', async () => {
    const store = new KvConfigStore({ path: file });
    store.put('ns', 'a', '1');
    await store.flush();
    expect(await readJson(file)).toEqual({ configTable: { ns: { a: '1' } } });
    store.put('ns', 'b', '2');
    await store.flush();
    expect(await readJson(file)).toEqual({ configTable: { ns: { a: '1', b: '2' } } });
    store.delete('ns', 'a');
    await store.flush();
    expect(await readJson(file)).toEqual({ configTable: { ns: { b: '2' } } });
    expect(writesTo(file)).toBe(3);
  });

  it('does not write when nothing changed', async () => {
    const store = new KvConfigStore({ path: file });
    store.put('ns', 'k', 'v');
    await store.flush();
    store.put('ns', 'k', 'v');
    store.delete('ns', 'missing');
    store.delete('missing', 'k');
    await store.flush();
    expect(writesTo(file)).toBe(1);
  });

  it('creates missing parent directories', async () => {
    const nested = join(dir, 'a', 'b', 'kvConfig.json');
    const store = new KvConfigStore({ path: nested });
    store.put('ns', 'k', 'v');
    await store.flush();
    expect(await readJson(nested)).toEqual({ configTable: { ns: { k: 'v' } } });
  });

  it('round-trips __proto__, constructor and toString through the file as own properties', async () => {
    const store = new KvConfigStore({ path: file });
    store.put('__proto__', '__proto__', '__proto__');
    store.put('__proto__', 'constructor', 'toString');
    store.put('constructor', 'toString', '{}');
    await store.flush();

    const text = await readFile(file, 'utf8');
    expect(text).toBe(
      '{"configTable":{"__proto__":{"__proto__":"__proto__","constructor":"toString"},"constructor":{"toString":"{}"}}}',
    );
    const reloaded = new KvConfigStore({ path: file });
    await reloaded.load();
    expect(reloaded.entries()).toEqual([
      ['__proto__', '__proto__', '__proto__'],
      ['__proto__', 'constructor', 'toString'],
      ['constructor', 'toString', '{}'],
    ]);
    expect(reloaded.get('toString', 'constructor')).toBeNull();
  });

  it('coalesces changes made while a write is in flight into one more write of the latest state', async () => {
    const store = new KvConfigStore({ path: file });
    const gate = holdNextRename();
    store.put('ns', 'k', 'v0');
    await gate.held;
    for (let i = 1; i <= 100; i++) store.put('ns', 'k', `v${i}`);
    store.put('ns2', 'other', 'x');
    const flushed = store.flush();
    gate.release();
    await flushed;
    expect(writesTo(file)).toBe(2);
    expect(await readJson(file)).toEqual({ configTable: { ns: { k: 'v100' }, ns2: { other: 'x' } } });
  });

  it('coalesces changes made in the same tick into one write', async () => {
    const store = new KvConfigStore({ path: file });
    for (let i = 0; i < 50; i++) store.put('ns', `k${i}`, String(i));
    await store.flush();
    expect(writesTo(file)).toBe(1);
    const doc = (await readJson(file)) as { configTable: { ns: Record<string, string> } };
    expect(Object.keys(doc.configTable.ns)).toHaveLength(50);
    expect(doc.configTable.ns['k49']).toBe('49');
  });

  it('flush waits for the write queued behind the one in flight', async () => {
    const store = new KvConfigStore({ path: file });
    const gate = holdNextRename();
    store.put('ns', 'k', 'first');
    await gate.held;
    store.put('ns', 'k', 'second');
    let flushed = false;
    const flushing = store.flush().then(() => (flushed = true));
    await Promise.resolve();
    expect(flushed).toBe(false);
    gate.release();
    await flushing;
    expect(await readJson(file)).toEqual({ configTable: { ns: { k: 'second' } } });
  });
});

describe('atomic writes', () => {
  it('writes a temp file in the same directory and renames it over the target, leaving nothing behind', async () => {
    const store = new KvConfigStore({ path: file });
    store.put('ns', 'k', 'old');
    await store.flush();

    const gate = holdNextRename();
    store.put('ns', 'k', 'new');
    await gate.held;
    // Mid-write: the target still holds the previous complete state; the new one sits in a temp file.
    expect(await readJson(file)).toEqual({ configTable: { ns: { k: 'old' } } });
    const during = await readdir(dir);
    expect(during).toHaveLength(2);
    const temp = during.find((name) => name !== 'kvConfig.json') as string;
    expect(fsHooks.renames.at(-1)).toEqual({ from: join(dir, temp), to: file });
    expect(await readJson(join(dir, temp))).toEqual({ configTable: { ns: { k: 'new' } } });
    gate.release();
    await store.flush();

    expect(await readdir(dir)).toEqual(['kvConfig.json']);
    expect(await readJson(file)).toEqual({ configTable: { ns: { k: 'new' } } });
  });

  it('uses a unique temp file per write', async () => {
    const store = new KvConfigStore({ path: file });
    for (let i = 0; i < 3; i++) {
      store.put('ns', 'k', String(i));
      await store.flush();
    }
    const temps = fsHooks.renames.map((r) => r.from);
    expect(new Set(temps).size).toBe(3);
    for (const temp of temps) expect(temp.startsWith(dir)).toBe(true);
  });

  it('a write that fails before the rename leaves the previous file intact and no temp file', async () => {
    const store = new KvConfigStore({ path: file });
    store.put('ns', 'k', 'old');
    await store.flush();
    const errors: Error[] = [];
    store.on('error', (err) => errors.push(err));

    fsHooks.beforeRename = async () => {
      fsHooks.beforeRename = null;
      throw Object.assign(new Error('simulated crash before rename'), { code: 'EIO' });
    };
    store.put('ns', 'k', 'new');
    await expect(store.flush()).rejects.toBeInstanceOf(KvConfigPersistError);
    expect(errors).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['kvConfig.json']);
    expect(await readJson(file)).toEqual({ configTable: { ns: { k: 'old' } } });
    expect(store.get('ns', 'k')).toBe('new');
  });

  it('the target is parseable at every moment while writes happen', async () => {
    const store = new KvConfigStore({ path: file });
    store.put('ns', 'k', 'seed');
    await store.flush();
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        const doc = (await readJson(file)) as { configTable: { ns: Record<string, string> } };
        expect(Object.keys(doc.configTable.ns).length).toBeGreaterThan(0);
        reads++;
      }
    })();
    for (let i = 0; i < 40; i++) {
      store.put('ns', `k${i}`, 'x'.repeat(2_000));
      await store.flush();
    }
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(await readdir(dir)).toEqual(['kvConfig.json']);
  });
});

describe('load', () => {
  it('loads an existing kvConfig.json written by RocketMQ', async () => {
    await writeFile(
      file,
      JSON.stringify(
        { configTable: { ORDER_TOPIC_CONFIG: { TopicTest: 'broker-a:4' }, ns: { a: '1', b: '2' } } },
        null,
        2,
      ),
    );
    const store = new KvConfigStore({ path: file });
    const changes = recordChanges(store);
    await store.load();
    expect(store.get(NAMESPACE_ORDER_TOPIC_CONFIG, 'TopicTest')).toBe('broker-a:4');
    expect(store.getKVListByNamespace('ns')).toEqual({ a: '1', b: '2' });
    expect(changes).toEqual([
      { namespace: 'ORDER_TOPIC_CONFIG', key: 'TopicTest', value: 'broker-a:4' },
      { namespace: 'ns', key: 'a', value: '1' },
      { namespace: 'ns', key: 'b', value: '2' },
    ]);
    // Loading writes nothing.
    expect(writesTo(file)).toBe(0);
  });

  it('treats a missing file as empty and creates nothing', async () => {
    const store = new KvConfigStore({ path: file });
    await store.load();
    expect(store.entries()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('treats an empty file as empty, as RocketMQ does', async () => {
    await writeFile(file, '  \n');
    const store = new KvConfigStore({ path: file });
    await store.load();
    expect(store.entries()).toEqual([]);
  });

  it('skips null namespaces and values and empty namespaces', async () => {
    await writeFile(file, '{"configTable":{"a":null,"b":{},"c":{"k":null,"j":"v"}}}');
    const store = new KvConfigStore({ path: file });
    await store.load();
    expect(store.entries()).toEqual([['c', 'j', 'v']]);
    expect(store.getKVListByNamespace('b')).toBeNull();
  });

  it('rejects a corrupt file with KvConfigLoadError and leaves the table untouched', async () => {
    await writeFile(file, '{"configTable":{"ns":{"k":"loaded"}}}');
    const store = new KvConfigStore({ path: file });
    await store.load();
    const changes = recordChanges(store);

    const corrupt = [
      '{"configTable":{"ns":{"k":"torn',
      'not json',
      '[]',
      'null',
      '{}',
      '{"configTable":null}',
      '{"configTable":[]}',
      '{"configTable":{"ns":"k=v"}}',
      '{"configTable":{"ns":{"k":1}}}',
      '{"configTable":{"ns":{"k":"changed","j":{"nested":"x"}}}}',
    ];
    for (const text of corrupt) {
      await writeFile(file, text);
      const error: unknown = await store.load().then(
        () => null,
        (err: unknown) => err,
      );
      expect(error, text).toBeInstanceOf(KvConfigLoadError);
      expect(error).toBeInstanceOf(NamesrvError);
      expect((error as KvConfigLoadError).code).toBe('ERR_KV_CONFIG_LOAD');
      expect((error as KvConfigLoadError).path).toBe(file);
      expect((error as Error).message).toContain(file);
    }
    expect(store.entries()).toEqual([['ns', 'k', 'loaded']]);
    expect(changes).toEqual([]);
  });

  it('keeps the JSON parse failure as the cause', async () => {
    await writeFile(file, '{oops');
    const error: unknown = await new KvConfigStore({ path: file }).load().catch((err: unknown) => err);
    expect((error as KvConfigLoadError).cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects an unreadable path with KvConfigLoadError', async () => {
    await mkdir(file);
    await expect(new KvConfigStore({ path: file }).load()).rejects.toMatchObject({
      name: 'KvConfigLoadError',
      code: 'ERR_KV_CONFIG_LOAD',
    });
  });

  it('merges into the table, emitting only for entries whose value differs', async () => {
    await writeFile(file, '{"configTable":{"ns":{"same":"1","diff":"file"}}}');
    const store = new KvConfigStore({ path: file });
    await store.load();
    await writeFile(file, '{"configTable":{"ns":{"same":"1","diff":"edited"},"other":{"k":"v"}}}');
    const changes = recordChanges(store);
    await store.load();
    expect(changes).toEqual([
      { namespace: 'ns', key: 'diff', value: 'edited' },
      { namespace: 'other', key: 'k', value: 'v' },
    ]);
  });

  it('keeps changes made while the load is pending, and persists the merged table', async () => {
    await writeFile(file, '{"configTable":{"ns":{"mine":"file","theirs":"file","gone":"file"}}}');
    const store = new KvConfigStore({ path: file });
    const loading = store.load();
    store.put('ns', 'mine', 'memory');
    store.delete('ns', 'gone');
    await loading;
    expect(store.getKVListByNamespace('ns')).toEqual({ mine: 'memory', theirs: 'file' });
    await store.flush();
    expect(await readJson(file)).toEqual({ configTable: { ns: { mine: 'memory', theirs: 'file' } } });
  });

  it('sees the writes queued before it', async () => {
    const store = new KvConfigStore({ path: file });
    store.put('ns', 'k', 'v');
    await store.load();
    const other = new KvConfigStore({ path: file });
    await other.load();
    expect(other.get('ns', 'k')).toBe('v');
  });
});

describe('write failures', () => {
  it('surfaces a failing write as an error event and a rejected flush, without crashing', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file, not a directory');
    const path = join(blocker, 'kvConfig.json');
    const store = new KvConfigStore({ path });
    const errors: Error[] = [];
    store.on('error', (err) => errors.push(err));

    store.put('ns', 'k', 'v');
    const error: unknown = await store.flush().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KvConfigPersistError);
    expect((error as KvConfigPersistError).code).toBe('ERR_KV_CONFIG_PERSIST');
    expect((error as KvConfigPersistError).path).toBe(path);
    expect((error as KvConfigPersistError).cause).toMatchObject({ code: expect.stringMatching(/^E/) });
    expect(errors).toEqual([error]);
    // The table is intact and keeps working.
    expect(store.get('ns', 'k')).toBe('v');
    store.put('ns', 'k2', 'v2');
    await expect(store.flush()).rejects.toBeInstanceOf(KvConfigPersistError);
    expect(errors).toHaveLength(2);
    expect(store.getKVListByNamespace('ns')).toEqual({ k: 'v', k2: 'v2' });
  });

  it('does not throw or leave an unhandled rejection when nobody listens for errors', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, '');
    const store = new KvConfigStore({ path: join(blocker, 'kvConfig.json') });
    expect(() => store.put('ns', 'k', 'v')).not.toThrow();
    // Let the background write fail; vitest reports any unhandled rejection as a failure.
    await store.flush().catch(() => undefined);
    expect(store.get('ns', 'k')).toBe('v');
  });

  it('flush retries after a failure once the cause is gone', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, '');
    const path = join(blocker, 'kvConfig.json');
    const store = new KvConfigStore({ path });
    store.on('error', () => undefined);
    store.put('ns', 'k', 'v');
    await expect(store.flush()).rejects.toBeInstanceOf(KvConfigPersistError);

    await rm(blocker);
    await store.flush();
    expect(await readJson(path)).toEqual({ configTable: { ns: { k: 'v' } } });
    // Nothing left to write: another flush does not write again.
    const writes = writesTo(path);
    await store.flush();
    expect(writesTo(path)).toBe(writes);
  });
});
