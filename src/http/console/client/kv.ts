/** The KV config card: every namespace with its entries (the first 200 of each). */
import { json, seg, statusOf } from './api.js';
import { byId, clear, el } from './dom.js';
import { fmt, own, ownValue, sorted } from './format.js';
import { HAS_KV, S } from './state.js';

const SHOWN_ENTRIES = 200;

/** Loads every namespace. */
export async function loadKv(): Promise<void> {
  if (!HAS_KV) {
    S.kvError = 'No KV config store is configured.';
    renderKv();
    return;
  }
  try {
    const r = await json<{ namespaces?: string[] }>('/kv');
    const names = sorted(r.namespaces ?? [], (x) => x);
    const pairs = await Promise.all(names.map(async (ns): Promise<[string, Record<string, string>]> => {
      try {
        return [ns, await json<Record<string, string>>(`/kv/${seg(ns)}`)];
      } catch {
        return [ns, {}];
      }
    }));
    S.kv = new Map(pairs);
    S.kvError = '';
  } catch (e) {
    S.kv = null;
    S.kvError = statusOf(e) === 501 ? 'No KV config store is configured.' : 'KV config could not be read.';
  }
  renderKv();
}

/** Reloads one namespace after a `kvChanged` event. */
export async function loadNamespace(ns: string): Promise<void> {
  if (S.kv === null) return loadKv();
  try {
    S.kv.set(ns, await json<Record<string, string>>(`/kv/${seg(ns)}`));
  } catch (e) {
    if (statusOf(e) !== 404) return;
    S.kv.delete(ns);
  }
  renderKv();
}

/** Draws the card. */
export function renderKv(): void {
  const box = byId('kv-body');
  clear(box);
  if (S.kv === null) {
    box.appendChild(el('div', 'empty', S.kvError === '' ? 'Loading…' : S.kvError));
    byId('kv-count').textContent = '';
    return;
  }
  const names = sorted(S.kv.keys(), (x) => x);
  byId('kv-count').textContent = `${fmt(names.length)}${names.length === 1 ? ' namespace' : ' namespaces'}`;
  if (names.length === 0) box.appendChild(el('div', 'empty', 'No KV entries.'));
  for (const ns of names) {
    const entries = S.kv.get(ns) ?? {};
    const keys = sorted(own(entries), (x) => x);
    const head = el('div', 'ns', ns);
    head.appendChild(el('span', '', `${fmt(keys.length)}${keys.length === 1 ? ' entry' : ' entries'}`));
    box.appendChild(head);
    const table = el('table', 'kv');
    for (const k of keys.slice(0, SHOWN_ENTRIES)) {
      const tr = el('tr');
      tr.append(el('td', '', k), el('td', '', ownValue(entries, k) ?? ''));
      table.appendChild(tr);
    }
    if (keys.length > SHOWN_ENTRIES) {
      const more = el('tr');
      more.appendChild(el('td', '', `… ${fmt(keys.length - SHOWN_ENTRIES)} more`));
      table.appendChild(more);
    }
    box.appendChild(table);
  }
}
