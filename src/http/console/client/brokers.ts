/** The clusters card, the broker groups table, and the header figures. */
import { byId, clear, el, link } from './dom.js';
import { ago, duration, fmt, own, ownValue, sorted } from './format.js';
import { brokerHref } from './links.js';
import { S, liveKey, serverNow, type Gone } from './state.js';
import type { LiveBroker } from './types.js';

/** A broker group of the cluster info. */
interface Group {
  readonly cluster: string;
  readonly name: string;
  readonly addrs: Readonly<Record<string, string>>;
}

/** One row of the broker table: a live address, or one that left. */
interface BrokerRow {
  readonly cluster: string;
  readonly group: string;
  readonly id: number;
  readonly addr: string;
  readonly live: LiveBroker | null;
  readonly gone: Gone | null;
}

/** Cells whose age text moves with the clock. */
interface Ticking {
  readonly cell: HTMLElement;
  readonly pill: HTMLElement | null;
  readonly at: number;
  readonly timeout: number;
  readonly prefix: string;
}

const ticking: Ticking[] = [];

/** The broker groups of the cluster info. */
export function groups(): Group[] {
  const t = S.cluster.brokerAddrTable;
  return own(t).flatMap((name) => {
    const g = ownValue(t, name);
    return g === undefined ? [] : [{ cluster: g.cluster, name, addrs: g.brokerAddrs ?? {} }];
  });
}

/** A header figure with its unit in the right number. */
export function stat(id: string, n: number, one: string, many: string): void {
  byId(id).textContent = fmt(n);
  byId(`${id}-unit`).textContent = n === 1 ? one : many;
}

/** The clusters card: groups and live addresses per cluster. */
export function renderClusters(): void {
  const body = byId('cluster-rows');
  clear(body);
  const table = S.cluster.clusterAddrTable;
  const names = sorted(own(table), (x) => x);
  const liveBy = new Map<string, number>();
  S.live.forEach((b) => liveBy.set(b.clusterName, (liveBy.get(b.clusterName) ?? 0) + 1));
  for (const c of names) {
    const tr = el('tr');
    tr.appendChild(el('td', 'mono', c));
    tr.appendChild(el('td', 'num', fmt((ownValue(table, c) ?? []).length)));
    tr.appendChild(el('td', 'num', fmt(liveBy.get(c) ?? 0)));
    body.appendChild(tr);
  }
  byId('cluster-count').textContent = fmt(names.length);
  byId('cluster-empty').hidden = names.length > 0;
  stat('stat-clusters', names.length, 'cluster', 'clusters');
  stat('stat-brokers', S.live.size, 'live broker', 'live brokers');
}

function brokerRows(): BrokerRow[] {
  const rows: BrokerRow[] = [];
  const seen = new Set<string>();
  for (const g of groups()) {
    for (const id of own(g.addrs)) {
      const addr = ownValue(g.addrs, id) ?? '';
      const k = liveKey(g.cluster, addr);
      seen.add(k);
      rows.push({ cluster: g.cluster, group: g.name, id: Number(id), addr, live: S.live.get(k) ?? null, gone: S.gone.get(k) ?? null });
    }
  }
  S.gone.forEach((gone, k) => {
    if (seen.has(k)) return;
    const i = gone.info;
    rows.push({ cluster: i.clusterName, group: i.brokerName, id: Number(i.brokerId), addr: i.brokerAddr, live: null, gone });
  });
  return rows.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1
    : a.group < b.group ? -1 : a.group > b.group ? 1 : a.id - b.id));
}

/** The status, heartbeat, data version and timeout cells of one row. */
function stateCells(tr: HTMLTableRowElement, r: BrokerRow): HTMLElement[] {
  const status = el('td', 'status');
  const pill = el('span', 'pill');
  const beat = el('td', 'num');
  const dv = el('td', 'num');
  const to = el('td', 'num');
  status.appendChild(pill);
  if (r.live !== null) {
    const b = r.live;
    pill.className = 'pill ok';
    pill.textContent = 'live';
    beat.title = new Date(b.lastUpdateTimestamp).toISOString();
    ticking.push({ cell: beat, pill, at: b.lastUpdateTimestamp, timeout: b.heartbeatTimeoutMillis, prefix: '' });
    const v = b.dataVersion;
    dv.textContent = fmt(v.counter);
    dv.title = `counter ${v.counter}${v.stateVersion ? `, state ${v.stateVersion}` : ''}, since ${new Date(v.timestamp).toISOString()}`;
    to.textContent = duration(b.heartbeatTimeoutMillis);
    if (b.zoneName !== null) tr.title = `zone ${b.zoneName}`;
  } else {
    tr.classList.add('gone');
    pill.className = 'pill bad';
    pill.textContent = r.gone === null ? 'offline' : r.gone.reason;
    if (r.gone !== null) ticking.push({ cell: beat, pill: null, at: r.gone.at, timeout: 0, prefix: 'left ' });
    else beat.textContent = 'no heartbeat';
    dv.textContent = '—';
    to.textContent = '—';
  }
  return [status, beat, dv, to];
}

/** The broker groups table: every address with its role in text, live or marked as gone. */
export function renderBrokers(): void {
  const body = byId('broker-rows');
  clear(body);
  ticking.length = 0;
  const rows = brokerRows();
  let prev: BrokerRow | null = null;
  for (const r of rows) {
    const first = prev === null || prev.cluster !== r.cluster || prev.group !== r.group;
    const tr = el('tr', first && prev !== null ? 'group-start' : '');
    prev = r;
    tr.appendChild(el('td', 'mono', first ? r.cluster : ''));
    tr.appendChild(el('td', 'mono', first ? r.group : ''));
    const role = r.id === 0 ? 'master' : 'slave';
    tr.appendChild(el('td', `role ${role}`, `${role} (id ${r.id})`));
    const addr = el('td', 'addr');
    addr.appendChild(link(brokerHref(r.cluster, r.addr), r.addr));
    tr.appendChild(addr);
    for (const c of stateCells(tr, r)) tr.appendChild(c);
    body.appendChild(tr);
  }
  const departed = rows.filter((r) => r.live === null).length;
  const known = groups().length;
  byId('broker-count').textContent = `${fmt(known)}${known === 1 ? ' group · ' : ' groups · '}${fmt(S.live.size)}`
    + `${S.live.size === 1 ? ' live address' : ' live addresses'}${departed > 0 ? ` · ${fmt(departed)} departed` : ''}`;
  byId('broker-empty').hidden = rows.length > 0;
  stat('stat-groups', known, 'broker group', 'broker groups');
  tick();
}

/** Moves the age cells with the clock; a live broker past its timeout is marked overdue in text. */
export function tick(): void {
  const now = serverNow();
  for (const t of ticking) {
    const age = now - t.at;
    t.cell.textContent = t.prefix + ago(age);
    if (t.pill !== null) {
      const late = age > t.timeout;
      t.pill.className = late ? 'pill warn' : 'pill ok';
      t.pill.textContent = late ? 'live (heartbeat overdue)' : 'live';
    }
  }
}
