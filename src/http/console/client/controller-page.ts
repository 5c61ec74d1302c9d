/**
 * The controller's page (`#/controller`): who leads, each broker group's
 * master, epochs, sync-state set and replicas (alive or not, in sync or
 * not), the brokers heartbeating, and the elections and inactive brokers
 * seen since the page opened. Read from `GET /controller`; `/events` brings
 * the controller's events, which redraw it at once.
 */
import { json, statusOf } from './api.js';
import { el, link, row, table } from './dom.js';
import { ago, clockTime, duration, fmt } from './format.js';
import { brokerHref } from './links.js';
import { HAS_CONTROLLER, serverNow } from './state.js';
import type { ControllerEventItem, ControllerGroup, ControllerLiveBroker, ControllerView } from './types.js';

/** Most controller events the page keeps. */
const MAX_EVENTS = 50;
const events: ControllerEventItem[] = [];

/** The controller's `/events` types. */
export const CONTROLLER_EVENTS: ReadonlySet<string> = new Set(['masterElected', 'syncStateSetChanged', 'brokerInactive']);

interface ControllerEventData {
  readonly clusterName?: string;
  readonly brokerName?: string;
  readonly brokerId?: number;
  readonly brokerAddr?: string;
  readonly reason?: string;
  readonly masterBrokerId?: number;
  readonly masterAddress?: string | null;
  readonly masterEpoch?: number;
  readonly syncStateSet?: readonly number[];
  readonly syncStateSetEpoch?: number;
  readonly trigger?: string;
}

function eventText(type: string, e: ControllerEventData): string {
  const group = `${e.brokerName ?? '?'}`;
  if (type === 'masterElected') {
    return `${group}: master elected, id ${e.masterBrokerId ?? '?'} ${e.masterAddress ?? '(no address)'}, epoch ${e.masterEpoch ?? '?'} (by ${e.trigger ?? '?'})`;
  }
  if (type === 'syncStateSetChanged') {
    return `${group}: sync-state set {${(e.syncStateSet ?? []).join(', ')}}, epoch ${e.syncStateSetEpoch ?? '?'}`;
  }
  const why = e.reason === 'channelClosed' ? 'connection closed' : e.reason === 'expired' ? 'heartbeats stopped' : e.reason ?? '?';
  return `${group}: broker ${e.brokerId ?? '?'} ${e.brokerAddr ?? ''} inactive (${why})`;
}

/** Keeps one controller event of `/events` for the page's list (newest first). */
export function controllerEvent(type: string, data: unknown): void {
  const e = (typeof data === 'object' && data !== null ? data : {}) as ControllerEventData;
  events.unshift({ type, at: serverNow(), text: eventText(type, e) });
  if (events.length > MAX_EVENTS) events.length = MAX_EVENTS;
}

function facts(pairs: ReadonlyArray<readonly [string, string]>): HTMLElement {
  const dl = el('dl', 'facts');
  for (const [k, v] of pairs) dl.append(el('dt', '', k), el('dd', '', v));
  return dl;
}

function section(title: string, ...content: Node[]): HTMLElement {
  const s = el('section', 'detail-section');
  s.append(el('h3', '', title), ...content);
  return s;
}

/** The master cell: id and address (a link to the broker's page), or that there is none. */
function masterCell(g: ControllerGroup): Node {
  if (g.masterBrokerId === null) return el('span', 'pill bad', 'no master');
  const cell = el('span', 'master', `id ${g.masterBrokerId} `);
  if (g.masterAddress !== null) cell.appendChild(link(brokerHref(g.clusterName, g.masterAddress), g.masterAddress, 'mono'));
  return cell;
}

/** Each replica: id, address, alive or inactive, in the sync-state set or not, in text. */
function replicasCell(g: ControllerGroup): Node {
  const cell = el('span', 'replicas');
  for (const r of g.replicas) {
    const item = el('span', `replica ${r.alive ? 'alive' : 'inactive'}`);
    item.dataset.id = String(r.brokerId);
    const role = r.brokerId === g.masterBrokerId ? 'master' : 'replica';
    item.append(el('b', '', `${r.brokerId}`), el('span', 'mono', ` ${r.brokerAddress} `));
    item.appendChild(el('span', `pill ${r.alive ? 'ok' : 'bad'}`, `${role}, ${r.alive ? 'alive' : 'inactive'}${r.inSync ? ', in sync' : ''}`));
    cell.appendChild(item);
  }
  return cell;
}

function groupsSection(view: ControllerView): HTMLElement {
  if (view.groups.length === 0) return section('Broker groups', el('p', 'muted', 'No broker group has registered with the controller yet.'));
  const rows = view.groups.map((g) => {
    const tr = row([
      g.clusterName, g.brokerName, masterCell(g), fmt(g.masterEpoch),
      `{${g.syncStateSet.join(', ')}} (epoch ${fmt(g.syncStateSetEpoch)})`, replicasCell(g),
      g.inactiveBrokerIds.length === 0 ? 'none' : g.inactiveBrokerIds.join(', '),
    ], 'ctl-group');
    tr.dataset.group = g.brokerName;
    return tr;
  });
  return section('Broker groups', table(['Cluster', 'Group', 'Master', 'Master epoch', 'Sync-state set', 'Replicas', 'Inactive'], rows,
    'detail-table controller-groups'));
}

function liveSection(live: readonly ControllerLiveBroker[]): HTMLElement {
  if (live.length === 0) return section('Brokers heartbeating', el('p', 'muted', 'None heartbeats to this instance.'));
  const now = serverNow();
  const rows = [...live].sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : a.brokerId - b.brokerId))
    .map((b) => row([
      b.clusterName, b.brokerName, String(b.brokerId), link(brokerHref(b.clusterName, b.brokerAddr), b.brokerAddr, 'mono'),
      `${ago(now - b.lastUpdateTimestamp)} (${clockTime(b.lastUpdateTimestamp)})`, duration(b.heartbeatTimeoutMillis),
      fmt(b.epoch), fmt(b.maxOffset), fmt(b.confirmOffset), String(b.electionPriority),
    ]));
  return section(`Brokers heartbeating (${fmt(live.length)})`, table(
    ['Cluster', 'Group', 'Id', 'Address', 'Last heartbeat', 'Timeout', 'Epoch', 'Max offset', 'Confirm offset', 'Election priority'], rows,
    'detail-table controller-live'));
}

function eventsSection(): HTMLElement {
  if (events.length === 0) return section('Controller events', el('p', 'muted', 'None since this page opened.'));
  const rows = events.map((e) => row([clockTime(e.at), e.text], `ctl-${e.type}`));
  return section('Controller events (newest first)', table(['Time', 'Event'], rows, 'detail-table timeline controller-events'));
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

/** Builds the controller page's content. */
export async function controllerPage(): Promise<HTMLElement> {
  if (!HAS_CONTROLLER) return notEnabled();
  let view: ControllerView;
  try {
    view = await json<ControllerView>('/controller');
  } catch (e) {
    if (statusOf(e) === 404) return notEnabled();
    throw e;
  }
  const page = el('div', 'detail-page controller');
  page.appendChild(el('h2', 'detail-title', 'Controller'));
  page.appendChild(facts([
    ['This instance', view.isLeader ? 'leader (answers brokers)' : 'follower (brokers go to the leader)'],
    ['Leader', leaderText(view)],
    ['Peers', peersText(view.peers)],
    ['Broker groups', fmt(view.groups.length)],
  ]));
  page.append(groupsSection(view), liveSection(view.liveBrokers), eventsSection());
  return page;
}
