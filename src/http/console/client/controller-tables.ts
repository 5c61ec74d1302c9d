/**
 * The controller page's tables: broker groups (master, epochs, sync-state
 * set, replicas), brokers heartbeating, and the controller's events. Each
 * shows at most {@link MAX_ROWS} rows: a fleet of thousands of groups stays
 * a page a browser redraws quickly (the filter finds the rest).
 */
import { el, link, row, table } from './dom.js';
import { ago, clockTime, duration, fmt } from './format.js';
import { brokerHref } from './links.js';
import { serverNow } from './state.js';
import type { ControllerEventItem, ControllerGroup, ControllerLiveBroker } from './types.js';

/** Most rows one table shows. */
export const MAX_ROWS = 300;

function section(title: string, ...content: Node[]): HTMLElement {
  const s = el('section', 'detail-section');
  s.append(el('h3', '', title), ...content);
  return s;
}

/** `(12)`, or `(300 of 2,000 shown)` when capped; with a filter, of those matching. */
function count(shown: number, total: number, filtered: boolean): string {
  const what = filtered ? ' matching' : '';
  return shown < total ? `(${fmt(shown)} of ${fmt(total)}${what} shown)` : `(${fmt(total)}${what})`;
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

/** Whether a group needs a look: no master, or a replica inactive. */
export function troubled(g: ControllerGroup): boolean {
  return g.masterBrokerId === null || g.inactiveBrokerIds.length > 0;
}

/** The groups, those without a master or with an inactive replica first (each part in the server's order, by name). */
export function groupsSection(groups: readonly ControllerGroup[], filtered: boolean): HTMLElement {
  if (groups.length === 0) {
    return section('Broker groups', el('p', 'muted', filtered ? 'No group matches the filter.' : 'No broker group has registered with the controller yet.'));
  }
  const ordered = [...groups.filter(troubled), ...groups.filter((g) => !troubled(g))].slice(0, MAX_ROWS);
  const rows = ordered.map((g) => {
    const tr = row([
      g.clusterName, g.brokerName, masterCell(g), fmt(g.masterEpoch),
      `{${g.syncStateSet.join(', ')}} (epoch ${fmt(g.syncStateSetEpoch)})`, replicasCell(g),
      g.inactiveBrokerIds.length === 0 ? 'none' : g.inactiveBrokerIds.join(', '),
    ], troubled(g) ? 'ctl-group troubled' : 'ctl-group');
    tr.dataset.group = g.brokerName;
    return tr;
  });
  return section(`Broker groups ${count(rows.length, groups.length, filtered)}`, table(
    ['Cluster', 'Group', 'Master', 'Master epoch', 'Sync-state set', 'Replicas', 'Inactive'], rows, 'detail-table controller-groups'));
}

/** The brokers heartbeating to this instance, by group and id. */
export function liveSection(live: readonly ControllerLiveBroker[], filtered: boolean): HTMLElement {
  if (live.length === 0) {
    return section('Brokers heartbeating', el('p', 'muted', filtered ? 'No heartbeating broker matches the filter.' : 'None heartbeats to this instance.'));
  }
  const now = serverNow();
  const sorted = [...live].sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : a.brokerId - b.brokerId));
  const rows = sorted.slice(0, MAX_ROWS).map((b) => row([
    b.clusterName, b.brokerName, String(b.brokerId), link(brokerHref(b.clusterName, b.brokerAddr), b.brokerAddr, 'mono'),
    `${ago(now - b.lastUpdateTimestamp)} (${clockTime(b.lastUpdateTimestamp)})`, duration(b.heartbeatTimeoutMillis),
    fmt(b.epoch), fmt(b.maxOffset), fmt(b.confirmOffset), String(b.electionPriority),
  ]));
  return section(`Brokers heartbeating ${count(rows.length, live.length, filtered)}`, table(
    ['Cluster', 'Group', 'Id', 'Address', 'Last heartbeat', 'Timeout', 'Epoch', 'Max offset', 'Confirm offset', 'Election priority'], rows,
    'detail-table controller-live'));
}

/** The controller's events seen since the page opened, newest first. */
export function eventsSection(events: readonly ControllerEventItem[]): HTMLElement {
  if (events.length === 0) return section('Controller events', el('p', 'muted', 'None since this page opened.'));
  const rows = events.map((e) => row([clockTime(e.at), e.text], `ctl-${e.type}`));
  return section('Controller events (newest first)', table(['Time', 'Event'], rows, 'detail-table timeline controller-events'));
}
