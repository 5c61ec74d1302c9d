// The registry workloads of shared/BENCH.md (W1–W5), on the built package.
import { RouteRegistry, sealTopicTable } from '../dist/index.js';

const CLUSTER = 'DefaultCluster';

/** TopicConfig of BENCH.md: 8 read / 8 write queues, perm 6, sysFlag 0. */
export function topicConfig(topicName) {
  return { topicName, readQueueNums: 8, writeQueueNums: 8, perm: 6, topicSysFlag: 0 };
}

/** Topic t sits on brokers t%100, (t+25)%100, (t+50)%100, (t+75)%100. */
export function brokerTables(n) {
  const tables = Array.from({ length: 100 }, () => new Map());
  for (let t = 0; t < n; t++) {
    const name = `topic-${t}`;
    for (const b of [t % 100, (t + 25) % 100, (t + 50) % 100, (t + 75) % 100]) tables[b].set(name, topicConfig(name));
  }
  return tables;
}

/** Topology T(n): 100 brokers, master then slave, data version counter 1. */
export function buildT(n, registry = new RouteRegistry()) {
  const tables = brokerTables(n);
  for (let b = 0; b < 100; b++) {
    for (const id of [0, 1]) {
      registry.registerBroker({
        clusterName: CLUSTER, brokerName: `broker-${b}`, brokerId: id, brokerAddr: `10.0.${b}.${id + 1}:10911`,
        haServerAddr: `10.0.${b}.${id + 1}:10912`,
        topicConfigWrapper: { topicConfigTable: tables[b], dataVersion: { stateVersion: 0, timestamp: 1, counter: 1 } },
      });
    }
  }
  return registry;
}

function hr() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs `round` (returning a figure) after warm-up rounds; returns all figures. */
export function rounds(round, { warmup = 2, count = 7 } = {}) {
  for (let i = 0; i < warmup; i++) round();
  const figures = [];
  for (let i = 0; i < count; i++) figures.push(round());
  return figures;
}

/** Mean microseconds per call of `fn` over `iterations` calls. */
export function microsPerOp(iterations, fn) {
  const start = hr();
  for (let i = 0; i < iterations; i++) fn(i);
  return ((hr() - start) * 1000) / iterations;
}

export function w1() {
  const registry = buildT(10_000);
  const topics = Array.from({ length: 10_000 }, (_, t) => `topic-${t}`);
  // A fixed pseudo-random sequence of existing topics.
  const order = new Uint16Array(1 << 16);
  let seed = 42;
  for (let i = 0; i < order.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    order[i] = seed % 10_000;
  }
  let check = 0;
  const figures = rounds(() => {
    const n = 2_000_000;
    const start = hr();
    for (let i = 0; i < n; i++) {
      const route = registry.getRouteInfoByTopic(topics[order[i & 0xffff]]);
      check += route.queueDatas.length;
    }
    return n / ((hr() - start) / 1000) / 1e6;
  });
  if (check === 0) throw new Error('W1 returned empty routes');
  return figures;
}

/**
 * One master holding topic-0..9999, a new data version each call. The table
 * is a Map (the fast path), or with `asObject` a plain object as JSON gives.
 */
export function w2(onTopology, asObject = false) {
  const registry = onTopology ? buildT(10_000) : new RouteRegistry();
  const map = new Map();
  for (let t = 0; t < 10_000; t++) map.set(`topic-${t}`, topicConfig(`topic-${t}`));
  const table = asObject ? Object.fromEntries(map) : map;
  let counter = 1;
  const register = () => registry.registerBroker({
    clusterName: CLUSTER, brokerName: 'broker-w2', brokerId: 0, brokerAddr: '10.1.0.1:10911',
    topicConfigWrapper: { topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: 1, counter: counter++ } },
  });
  register();
  return rounds(() => microsPerOp(200, register));
}

/**
 * The same broker re-registering with an equal data version. By default its
 * table is the one sealed instance a decode pool hands back while the
 * broker's table bytes stay the same (O(1) once applied); with `walked`, an
 * unsealed Map (equal content, which the registry cannot know without
 * looking), walked as RocketMQ walks it, adding every topic the group lacks.
 */
export function w3(topicCount, walked = false) {
  const registry = new RouteRegistry();
  const entries = [];
  for (let t = 0; t < topicCount; t++) entries.push([`topic-${t}`, topicConfig(`topic-${t}`)]);
  const table = walked ? new Map(entries) : sealTopicTable(new Map(entries));
  const register = () => registry.registerBroker({
    clusterName: CLUSTER, brokerName: 'broker-w3', brokerId: 0, brokerAddr: '10.1.0.1:10911',
    topicConfigWrapper: { topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: 1, counter: 7 } },
  });
  register();
  // RocketMQ's semantics hold: a topic deleted on the name server comes back with the next heartbeat.
  registry.deleteTopic('topic-0');
  register();
  if (registry.getRouteInfoByTopic('topic-0') === null) throw new Error('W3: heartbeat did not re-add a deleted topic');
  return rounds(() => microsPerOp(walked ? 500 : 100_000, register));
}

function liveBrokers(count, clock, expiredCount = 0) {
  const registry = new RouteRegistry({ now: () => clock.now });
  const start = clock.now;
  for (let b = 0; b < count; b++) {
    // The first `expiredCount` brokers registered long ago and fell silent.
    clock.now = b < expiredCount ? start - 200_000 : start;
    const table = new Map();
    for (let t = 0; t < 10; t++) table.set(`b${b}-topic-${t}`, topicConfig(`b${b}-topic-${t}`));
    registry.registerBroker({
      clusterName: CLUSTER, brokerName: `broker-${b}`, brokerId: 0, brokerAddr: `10.${b >> 16}.${(b >> 8) & 255}.${b & 255}:10911`,
      topicConfigWrapper: { topicConfigTable: table, dataVersion: { stateVersion: 0, timestamp: 1, counter: 1 } },
    });
  }
  clock.now = start;
  return registry;
}

/** Scans over `brokers` live master-only brokers, none expired. */
export function w4a(brokers) {
  const clock = { now: 1_700_000_000_000 };
  const registry = liveBrokers(brokers, clock);
  return rounds(() => {
    const us = microsPerOp(100_000, () => registry.scanNotActiveBroker());
    if (registry.liveBrokerCount !== brokers) throw new Error('W4a removed a live broker');
    return us;
  });
}

/** 1 000 brokers, 100 expired: scan + removal, in milliseconds. */
export function w4b() {
  const clock = { now: 1_700_000_000_000 };
  return rounds(() => {
    const registry = liveBrokers(1000, clock, 100);
    const start = hr();
    const removed = registry.scanNotActiveBroker();
    const ms = hr() - start;
    if (removed !== 100 || registry.liveBrokerCount !== 900) throw new Error(`W4b removed ${removed}`);
    return ms;
  });
}

/** Retained heap after building T(n), after GC, in MiB; with `lookUpAll`, every route cached too. */
export function w5(n, lookUpAll = false) {
  if (typeof globalThis.gc !== 'function') throw new Error('W5 needs node --expose-gc');
  const gc = () => {
    for (let i = 0; i < 4; i++) globalThis.gc();
  };
  return rounds(() => {
    gc();
    const before = process.memoryUsage().heapUsed;
    let registry = buildT(n);
    if (lookUpAll) for (let t = 0; t < n; t++) registry.getRouteInfoByTopic(`topic-${t}`);
    gc();
    const after = process.memoryUsage().heapUsed;
    if (registry.topicCount !== n) throw new Error('W5 built the wrong topology');
    registry = null;
    return (after - before) / 1048576;
  }, { warmup: 1, count: 5 });
}
