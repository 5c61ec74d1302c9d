/**
 * Hash routing inside the one page: `#/` the overview (every card at once),
 * `#/topic/NAME` and `#/broker/CLUSTER/ADDR` a detail page in its place.
 */
import { brokerPage } from './broker-page.js';
import { byId, clear, el } from './dom.js';
import { viewOf, type View } from './links.js';
import { topicPage } from './topic-page.js';

const current = { view: { kind: 'overview' } as View, generation: 0 };

/** The view shown now. */
export function currentView(): View {
  return current.view;
}

/** Shows what the hash points at. */
export function showView(): void {
  current.view = viewOf(location.hash);
  const detail = current.view.kind !== 'overview';
  byId('overview').hidden = detail;
  byId('detail').hidden = !detail;
  if (detail) void refreshDetail();
  else document.title = 'RocketMQ NameServer';
}

/** Draws the detail page again (after an event about what it shows). */
export async function refreshDetail(): Promise<void> {
  const view = current.view;
  if (view.kind === 'overview') return;
  const generation = ++current.generation;
  let content: HTMLElement;
  try {
    content = view.kind === 'topic' ? await topicPage(view.topic) : await brokerPage(view.cluster, view.addr);
  } catch {
    content = el('p', 'empty', 'Could not load this page; it will be retried when something changes.');
  }
  // A newer view (or refresh) started meanwhile: its content wins.
  if (generation !== current.generation) return;
  byId('detail-kind').textContent = view.kind === 'topic' ? ' / topic' : ' / broker';
  document.title = `${view.kind === 'topic' ? view.topic : view.addr} · RocketMQ NameServer`;
  const body = byId('detail-body');
  clear(body);
  body.appendChild(content);
}
