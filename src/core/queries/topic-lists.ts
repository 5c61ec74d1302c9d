/**
 * The registry's list queries, as pure functions over its tables: each
 * returns fresh plain objects a caller may change freely.
 * @internal
 * @module
 */
import { setOwn } from '../records.js';
import { copyBrokerData, snapshotOf } from '../routes/route-builder.js';
import { minBrokerId, type BrokerGroup, type TopicEntry } from '../tables/records.js';
import type { ClusterInfo, TopicList } from '../types.js';

type Groups = ReadonlyMap<string, BrokerGroup>;
type Clusters = ReadonlyMap<string, ReadonlySet<string>>;

/** Every group and every cluster's broker names (RocketMQ's `getAllClusterInfo`). */
export function clusterInfoOf(groups: Groups, clusters: Clusters): ClusterInfo {
  const brokerAddrTable: ClusterInfo['brokerAddrTable'] = {};
  for (const [name, g] of groups) setOwn(brokerAddrTable, name, copyBrokerData(snapshotOf(g)));
  const clusterAddrTable: Record<string, string[]> = {};
  for (const [cluster, names] of clusters) setOwn(clusterAddrTable, cluster, [...names]);
  return { brokerAddrTable, clusterAddrTable };
}

/** Topics held by any group of `clusterName`. */
export function topicsOfCluster(groups: Groups, clusters: Clusters, clusterName: string): TopicList {
  const names = clusters.get(clusterName);
  if (names === undefined) return { topicList: [] };
  const topics = new Set<string>();
  for (const name of names) {
    const g = groups.get(name);
    if (g !== undefined) for (const topic of g.topics.keys()) topics.add(topic);
  }
  return { topicList: [...topics] };
}

/** Every cluster and broker name (brokers create a topic of each), with the address of a broker to ask. */
export function systemTopicListOf(groups: Groups, clusters: Clusters): TopicList {
  const names = new Set<string>();
  for (const [cluster, brokerNames] of clusters) {
    names.add(cluster);
    for (const name of brokerNames) names.add(name);
  }
  const list: TopicList = { topicList: [...names] };
  for (const g of groups.values()) {
    if (g.addrs.size === 0) continue;
    list.brokerAddr = g.addrs.get(minBrokerId(g));
    break;
  }
  return list;
}

/** Topics whose first queues' system flag passes `test`. */
export function topicsByFlag(topics: ReadonlyMap<string, TopicEntry>, test: (flag: number) => boolean): TopicList {
  const topicList: string[] = [];
  for (const [topic, entry] of topics) {
    const first = entry.queueDatas[0];
    if (first !== undefined && test(first.topicSysFlag)) topicList.push(topic);
  }
  return { topicList };
}
