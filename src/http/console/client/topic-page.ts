/** A topic's page: its route (queue data per broker group), order config, static-topic mapping, and who asked for it recently. */
import { json, seg, statusOf } from './api.js';
import { el, link, row, table } from './dom.js';
import { clockTime, fmt, own, ownValue, permText } from './format.js';
import { brokerHref } from './links.js';
import { serverNow } from './state.js';
import { ago } from './format.js';
import type { Requester, TopicRouteData } from './types.js';

function section(title: string, ...content: Node[]): HTMLElement {
  const s = el('section', 'detail-section');
  s.appendChild(el('h3', '', title));
  s.append(...content);
  return s;
}

function addresses(route: TopicRouteData, brokerName: string): HTMLElement {
  const cell = el('span', 'addrs');
  const data = route.brokerDatas.find((b) => b.brokerName === brokerName);
  if (data === undefined) return el('span', 'muted', 'no live address');
  for (const id of own(data.brokerAddrs)) {
    const addr = ownValue(data.brokerAddrs, id) ?? '';
    const item = el('span', 'addr-item', `${id === '0' ? 'master' : `slave ${id}`} `);
    item.appendChild(link(brokerHref(data.cluster, addr), addr, 'mono'));
    cell.appendChild(item);
  }
  return cell;
}

function routeTable(route: TopicRouteData): HTMLElement {
  const clusters = new Map(route.brokerDatas.map((b) => [b.brokerName, b.cluster]));
  const rows = route.queueDatas.map((q) => row([
    q.brokerName, clusters.get(q.brokerName) ?? '—', fmt(q.readQueueNums), fmt(q.writeQueueNums), permText(q.perm),
    String(q.topicSysFlag), addresses(route, q.brokerName),
  ]));
  return table(['Broker group', 'Cluster', 'Read queues', 'Write queues', 'Permission', 'Sys flag', 'Addresses'], rows);
}

function mappingSection(route: TopicRouteData): HTMLElement {
  const mapping = route.topicQueueMappingByBroker;
  const brokers = own(mapping);
  if (brokers.length === 0) return section('Static topic mapping', el('p', 'muted', 'None: this is not a static topic.'));
  const rows = brokers.map((b) => row([b, el('code', 'json', JSON.stringify(ownValue(mapping, b)))]));
  return section('Static topic mapping', table(['Broker', 'Mapping'], rows));
}

function requestersSection(requesters: readonly Requester[] | null): HTMLElement {
  if (requesters === null) return section('Recently asked by', el('p', 'muted', 'Not recorded (console history is off).'));
  if (requesters.length === 0) {
    return section('Recently asked by', el('p', 'muted', 'Nobody asked for this route over HTTP since the server started.'));
  }
  const now = serverNow();
  const rows = requesters.map((r) => row([r.remoteAddress, r.via, fmt(r.count), `${ago(now - r.lastAt)} (${clockTime(r.lastAt)})`,
    r.found ? 'route' : 'no route']));
  return section('Recently asked by', table(['Remote address', 'Via', 'Requests', 'Last', 'Answer'], rows));
}

async function requestersOf(topic: string): Promise<Requester[] | null> {
  try {
    return (await json<{ requesters: Requester[] }>(`/topics/${seg(topic)}/requesters`)).requesters;
  } catch {
    return null;
  }
}

async function routeOf(topic: string): Promise<TopicRouteData | null> {
  try {
    return await json<TopicRouteData>(`/topics/${seg(topic)}/route`);
  } catch (e) {
    if (statusOf(e) === 404) return null;
    throw e;
  }
}

/** Builds the topic page's content. */
export async function topicPage(topic: string): Promise<HTMLElement> {
  const [route, requesters] = await Promise.all([routeOf(topic), requestersOf(topic)]);
  const page = el('div', 'detail-page');
  const head = el('h2', 'detail-title', 'Topic ');
  head.appendChild(el('span', 'mono name', topic));
  page.appendChild(head);
  if (route === null) {
    page.appendChild(el('p', 'empty', 'No route: no live broker serves this topic.'));
    page.appendChild(requestersSection(requesters));
    return page;
  }
  const read = route.queueDatas.reduce((n, q) => n + q.readQueueNums, 0);
  const write = route.queueDatas.reduce((n, q) => n + q.writeQueueNums, 0);
  page.appendChild(el('p', 'summary', `${fmt(route.queueDatas.length)} broker ${route.queueDatas.length === 1 ? 'group' : 'groups'}`
    + ` · ${fmt(read)} read / ${fmt(write)} write queues`));
  page.appendChild(section('Route: queue data per broker group', routeTable(route)));
  page.appendChild(section('Order config', el('p', route.orderTopicConf ? 'mono' : 'muted',
    route.orderTopicConf ? route.orderTopicConf : 'None (not an ordered topic, or orderMessageEnable is off).')));
  page.appendChild(mappingSection(route));
  const filters = own(route.filterServerTable);
  if (filters.length > 0) {
    page.appendChild(section('Filter servers', table(['Broker', 'Filter servers'],
      filters.map((b) => row([b, (ownValue(route.filterServerTable, b) ?? []).join(', ')])))));
  }
  page.appendChild(requestersSection(requesters));
  return page;
}
