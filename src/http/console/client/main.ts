/**
 * The operator console's entry: loads state over the JSON endpoints, follows
 * `/events?routes=1`, draws the overview cards, the graphs and the detail
 * pages. Rendering uses DOM text only: names are attacker-controlled.
 */
import { api, json, statusError } from './api.js';
import { renderBrokers, renderClusters, tick } from './brokers.js';
import { CONTROLLER_EVENTS, controllerEvent } from './controller-events.js';
import { controllerPollMillis } from './controller-page.js';
import { byId } from './dom.js';
import { resetGraphs, startGraphs } from './graphs.js';
import { loadKv, loadNamespace, renderKv } from './kv.js';
import { HAS_CONTROLLER, MAX_GONE, S, later, liveKey, serverNow } from './state.js';
import { follow } from './sse.js';
import { applyFilter, forgetRoutes, groupChanged, loadTopics, renderTopics, routeChanged } from './topics.js';
import type { BrokerEvent, ClusterInfo, LiveBroker } from './types.js';
import { currentView, refreshDetail, showView } from './views.js';

const REASON: Readonly<Record<string, string>> = { unregister: 'unregistered', expired: 'expired', channelDestroyed: 'offline (connection closed)' };
const BROKER_POLL_MS = 5_000;

async function loadHealth(): Promise<void> {
  try {
    const h = await json<{ version?: string }>('/health');
    byId('version').textContent = h.version ? `v${h.version}` : '';
  } catch {
    // The version is decoration.
  }
}

async function loadCluster(): Promise<void> {
  S.cluster = await json<ClusterInfo>('/cluster');
  renderClusters();
  renderBrokers();
}

async function loadBrokers(): Promise<void> {
  const res = await api('/brokers');
  if (!res.ok) throw statusError('/brokers', res.status);
  const now = Number(res.headers.get('X-Namesrv-Now'));
  const list = (await res.json()) as LiveBroker[];
  S.clock = { server: Number.isFinite(now) && now > 0 ? now : Date.now(), local: performance.now() };
  S.live = new Map();
  for (const b of list) {
    S.live.set(liveKey(b.clusterName, b.brokerAddr), b);
    S.gone.delete(liveKey(b.clusterName, b.brokerAddr));
  }
  renderClusters();
  renderBrokers();
}

async function loadAll(): Promise<void> {
  try {
    await Promise.all([loadHealth(), loadCluster(), loadBrokers(), loadTopics(), loadKv()]);
    S.loaded = true;
  } catch {
    // A refusal asked for a token; anything else is retried by the next event or poll.
  }
}

function brokerLeft(ev: BrokerEvent): void {
  const k = liveKey(ev.clusterName, ev.brokerAddr);
  const was = S.live.get(k);
  S.live.delete(k);
  S.gone.set(k, { info: was ?? ev, reason: REASON[ev.reason ?? ''] ?? String(ev.reason), at: serverNow() });
  if (S.gone.size > MAX_GONE) S.gone.delete(S.gone.keys().next().value as string);
  renderClusters();
  renderBrokers();
  // The topics it served change with it: refetch them now rather than wait for the route events.
  groupChanged(ev.brokerName);
  later('cluster', 30, () => void loadCluster().catch(() => undefined));
  later('topics', 30, () => void loadTopics().catch(() => undefined));
}

function detailConcerns(type: string, ev: { topic?: string; brokerAddr?: string }): boolean {
  const view = currentView();
  if (view.kind === 'topic') return type === 'topicRouteChanged' ? ev.topic === view.topic : type !== 'kvChanged';
  if (view.kind === 'broker') return type !== 'topicRouteChanged' && type !== 'kvChanged';
  if (view.kind === 'controller') return CONTROLLER_EVENTS.has(type) || type === 'brokerRegistered' || type === 'brokerUnregistered';
  return false;
}

function handle(type: string, data: string): void {
  let ev: BrokerEvent & { topic?: string; namespace?: string };
  try {
    ev = (data === '' ? {} : JSON.parse(data)) as typeof ev;
  } catch {
    return;
  }
  if (type === 'brokerRegistered') {
    S.gone.delete(liveKey(ev.clusterName, ev.brokerAddr));
    later('brokers', 50, () => {
      void loadBrokers().catch(() => undefined);
      void loadCluster().catch(() => undefined);
    });
  } else if (type === 'brokerUnregistered') {
    brokerLeft(ev);
  } else if (type === 'topicRouteChanged' && typeof ev.topic === 'string') {
    routeChanged(ev.topic);
    later('topics', 30, () => void loadTopics().catch(() => undefined));
  } else if (type === 'kvChanged' && typeof ev.namespace === 'string') {
    const ns = ev.namespace;
    later(`kv:${ns}`, 100, () => void loadNamespace(ns));
  } else if (CONTROLLER_EVENTS.has(type)) {
    controllerEvent(type, ev);
  } else if (type === 'reset') {
    forgetRoutes();
    resetGraphs();
    void loadAll();
  }
  if (detailConcerns(type, ev)) later('detail', 150, () => void refreshDetail());
}

/** Heartbeats make replicas alive again without an event: the controller page re-reads its view while shown. */
function pollController(): void {
  window.setTimeout(() => {
    if (S.loaded && currentView().kind === 'controller') void refreshDetail();
    pollController();
  }, controllerPollMillis());
}

function start(): void {
  const q = byId<HTMLInputElement>('q');
  q.addEventListener('input', () => {
    S.filter = q.value;
    applyFilter(true);
  });
  byId('topic-list').addEventListener('scroll', () => {
    if (!S.timers.has('scroll')) {
      S.timers.set('scroll', requestAnimationFrame(() => {
        S.timers.delete('scroll');
        renderTopics();
      }));
    }
  });
  window.addEventListener('resize', () => later('render-topics', 50, renderTopics));
  window.addEventListener('hashchange', showView);
  const reconnect = follow({ event: handle, connected: (resumed) => void (resumed ? undefined : loadAll()) });
  byId('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    S.token = byId<HTMLInputElement>('token').value;
    sessionStorage.setItem('namesrv-token', S.token);
    byId('token-form').hidden = true;
    if (S.waitingForToken) {
      S.waitingForToken = false;
      reconnect();
    } else void loadAll();
  });
  window.setInterval(tick, 1000);
  byId('controller-link').hidden = !HAS_CONTROLLER;
  pollController();
  window.setInterval(() => {
    if (!S.loaded) return;
    void loadBrokers().catch(() => undefined);
    if (currentView().kind === 'broker') void refreshDetail();
  }, BROKER_POLL_MS);
  renderKv();
  startGraphs();
  showView();
}

start();
