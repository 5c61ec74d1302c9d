/**
 * The topics card: a virtual list (only the rows in view exist), filtered by
 * substring as one types. The routes of the rows in view are fetched in one
 * request (`GET /routes?topic=…`) once scrolling pauses, and a route that
 * does not fit its row shows its first groups and "+N more".
 */
import { json, seg } from './api.js';
import { byId, clear, el, link } from './dom.js';
import { fmt, own, ownValue, permText, sorted } from './format.js';
import { topicHref } from './links.js';
import { S, later } from './state.js';
import type { TopicRouteData } from './types.js';
import { stat } from './brokers.js';

const ROW = 30;
const OVERSCAN = 8;
const MAX_ROWS = 200;
/** The server's bound on one batch (`MAX_BATCH_TOPICS`). */
const BATCH_TOPICS = 200;
/** Keeps a batch's URL well under servers' and proxies' request-line limits. */
const BATCH_URL_CHARS = 6_000;
/** Chips built per row before measuring; the rest are counted into "+N more" at once. */
const MAX_CHIPS = 16;
/** Room kept for the "+N more" link. */
const MORE_PX = 84;
/** How long scrolling must pause before the rows in view are fetched. */
const FETCH_PAUSE_MS = 80;
/** Most routes cached at once. */
const MAX_CACHED = 5_000;

/** Topics whose cached route changed on the server: still shown, fetched again. */
const stale = new Set<string>();
const fetching = { busy: false, again: false, retryAt: 0 };

/** Loads the topic list. */
export async function loadTopics(): Promise<void> {
  const t = await json<{ topicList?: string[] }>('/topics');
  S.topics = sorted(t.topicList ?? [], (x) => x);
  applyFilter(false);
}

/** A topic's route changed: refetch it (the old one stays shown meanwhile). */
export function routeChanged(topic: string): void {
  if (S.routes.has(topic)) stale.add(topic);
}

/** Every cached route naming broker group `brokerName` is out of date (a broker left). */
export function groupChanged(brokerName: string): void {
  S.routes.forEach((route, topic) => {
    if (route !== null && route !== 'loading' && route.queueDatas.some((q) => q.brokerName === brokerName)) stale.add(topic);
  });
}

/** Forgets every cached route (after a `reset`). */
export function forgetRoutes(): void {
  S.routes.clear();
  stale.clear();
}

/** Applies the search box's filter; `reset` scrolls back to the top. */
export function applyFilter(reset: boolean): void {
  const q = S.filter.toLowerCase();
  S.shown = q === '' ? S.topics : S.topics.filter((t) => t.toLowerCase().includes(q));
  byId('topic-count').textContent = q === '' ? fmt(S.topics.length) : `${fmt(S.shown.length)} of ${fmt(S.topics.length)}`;
  stat('stat-topics', S.topics.length, 'topic', 'topics');
  const empty = byId('topic-empty');
  empty.hidden = S.shown.length > 0;
  empty.textContent = S.topics.length === 0 ? 'No topics yet.' : 'No topic matches this filter.';
  if (reset) byId('topic-list').scrollTop = 0;
  renderTopics();
}

/** The rows in view (with overscan), as indexes into `S.shown`. */
function windowRange(): { first: number; last: number } {
  const list = byId('topic-list');
  const first = Math.max(0, Math.floor(list.scrollTop / ROW) - OVERSCAN);
  const count = Math.min(MAX_ROWS, Math.ceil(list.clientHeight / ROW) + 2 * OVERSCAN);
  return { first, last: Math.min(S.shown.length, first + count) };
}

/** Draws the rows in view, then schedules one fetch for those without a current route. */
export function renderTopics(): void {
  const rows = byId('topic-rows');
  byId('topic-spacer').style.height = `${S.shown.length * ROW}px`;
  const { first, last } = windowRange();
  clear(rows);
  const cells: HTMLElement[] = [];
  for (let i = first; i < last; i++) {
    const topic = S.shown[i] as string;
    const r = el('div', 'vrow');
    r.style.top = `${i * ROW}px`;
    const name = link(topicHref(topic), topic, 'topic');
    name.title = topic;
    const cell = routeCell(topic);
    r.append(name, cell);
    rows.appendChild(r);
    cells.push(cell);
  }
  fitRoutes(cells);
  // After a failure, wait a little: a server refusing (or gone) is not asked again every frame.
  const pause = Math.max(FETCH_PAUSE_MS, fetching.retryAt - performance.now());
  if (wanted().length > 0) later('fetch-routes', pause, () => void fetchWindow());
}

function routeCell(topic: string): HTMLElement {
  const cell = el('span', 'route');
  const route = S.routes.get(topic);
  if (route === undefined || route === 'loading') {
    cell.textContent = 'loading…';
    return cell;
  }
  if (route === null || route.queueDatas.length === 0) {
    cell.textContent = 'no route';
    return cell;
  }
  const addrs = new Map<string, Readonly<Record<string, string>>>();
  for (const b of route.brokerDatas) addrs.set(b.brokerName, b.brokerAddrs ?? {});
  const shown = route.queueDatas.slice(0, MAX_CHIPS);
  for (const q of shown) {
    const chip = el('span', (q.perm & 2) !== 0 ? 'chip' : 'chip ro', q.brokerName);
    chip.appendChild(el('span', 'q', `r${q.readQueueNums}/w${q.writeQueueNums} ${permText(q.perm)}`));
    const a = addrs.get(q.brokerName) ?? {};
    chip.title = `${q.brokerName}: ${own(a).map((id) => `${id === '0' ? 'master' : `slave ${id}`} ${ownValue(a, id) ?? ''}`).join(', ')}`;
    cell.appendChild(chip);
  }
  const rest = route.queueDatas.length - shown.length;
  cell.dataset.total = String(route.queueDatas.length);
  cell.dataset.topic = topic;
  if (rest > 0) cell.appendChild(moreLink(topic, rest));
  return cell;
}

function moreLink(topic: string, n: number): HTMLAnchorElement {
  return link(topicHref(topic), `+${fmt(n)} more`, 'more');
}

/** Keeps the chips that fit each cell whole and counts the rest into "+N more": one layout for every row. */
function fitRoutes(cells: readonly HTMLElement[]): void {
  const cuts: Array<{ cell: HTMLElement; keep: number }> = [];
  for (const cell of cells) {
    const chips = Array.from(cell.querySelectorAll<HTMLElement>('.chip'));
    if (chips.length === 0) continue;
    const limit = cell.offsetLeft + cell.clientWidth;
    const fits = (c: HTMLElement, room: number): boolean => c.offsetLeft + c.offsetWidth <= limit - room;
    const total = Number(cell.dataset.total ?? chips.length);
    if (total === chips.length && chips.every((c) => fits(c, 0))) continue;
    let keep = 0;
    while (keep < chips.length && fits(chips[keep] as HTMLElement, MORE_PX)) keep++;
    cuts.push({ cell, keep: Math.max(1, keep) });
  }
  for (const { cell, keep } of cuts) {
    const chips = cell.querySelectorAll('.chip');
    for (let i = chips.length - 1; i >= keep; i--) chips[i]?.remove();
    cell.querySelector('.more')?.remove();
    const total = Number(cell.dataset.total ?? keep);
    if (total > keep) cell.appendChild(moreLink(cell.dataset.topic ?? '', total - keep));
  }
}

/** The rows in view whose route is unknown or out of date. */
function wanted(): string[] {
  const { first, last } = windowRange();
  const out: string[] = [];
  for (let i = first; i < last; i++) {
    const topic = S.shown[i] as string;
    const route = S.routes.get(topic);
    if (route === undefined || (stale.has(topic) && route !== 'loading')) out.push(topic);
  }
  return out;
}

/** Splits topics into batches within the server's count and a URL length. */
function batches(topics: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const t of topics) {
    const len = encodeURIComponent(t).length + 7;
    if (current.length > 0 && (current.length >= BATCH_TOPICS || chars + len > BATCH_URL_CHARS)) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(t);
    chars += len;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Fetches the routes of the rows in view: one request (more only for very long names), one at a time. */
async function fetchWindow(): Promise<void> {
  if (fetching.busy) {
    fetching.again = true;
    return;
  }
  const topics = wanted();
  if (topics.length === 0) return;
  fetching.busy = true;
  if (S.routes.size > MAX_CACHED) forgetRoutes();
  for (const t of topics) {
    stale.delete(t);
    if (!S.routes.has(t)) S.routes.set(t, 'loading');
  }
  try {
    for (const batch of batches(topics)) {
      const query = batch.map((t) => `topic=${seg(t)}`).join('&');
      const reply = await json<{ routes: Array<{ topic: string; route: TopicRouteData | null }> }>(`/routes?${query}`);
      for (const { topic, route } of reply.routes) S.routes.set(topic, route);
    }
  } catch {
    fetching.retryAt = performance.now() + 2_000;
    for (const t of topics) if (S.routes.get(t) === 'loading') S.routes.delete(t);
  } finally {
    fetching.busy = false;
  }
  renderTopics();
  if (fetching.again) {
    fetching.again = false;
    later('fetch-routes', FETCH_PAUSE_MS, () => void fetchWindow());
  }
}
