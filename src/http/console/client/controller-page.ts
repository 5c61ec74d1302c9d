/**
 * The controller's page (`#/controller`): who leads, each broker group's
 * master, epochs, sync-state set and replicas (alive or not, in sync or
 * not), the brokers heartbeating, and the elections and inactive brokers
 * seen since the page opened. Read from `GET /controller`; `/events` brings
 * the controller's events, which redraw it at once. One page element lives
 * across redraws, so the filter keeps its text and focus.
 */
import { json, statusOf } from './api.js';
import { recentControllerEvents } from './controller-events.js';
import { eventsSection, groupsSection, liveSection } from './controller-tables.js';
import { clear, el } from './dom.js';
import { fmt } from './format.js';
import { HAS_CONTROLLER } from './state.js';
import type { ControllerView } from './types.js';

/** Re-reads of `GET /controller` come at most this often, and less often the larger the view (it costs the server per broker). */
const POLL_MIN_MS = 2_000;
const POLL_MAX_MS = 30_000;
const POLL_MS_PER_BROKER = 5;

interface PageParts {
  readonly root: HTMLElement;
  readonly facts: HTMLElement;
  readonly sections: HTMLElement;
}

const state = {
  parts: null as PageParts | null,
  view: null as ControllerView | null,
  filter: '',
  /** Replicas and heartbeating brokers in the last view. */
  size: 0,
};

/** How long to wait before re-reading the view, by its size: 2 s for a few hundred brokers, up to 30 s for thousands. */
export function controllerPollMillis(): number {
  return Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, state.size * POLL_MS_PER_BROKER));
}

function facts(pairs: ReadonlyArray<readonly [string, string]>): HTMLElement {
  const dl = el('dl', 'facts');
  for (const [k, v] of pairs) dl.append(el('dt', '', k), el('dd', '', v));
  return dl;
}

/** `id:address;id:address;` (Java's form) as `id at address, …`; an instance that knows no address yet shows its id. */
function peersText(peers: string): string {
  const list = peers.split(';').filter((p) => p !== '').map((p) => {
    const i = p.indexOf(':');
    const id = i < 0 ? p : p.slice(0, i);
    const addr = i < 0 ? '' : p.slice(i + 1);
    return addr === '' ? id : `${id} at ${addr}`;
  });
  return list.length === 0 ? 'none' : list.join(', ');
}

function leaderText(view: ControllerView): string {
  const where = view.leaderAddress === null ? '' : ` at ${view.leaderAddress}`;
  if (view.isLeader) return `this instance${view.leaderId === null ? '' : ` (${view.leaderId})`}${where}`;
  return view.leaderId === null && view.leaderAddress === null ? 'none known (an election may be under way)' : `${view.leaderId ?? '?'}${where}`;
}

function notEnabled(): HTMLElement {
  const page = el('div', 'detail-page');
  page.append(el('h2', 'detail-title', 'Controller'),
    el('p', 'muted not-enabled', 'Controller not enabled: this server runs no RocketMQ 5 controller '
      + '(start it with --enable-controller, or enableControllerInNamesrv=true in its properties).'));
  return page;
}

/** Whether any of `texts` holds the filter (case-insensitive). */
function matches(filter: string, ...texts: string[]): boolean {
  return texts.some((t) => t.toLowerCase().includes(filter));
}

/** Fills the page from the last view, filtered. */
function draw(parts: PageParts, view: ControllerView): void {
  const troubled = view.groups.filter((g) => g.masterBrokerId === null || g.inactiveBrokerIds.length > 0).length;
  clear(parts.facts);
  parts.facts.appendChild(facts([
    ['This instance', view.isLeader ? 'leader (answers brokers)' : 'follower (brokers go to the leader)'],
    ['Leader', leaderText(view)],
    ['Peers', peersText(view.peers)],
    ['Broker groups', `${fmt(view.groups.length)}${troubled > 0 ? `, ${fmt(troubled)} without a master or with an inactive replica` : ''}`],
  ]));
  const f = state.filter.trim().toLowerCase();
  const groups = f === '' ? view.groups
    : view.groups.filter((g) => matches(f, g.clusterName, g.brokerName, ...g.replicas.map((r) => r.brokerAddress)));
  const live = f === '' ? view.liveBrokers : view.liveBrokers.filter((b) => matches(f, b.clusterName, b.brokerName, b.brokerAddr));
  clear(parts.sections);
  parts.sections.append(groupsSection(groups, f !== ''), liveSection(live, f !== ''), eventsSection(recentControllerEvents()));
}

function build(): PageParts {
  const root = el('div', 'detail-page controller');
  const factsBox = el('div');
  const input = el('input', 'ctl-filter');
  input.type = 'search';
  input.placeholder = 'Filter groups and addresses…';
  input.setAttribute('aria-label', 'Filter broker groups and addresses');
  input.autocomplete = 'off';
  input.spellcheck = false;
  input.value = state.filter;
  const sections = el('div');
  root.append(el('h2', 'detail-title', 'Controller'), factsBox, input, sections);
  const parts = { root, facts: factsBox, sections };
  input.addEventListener('input', () => {
    state.filter = input.value;
    if (state.view !== null) draw(parts, state.view);
  });
  return parts;
}

/** Builds (or refreshes) the controller page's content. */
export async function controllerPage(): Promise<HTMLElement> {
  if (!HAS_CONTROLLER) return notEnabled();
  let view: ControllerView;
  try {
    view = await json<ControllerView>('/controller');
  } catch (e) {
    if (statusOf(e) === 404) return notEnabled();
    throw e;
  }
  state.view = view;
  state.size = view.liveBrokers.length + view.groups.reduce((n, g) => n + g.replicas.length, 0);
  state.parts ??= build();
  draw(state.parts, view);
  return state.parts.root;
}
