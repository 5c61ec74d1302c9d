/** A broker address's page: its state, data version, the topics of its group, and its timeline. */
import { json, seg } from './api.js';
import { el, link, row, table } from './dom.js';
import { ago, clockTime, duration, fmt } from './format.js';
import { topicHref } from './links.js';
import { S, liveKey, serverNow } from './state.js';
import type { BrokerTimeline, LiveBroker, TimelineEntry } from './types.js';

const REASON: Readonly<Record<string, string>> = { unregister: 'unregistered', expired: 'expired', channelDestroyed: 'connection closed' };

function entryText(e: TimelineEntry): string {
  switch (e.kind) {
    case 'registered': return `registered (group ${e.brokerName}, id ${e.brokerId})`;
    case 'heartbeats': return e.count === 1 ? 'heartbeat' : `${fmt(e.count)} heartbeats, the last at ${clockTime(e.until)}`;
    case 'updated': return `topic config changed (data version ${fmt(e.counter)})`;
    case 'refused': return `registration refused (id ${e.brokerId}): ${e.reason}`;
    case 'ignored': return `registration ignored (id ${e.brokerId}): ${e.reason}`;
    case 'left': return `left: ${Object.prototype.hasOwnProperty.call(REASON, e.reason) ? REASON[e.reason] : e.reason}`;
  }
}

function facts(pairs: ReadonlyArray<readonly [string, string | Node]>): HTMLElement {
  const dl = el('dl', 'facts');
  for (const [k, v] of pairs) {
    const dd = el('dd');
    if (typeof v === 'string') dd.textContent = v;
    else dd.appendChild(v);
    dl.append(el('dt', '', k), dd);
  }
  return dl;
}

function state(cluster: string, addr: string, live: LiveBroker | undefined): HTMLElement {
  if (live === undefined) {
    const gone = S.gone.get(liveKey(cluster, addr));
    return facts([['Cluster', cluster], ['Status', gone === undefined ? 'not live' : `${gone.reason}, ${ago(serverNow() - gone.at)}`]]);
  }
  const v = live.dataVersion;
  return facts([
    ['Cluster', live.clusterName],
    ['Group', live.brokerName],
    ['Role', `${live.brokerId === 0 ? 'master' : 'slave'} (id ${live.brokerId})`],
    ['Status', 'live'],
    ['Last heartbeat', `${ago(serverNow() - live.lastUpdateTimestamp)} (${clockTime(live.lastUpdateTimestamp)})`],
    ['Heartbeat timeout', duration(live.heartbeatTimeoutMillis)],
    ['Data version', `counter ${fmt(v.counter)}, since ${clockTime(v.timestamp)}${v.stateVersion ? `, state ${v.stateVersion}` : ''}`],
    ['HA server', live.haServerAddr ?? 'none sent'],
    ['Zone', live.zoneName ?? 'none sent'],
  ]);
}

async function topicsSection(brokerName: string | null): Promise<HTMLElement> {
  const s = el('section', 'detail-section');
  if (brokerName === null) {
    s.append(el('h3', '', 'Topics'), el('p', 'muted', 'Not live: its group is not known.'));
    return s;
  }
  try {
    const r = await json<{ total: number; topics: string[] }>(`/brokers/${seg(brokerName)}/topics`);
    s.appendChild(el('h3', '', `Topics of group ${brokerName} (${fmt(r.total)})`));
    const list = el('div', 'topic-links');
    for (const t of r.topics) list.appendChild(link(topicHref(t), t, 'mono'));
    if (r.total > r.topics.length) list.appendChild(el('span', 'muted', `… and ${fmt(r.total - r.topics.length)} more`));
    s.appendChild(list);
  } catch {
    s.append(el('h3', '', 'Topics'), el('p', 'muted', 'Its group has no route now.'));
  }
  return s;
}

async function timelineSection(cluster: string, addr: string): Promise<HTMLElement> {
  const s = el('section', 'detail-section');
  s.appendChild(el('h3', '', 'Timeline (newest first)'));
  try {
    const r = await json<{ timelines: BrokerTimeline[] }>(`/brokers/${seg(addr)}/timeline?cluster=${seg(cluster)}`);
    const entries = r.timelines.flatMap((t) => t.entries).slice().reverse();
    if (entries.length === 0) s.appendChild(el('p', 'muted', 'Nothing recorded since the console history started.'));
    else s.appendChild(table(['Time', 'Event'], entries.map((e) => row([clockTime(e.at), entryText(e)], `tl-${e.kind}`)), 'detail-table timeline'));
  } catch {
    s.appendChild(el('p', 'muted', 'Not recorded (console history is off).'));
  }
  return s;
}

/** Builds the broker page's content. */
export async function brokerPage(cluster: string, addr: string): Promise<HTMLElement> {
  const live = S.live.get(liveKey(cluster, addr));
  const page = el('div', 'detail-page');
  const head = el('h2', 'detail-title', 'Broker ');
  head.appendChild(el('span', 'mono name', addr));
  page.appendChild(head);
  page.appendChild(state(cluster, addr, live));
  const gone = S.gone.get(liveKey(cluster, addr));
  const [topics, timeline] = await Promise.all([
    topicsSection(live?.brokerName ?? gone?.info.brokerName ?? null),
    timelineSection(cluster, addr),
  ]);
  page.append(topics, timeline);
  return page;
}
