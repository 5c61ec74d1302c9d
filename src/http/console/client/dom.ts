/**
 * DOM helpers. Names shown here are attacker-controlled (any string is a
 * topic), so text goes in through `textContent` only: nothing is ever parsed as HTML.
 */

/** The element with `id`; the page's markup guarantees it exists. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`the page has no #${id}`);
  return e as T;
}

/** A new element with an optional class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string | number | null): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined && cls !== '') e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/** A link inside the page (`#/…`) with `text`. */
export function link(href: string, text: string, cls?: string): HTMLAnchorElement {
  const a = el('a', cls, text);
  a.href = href;
  return a;
}

/** Removes every child. */
export function clear(e: Element): void {
  while (e.firstChild !== null) e.removeChild(e.firstChild);
}

/** A table row of cells (text, or an element). */
export function row(cells: ReadonlyArray<string | number | Node>, cls?: string): HTMLTableRowElement {
  const tr = el('tr', cls);
  for (const c of cells) {
    const td = el('td');
    if (c instanceof Node) td.appendChild(c);
    else td.textContent = String(c);
    tr.appendChild(td);
  }
  return tr;
}

/** A table with a header row. */
export function table(headers: readonly string[], rows: readonly HTMLTableRowElement[], cls = 'detail-table'): HTMLTableElement {
  const t = el('table', cls);
  const head = el('tr');
  for (const h of headers) head.appendChild(el('th', '', h));
  const thead = el('thead');
  thead.appendChild(head);
  const tbody = el('tbody');
  for (const r of rows) tbody.appendChild(r);
  t.append(thead, tbody);
  return t;
}
