/**
 * Model-based fuzzing of {@link RouteRegistry}: random operations, a fake
 * clock, and a small model of which broker addresses are live. Shared by
 * `test/fuzz.registry.test.ts`.
 */
import fc from 'fast-check';
import {
  InvalidRequestError, KvConfigStore, NAMESPACE_ORDER_TOPIC_CONFIG, RouteRegistry,
  type BrokerUnregisteredEvent, type QueueData, type RegisterBrokerRequest, type TopicConfig, type TopicRouteData,
} from '../../src/index.js';
import { FakeClock } from './registry.js';

/** Names that break code which indexes plain objects with user data. */
export const HOSTILE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;

export const CLUSTERS = ['c1', '__proto__', 'constructor'] as const;
export const BROKER_NAMES = ['broker-b', 'broker-a', '__proto__', 'toString', 'B', 'é'] as const;
export const ADDRS = ['10.0.0.1:10911', '10.0.0.2:10911', '__proto__', 'constructor', '10.0.0.3:10911'] as const;
export const TOPICS = ['T1', 'T2', '__proto__', 'constructor', 'toString', '%RETRY%g', 'valueOf'] as const;
export const DEFAULT_TIMEOUT = 1_000;

const CHANNELS = [{ id: 'ch0' }, { id: 'ch1' }, { id: 'ch2' }] as const;

/** In realistic mode an address always belongs to the same broker name and cluster, as real brokers do. */
export function nameOfAddr(addr: number): number {
  return addr % BROKER_NAMES.length;
}
export function clusterOfName(name: number): number {
  return name % CLUSTERS.length;
}

export interface TopicSpec {
  topic: number;
  queues: number;
  perm: number;
  sysFlag: number;
}

export type Op =
  | {
    kind: 'register';
    addr: number; name: number; cluster: number; id: number;
    topics: TopicSpec[]; counter: number; noWrapper: boolean; useMap: boolean;
    enableActingMaster: boolean | null; heartbeatTimeoutMillis: number | undefined; channel: number;
    filterServerList: readonly string[] | undefined; zoneName: string | undefined;
    /** Makes the request invalid in some way (see {@link corrupt}). */
    corruption: number;
  }
  | { kind: 'unregister'; batch: Array<{ addr: number; name: number; cluster: number; id: number }> }
  | { kind: 'deleteTopic'; topic: number; cluster: number | null }
  | { kind: 'registerTopic'; topic: number; queueDatas: Array<{ name: number; queues: number; perm: number }> }
  | { kind: 'wipe' | 'addPerm'; name: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'scan' }
  | { kind: 'channelDestroy'; channel: number }
  | { kind: 'heartbeat'; cluster: number; addr: number }
  | { kind: 'kvPut'; topic: number; value: string }
  | { kind: 'kvDelete'; topic: number };

const idx = (n: number): fc.Arbitrary<number> => fc.integer({ min: 0, max: n - 1 });

const topicSpec: fc.Arbitrary<TopicSpec> = fc.record({
  topic: idx(TOPICS.length),
  queues: fc.integer({ min: 0, max: 3 }),
  perm: fc.constantFrom(2, 4, 6, 6, 6, 7, 14),
  sysFlag: fc.integer({ min: 0, max: 3 }),
});

/** Operations; `realistic` ties names and clusters to addresses. */
export function opArb(realistic: boolean): fc.Arbitrary<Op> {
  const who = fc.record({ addr: idx(ADDRS.length), name: idx(BROKER_NAMES.length), cluster: idx(CLUSTERS.length), id: idx(3) })
    .map((w) => (realistic ? { ...w, name: nameOfAddr(w.addr), cluster: clusterOfName(nameOfAddr(w.addr)) } : w));
  const register = fc.record({
    who,
    topics: fc.uniqueArray(topicSpec, { maxLength: 4, selector: (t) => t.topic }),
    counter: fc.integer({ min: 0, max: 3 }),
    noWrapper: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    useMap: fc.boolean(),
    enableActingMaster: fc.constantFrom(null, true, false),
    heartbeatTimeoutMillis: fc.constantFrom(undefined, undefined, 500, 2_000),
    channel: fc.integer({ min: -1, max: CHANNELS.length - 1 }),
    filterServerList: fc.constantFrom(undefined, [], ['f1:1'], ['f1:1', 'f2:1']),
    zoneName: fc.constantFrom(undefined, 'z1'),
    corruption: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: CORRUPTIONS }) }),
  }).map(({ who: w, ...rest }): Op => ({ kind: 'register', ...w, ...rest }));
  return fc.oneof(
    { weight: 8, arbitrary: register },
    { weight: 2, arbitrary: fc.array(who, { minLength: 1, maxLength: 3 }).map((batch): Op => ({ kind: 'unregister', batch })) },
    { weight: 1, arbitrary: fc.record({ topic: idx(TOPICS.length), cluster: fc.option(idx(CLUSTERS.length)) })
      .map((o): Op => ({ kind: 'deleteTopic', ...o })) },
    { weight: 1, arbitrary: fc.record({
      topic: idx(TOPICS.length),
      queueDatas: fc.array(fc.record({ name: idx(BROKER_NAMES.length), queues: fc.integer({ min: 1, max: 3 }), perm: fc.constantFrom(4, 6) }),
        { maxLength: 2 }),
    }).map((o): Op => ({ kind: 'registerTopic', ...o })) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('wipe' as const, 'addPerm' as const), name: idx(BROKER_NAMES.length) }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 1_500 }).map((ms): Op => ({ kind: 'advance', ms })) },
    { weight: 2, arbitrary: fc.constant<Op>({ kind: 'scan' }) },
    { weight: 1, arbitrary: idx(CHANNELS.length).map((channel): Op => ({ kind: 'channelDestroy', channel })) },
    { weight: 1, arbitrary: who.map((w): Op => ({ kind: 'heartbeat', cluster: w.cluster, addr: w.addr })) },
    { weight: 1, arbitrary: fc.record({ topic: idx(TOPICS.length), value: fc.constantFrom('o1', 'o2') })
      .map((o): Op => ({ kind: 'kvPut', ...o })) },
    { weight: 1, arbitrary: idx(TOPICS.length).map((topic): Op => ({ kind: 'kvDelete', topic })) },
  );
}

const CORRUPTIONS = 9;

/** Makes one field of a registration invalid. Header-level corruptions (1–5) must always be refused. */
function corrupt(req: Record<string, unknown>, which: number): void {
  const wrapper = req['topicConfigWrapper'] as { topicConfigTable: unknown; dataVersion: unknown } | undefined;
  switch (which) {
    case 1: req['brokerId'] = -1; break;
    case 2: req['brokerId'] = 1.5; break;
    case 3: req['clusterName'] = 7; break;
    case 4: req['filterServerList'] = [1]; break;
    case 5: req['heartbeatTimeoutMillis'] = -5; break;
    // Table-level: refused when the table is applied, ignored on an unchanged heartbeat.
    case 6: if (wrapper) wrapper.topicConfigTable = [1, 2]; else req['brokerName'] = null; break;
    case 7: if (wrapper) wrapper.dataVersion = { timestamp: 'x', counter: 1 }; else req['brokerAddr'] = {}; break;
    case 8: addBadTopic(wrapper, { topicName: 'bad', perm: 16 }, req); break;
    default: addBadTopic(wrapper, { topicName: 'bad', readQueueNums: -1 }, req); break;
  }
}

function addBadTopic(wrapper: { topicConfigTable: unknown } | undefined, config: object, req: Record<string, unknown>): void {
  if (wrapper === undefined) {
    req['brokerId'] = '0';
    return;
  }
  const table = wrapper.topicConfigTable;
  if (table instanceof Map) table.set('bad', config);
  else Object.defineProperty(table, 'bad', { value: config, enumerable: true, writable: true, configurable: true });
}

/** Whether a corruption makes the request invalid whatever the registry's state. */
export function alwaysRefused(corruption: number): boolean {
  return corruption >= 1 && corruption <= 5;
}

function buildRegistration(op: Extract<Op, { kind: 'register' }>): RegisterBrokerRequest {
  const configs: TopicConfig[] = op.topics.map((t) => ({
    topicName: TOPICS[t.topic] as string, readQueueNums: t.queues, writeQueueNums: t.queues, perm: t.perm, topicSysFlag: t.sysFlag,
  }));
  const entries = configs.map((c) => [c.topicName, c] as const);
  let table: Record<string, TopicConfig> | Map<string, TopicConfig>;
  if (op.useMap) {
    table = new Map(entries);
  } else {
    table = {};
    // defineProperty: a topic named __proto__ must be an own entry, as JSON.parse makes it.
    for (const [k, v] of entries) Object.defineProperty(table, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  const req: Record<string, unknown> = {
    clusterName: CLUSTERS[op.cluster], brokerAddr: ADDRS[op.addr], brokerName: BROKER_NAMES[op.name], brokerId: op.id,
    haServerAddr: `${ADDRS[op.addr]}-ha`, enableActingMaster: op.enableActingMaster,
  };
  if (!op.noWrapper) {
    req['topicConfigWrapper'] = { topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: 1_000, counter: op.counter } };
  }
  if (op.heartbeatTimeoutMillis !== undefined) req['heartbeatTimeoutMillis'] = op.heartbeatTimeoutMillis;
  if (op.channel >= 0) req['channel'] = CHANNELS[op.channel];
  if (op.filterServerList !== undefined) req['filterServerList'] = [...op.filterServerList];
  if (op.zoneName !== undefined) req['zoneName'] = op.zoneName;
  if (op.corruption > 0) corrupt(req, op.corruption);
  return req as unknown as RegisterBrokerRequest;
}

interface LiveModel {
  last: number;
  timeout: number;
  /** Every connection the address registered on and that is still open: it stays live while one is left. */
  channels: Set<object>;
}

const key = (cluster: string, addr: string): string => JSON.stringify([cluster, addr]);

/** Everything observable through queries, as JSON, for "nothing changed" checks. */
export function observableState(registry: RouteRegistry): string {
  const routes: Array<[string, TopicRouteData | null]> = [];
  const topics = new Set<string>([...TOPICS, ...registry.getAllTopicList()]);
  for (const t of [...topics].sort()) routes.push([t, registry.getRouteInfoByTopic(t)]);
  const versions: unknown[] = [];
  for (const c of CLUSTERS) for (const a of ADDRS) versions.push(registry.queryBrokerTopicConfig(c, a));
  return JSON.stringify({
    cluster: registry.getAllClusterInfo(), topics: registry.getAllTopicList().sort(), routes, versions,
    live: registry.liveBrokerCount, topicCount: registry.topicCount, system: registry.getSystemTopicList(),
    unit: [registry.getUnitTopics(), registry.getHasUnitSubTopicList(), registry.getHasUnitSubUnUnitTopicList()],
    byCluster: CLUSTERS.map((c) => registry.getTopicsByCluster(c).sort()),
  });
}

export interface RunOptions {
  realistic: boolean;
  supportActingMaster: boolean;
  deleteTopicWithBrokerRegistration: boolean;
  orderMessageEnable: boolean;
}

/**
 * Runs `ops` against a fresh registry, checking every invariant after each
 * one; throws (an assertion error) on the first violation.
 */
export function runOps(ops: readonly Op[], options: RunOptions): void {
  const clock = new FakeClock();
  const kv = new KvConfigStore();
  const registry = new RouteRegistry({
    now: clock.now, brokerChannelExpiredMillis: DEFAULT_TIMEOUT, supportActingMaster: options.supportActingMaster,
    deleteTopicWithBrokerRegistration: options.deleteTopicWithBrokerRegistration,
    orderMessageEnable: options.orderMessageEnable, kvConfig: kv,
  });
  const model = new Map<string, LiveModel>();
  /** Filter servers per cluster + address, as RocketMQ's filterServerTable. */
  const filterServers = new Map<string, readonly string[]>();
  let eventCount = 0;
  const registered: string[] = [];
  const unregistered: BrokerUnregisteredEvent[] = [];
  const changed: string[] = [];
  registry.on('brokerRegistered', (e) => {
    eventCount++;
    registered.push(key(e.clusterName, e.brokerAddr));
  });
  registry.on('brokerUnregistered', (e) => {
    eventCount--;
    unregistered.push(e);
  });
  registry.on('topicRouteChanged', (e) => changed.push(e.topic));
  const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort().join();

  let before = routeJsons(registry);
  for (const [step, op] of ops.entries()) {
    const where = `step ${step} ${JSON.stringify(op)}`;
    registered.length = 0;
    unregistered.length = 0;
    changed.length = 0;
    const liveBefore = new Set(model.keys());
    let expectedReason: BrokerUnregisteredEvent['reason'] | null = null;

    switch (op.kind) {
      case 'register': {
        const req = buildRegistration(op);
        const state = observableState(registry);
        let result: ReturnType<RouteRegistry['registerBroker']> | undefined;
        try {
          result = registry.registerBroker(req);
        } catch (err) {
          if (!(err instanceof InvalidRequestError)) throw new Error(`${where}: threw a non-InvalidRequestError`, { cause: err });
          if (op.corruption === 0) throw new Error(`${where}: refused a valid registration`, { cause: err });
          if (observableState(registry) !== state) throw new Error(`${where}: a refused registration changed the registry`);
          if (registered.length + unregistered.length + changed.length > 0) throw new Error(`${where}: a refused registration emitted events`);
          break;
        }
        if (alwaysRefused(op.corruption)) throw new Error(`${where}: accepted an invalid registration`);
        if (result !== null) {
          const k = key(req.clusterName, req.brokerAddr);
          const m = model.get(k) ?? { last: 0, timeout: 0, channels: new Set<object>() };
          m.last = clock.time;
          m.timeout = op.heartbeatTimeoutMillis ?? DEFAULT_TIMEOUT;
          if (op.channel >= 0) m.channels.add(CHANNELS[op.channel] as object);
          model.set(k, m);
          if (op.filterServerList !== undefined) {
            if (op.filterServerList.length === 0) filterServers.delete(k);
            else filterServers.set(k, op.filterServerList);
          }
          if (op.corruption === 0) checkTopicsApplied(registry, op, where);
        }
        break;
      }
      case 'unregister': {
        const batch = op.batch.map((w) => ({
          clusterName: CLUSTERS[w.cluster] as string, brokerAddr: ADDRS[w.addr] as string, brokerName: BROKER_NAMES[w.name] as string, brokerId: w.id,
        }));
        if (batch.length === 1) registry.unregisterBroker(batch[0] as (typeof batch)[number]);
        else registry.unregisterBrokers(batch);
        for (const r of batch) {
          model.delete(key(r.clusterName, r.brokerAddr));
          filterServers.delete(key(r.clusterName, r.brokerAddr));
        }
        expectedReason = 'unregister';
        break;
      }
      case 'deleteTopic':
        registry.deleteTopic(TOPICS[op.topic] as string, op.cluster === null ? undefined : CLUSTERS[op.cluster]);
        break;
      case 'registerTopic': {
        const queueDatas: QueueData[] = op.queueDatas.map((q) => ({
          brokerName: BROKER_NAMES[q.name] as string, readQueueNums: q.queues, writeQueueNums: q.queues, perm: q.perm, topicSysFlag: 0,
        }));
        registry.registerTopic(TOPICS[op.topic] as string, queueDatas);
        break;
      }
      case 'wipe':
        registry.wipeWritePermOfBroker(BROKER_NAMES[op.name] as string);
        break;
      case 'addPerm':
        registry.addWritePermOfBroker(BROKER_NAMES[op.name] as string);
        break;
      case 'advance':
        clock.advance(op.ms);
        break;
      case 'scan': {
        let expected = 0;
        for (const [k, m] of model) {
          if (m.last + m.timeout < clock.time) {
            model.delete(k);
            filterServers.delete(k);
            expected++;
          }
        }
        const n = registry.scanNotActiveBroker();
        if (n !== expected) throw new Error(`${where}: scan removed ${n}, expected ${expected}`);
        expectedReason = 'expired';
        break;
      }
      case 'channelDestroy': {
        const channel = CHANNELS[op.channel];
        registry.onChannelDestroy(channel);
        // Dropped only when no connection it registered on is left open (fencing).
        for (const [k, m] of model) {
          if (!m.channels.delete(channel as object) || m.channels.size > 0) continue;
          model.delete(k);
          filterServers.delete(k);
        }
        expectedReason = 'channelDestroyed';
        break;
      }
      case 'heartbeat': {
        const clusterName = CLUSTERS[op.cluster] as string;
        const brokerAddr = ADDRS[op.addr] as string;
        registry.updateBrokerInfoUpdateTimestamp(clusterName, brokerAddr);
        const m = model.get(key(clusterName, brokerAddr));
        if (m !== undefined) m.last = clock.time;
        break;
      }
      case 'kvPut':
        kv.put(NAMESPACE_ORDER_TOPIC_CONFIG, TOPICS[op.topic] as string, op.value);
        break;
      case 'kvDelete':
        kv.delete(NAMESPACE_ORDER_TOPIC_CONFIG, TOPICS[op.topic] as string);
        break;
    }

    // Liveness: count, events and the model agree.
    if (registry.liveBrokerCount !== model.size) {
      throw new Error(`${where}: liveBrokerCount ${registry.liveBrokerCount}, model ${model.size}`);
    }
    if (eventCount !== model.size) throw new Error(`${where}: events say ${eventCount} live, model ${model.size}`);
    for (const k of registered) {
      if (liveBefore.has(k) || !model.has(k)) throw new Error(`${where}: brokerRegistered for ${k}, which did not become live`);
    }
    for (const e of unregistered) {
      const k = key(e.clusterName, e.brokerAddr);
      if (!liveBefore.has(k) || model.has(k)) throw new Error(`${where}: brokerUnregistered for ${k}, which did not stop being live`);
      if (expectedReason !== null && e.reason !== expectedReason) throw new Error(`${where}: reason ${e.reason}, expected ${expectedReason}`);
    }
    for (const [c, a] of CLUSTERS.flatMap((c) => ADDRS.map((a) => [c, a] as const))) {
      const live = registry.queryBrokerTopicConfig(c, a) !== null;
      if (live !== model.has(key(c, a))) throw new Error(`${where}: ${c}/${a} live=${live}, model says ${!live}`);
    }

    // topicRouteChanged fires exactly for the topics whose route changed, once each.
    const after = routeJsons(registry);
    const differs = new Set<string>();
    for (const t of new Set([...before.keys(), ...after.keys()])) {
      if ((before.get(t) ?? 'null') !== (after.get(t) ?? 'null')) differs.add(t);
    }
    const emitted = new Set(changed);
    if (emitted.size !== changed.length) throw new Error(`${where}: topicRouteChanged fired twice for a topic: ${JSON.stringify(changed)}`);
    const missing = [...differs].filter((t) => !emitted.has(t));
    const spurious = [...emitted].filter((t) => !differs.has(t));
    if (missing.length > 0 || spurious.length > 0) {
      throw new Error(`${where}: topicRouteChanged missing ${JSON.stringify(missing)}, spurious ${JSON.stringify(spurious)}`);
    }
    before = after;

    checkStructure(registry, where, options);
    checkFilterServers(registry, filterServers, where);
    // RocketMQ's onChannelDestroy: an address that stopped being live leaves every group of its cluster.
    if (op.kind === 'scan' || op.kind === 'channelDestroy') {
      const info = registry.getAllClusterInfo();
      for (const k of liveBefore) {
        if (model.has(k)) continue;
        const [cluster, addr] = JSON.parse(k) as [string, string];
        for (const [name, group] of Object.entries(info.brokerAddrTable)) {
          if (group.cluster === cluster && Object.values(group.brokerAddrs).includes(addr)) {
            throw new Error(`${where}: ${addr} stopped being live in ${cluster} but group ${name} still lists it`);
          }
        }
      }
    }
    if (Object.getOwnPropertyNames(Object.prototype).sort().join() !== protoKeys) throw new Error(`${where}: Object.prototype changed`);
    if (({} as Record<string, unknown>)['polluted'] !== undefined) throw new Error(`${where}: prototype polluted`);
  }
}

/**
 * RocketMQ's rule for a registration applied by a master or the prime slave,
 * whatever its data version: every topic of its table is routed to its group
 * afterwards (`isTopicConfigChanged` adds what is missing), whether the table
 * came as a plain object or a `Map`.
 */
function checkTopicsApplied(registry: RouteRegistry, op: Extract<Op, { kind: 'register' }>, where: string): void {
  if (op.noWrapper) return;
  const brokerName = BROKER_NAMES[op.name] as string;
  const ids = Object.keys(registry.getBrokerMemberGroup(CLUSTERS[op.cluster] as string, brokerName).brokerAddrs).map(Number);
  const applies = op.id === 0 || (op.enableActingMaster !== null && Math.min(...ids) === op.id);
  if (!applies) return;
  for (const t of op.topics) {
    const topic = TOPICS[t.topic] as string;
    const route = registry.getRouteInfoByTopic(topic);
    if (route?.queueDatas.some((q) => q.brokerName === brokerName) !== true) {
      throw new Error(`${where}: ${topic} is in the applied table of ${brokerName} but not routed to it`);
    }
  }
}

/** Each route lists the filter servers of every address of its groups (RocketMQ's pickupTopicRouteData). */
function checkFilterServers(registry: RouteRegistry, filterServers: ReadonlyMap<string, readonly string[]>, where: string): void {
  const info = registry.getAllClusterInfo();
  for (const topic of registry.getAllTopicList()) {
    const route = registry.getRouteInfoByTopic(topic);
    if (route === null) continue;
    const expected = new Map<string, readonly string[]>();
    for (const bd of route.brokerDatas) {
      const group = info.brokerAddrTable[bd.brokerName];
      if (group === undefined || !Object.hasOwn(info.brokerAddrTable, bd.brokerName)) continue;
      for (const addr of Object.values(group.brokerAddrs)) {
        const list = filterServers.get(key(group.cluster, addr));
        if (list !== undefined) expected.set(addr, list);
      }
    }
    const actual = JSON.stringify(Object.entries(route.filterServerTable).sort());
    const want = JSON.stringify([...expected].sort());
    if (actual !== want) throw new Error(`${where}: filter servers of ${topic}: ${actual}, expected ${want}`);
  }
}

function routeJsons(registry: RouteRegistry): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of new Set<string>([...TOPICS, ...registry.getAllTopicList()])) out.set(t, JSON.stringify(registry.getRouteInfoByTopic(t)));
  return out;
}

function checkStructure(registry: RouteRegistry, where: string, options: RunOptions): void {
  const info = registry.getAllClusterInfo();
  if (Object.getPrototypeOf(info.brokerAddrTable) !== Object.prototype) throw new Error(`${where}: brokerAddrTable lost its prototype`);
  if (Object.getPrototypeOf(info.clusterAddrTable) !== Object.prototype) throw new Error(`${where}: clusterAddrTable lost its prototype`);
  const groups = new Set(Object.keys(info.brokerAddrTable));
  for (const [cluster, names] of Object.entries(info.clusterAddrTable)) {
    for (const name of names) if (!groups.has(name)) throw new Error(`${where}: cluster ${cluster} lists unknown group ${name}`);
  }
  const topicList = registry.getAllTopicList();
  if (new Set(topicList).size !== topicList.length) throw new Error(`${where}: duplicate topics in ${JSON.stringify(topicList)}`);
  if (registry.topicCount !== topicList.length) throw new Error(`${where}: topicCount ${registry.topicCount} vs ${topicList.length}`);
  for (const topic of new Set<string>([...TOPICS, ...topicList])) {
    const route = registry.getRouteInfoByTopic(topic);
    if (route === null) {
      if (topicList.includes(topic)) throw new Error(`${where}: ${topic} is listed but has no route`);
      continue;
    }
    if (!topicList.includes(topic)) throw new Error(`${where}: ${topic} has a route but is not listed`);
    if (!Object.isFrozen(route) || !Object.isFrozen(route.queueDatas) || !Object.isFrozen(route.brokerDatas)) {
      throw new Error(`${where}: route of ${topic} is not frozen`);
    }
    const qNames = route.queueDatas.map((q) => q.brokerName);
    const bNames = route.brokerDatas.map((b) => b.brokerName);
    if (!strictlySorted(qNames)) throw new Error(`${where}: queueDatas of ${topic} not sorted: ${JSON.stringify(qNames)}`);
    if (!strictlySorted(bNames)) throw new Error(`${where}: brokerDatas of ${topic} not sorted: ${JSON.stringify(bNames)}`);
    if (qNames.length === 0) throw new Error(`${where}: route of ${topic} has no queues`);
    if (JSON.stringify(qNames) !== JSON.stringify(bNames)) {
      throw new Error(`${where}: route of ${topic} has queues of ${JSON.stringify(qNames)} but brokers ${JSON.stringify(bNames)}`);
    }
    for (const bd of route.brokerDatas) {
      const group = Object.hasOwn(info.brokerAddrTable, bd.brokerName) ? info.brokerAddrTable[bd.brokerName] : undefined;
      if (group === undefined) throw new Error(`${where}: route of ${topic} lists unregistered group ${bd.brokerName}`);
      if (bd.cluster !== group.cluster) throw new Error(`${where}: route of ${topic} shows ${bd.brokerName} in another cluster`);
      if (!options.supportActingMaster && JSON.stringify(bd.brokerAddrs) !== JSON.stringify(group.brokerAddrs)) {
        throw new Error(`${where}: route of ${topic} shows stale addresses of ${bd.brokerName}`);
      }
    }
  }
  if (options.realistic) {
    // Every address a group lists is live: what clients are sent to is what the name server believes alive.
    for (const [name, group] of Object.entries(info.brokerAddrTable)) {
      for (const addr of Object.values(group.brokerAddrs)) {
        if (registry.queryBrokerTopicConfig(group.cluster, addr) === null) {
          throw new Error(`${where}: group ${name} lists ${addr}, which is not live`);
        }
      }
    }
  }
}

function strictlySorted(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (!((names[i - 1] as string) < (names[i] as string))) return false;
  return true;
}
