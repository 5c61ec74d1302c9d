/**
 * Hash routing inside the one page: `#/` the overview (every card at once),
 * `#/topic/NAME`, `#/broker/CLUSTER/ADDR` and `#/controller` a detail page in its place.
 */
import { brokerPage } from './broker-page.js';
import { controllerPage } from './controller-page.js';
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
  byId('controller-link').classList.toggle('current', current.view.kind === 'controller');
  if (detail) void refreshDetail();
  else document.title = 'RocketMQ NameServer';
}

function load(view: Exclude<View, { kind: 'overview' }>): Promise<HTMLElement> {
  if (view.kind === 'topic') return topicPage(view.topic);
  if (view.kind === 'broker') return brokerPage(view.cluster, view.addr);
  return controllerPage();
}

function titleOf(view: Exclude<View, { kind: 'overview' }>): string {
  if (view.kind === 'topic') return view.topic;
  if (view.kind === 'broker') return view.addr;
  return 'Controller';
}

/** Draws the detail page again (after an event about what it shows). */
export async function refreshDetail(): Promise<void> {
  const view = current.view;
  if (view.kind === 'overview') return;
  const generation = ++current.generation;
  let content: HTMLElement;
  try {
    content = await load(view);
  } catch {
    content = el('p', 'empty', 'Could not load this page; it will be retried when something changes.');
  }
  // A newer view (or refresh) started meanwhile: its content wins.
  if (generation !== current.generation) return;
  byId('detail-kind').textContent = ` / ${view.kind}`;
  document.title = `${titleOf(view)} · RocketMQ NameServer`;
  const body = byId('detail-body');
  // A page that keeps its element across refreshes (the controller's) keeps its inputs' focus too.
  if (body.firstChild === content && body.childNodes.length === 1) return;
  clear(body);
  body.appendChild(content);
}
