/**
 * What operators change directly in the topic tables: deleting a topic,
 * registering queues of one (REGISTER_TOPIC_IN_NAMESRV), broker write
 * permissions. RocketMQ's `deleteTopic`, `registerTopic` and
 * `operateWritePermOfBroker`, over the registry's tables.
 * @internal
 * @module
 */
import type { ChangeSet } from '../routes/change-set.js';
import type { GroupTable } from './group-table.js';
import { sameQueueData } from './queue-datas.js';
import type { BrokerGroup } from './records.js';
import type { TopicQueueTable } from './topic-queue-table.js';
import type { QueueData } from '../types.js';

/** The tables these operations change. */
export interface TopicTables {
  readonly groups: GroupTable;
  readonly topicQueueTable: TopicQueueTable;
}

/** Removes `topic` everywhere (`clusterName` null) or from the groups of `clusterName`. */
export function deleteTopicIn(t: TopicTables, cs: ChangeSet, topic: string, clusterName: string | null): void {
  const entry = t.topicQueueTable.entries.get(topic);
  if (entry === undefined) return;
  let names: Iterable<string>;
  if (clusterName === null) {
    names = entry.queueDatas.map((qd) => qd.brokerName);
  } else {
    const inCluster = t.groups.clusters.get(clusterName);
    if (inCluster === undefined || inCluster.size === 0) return;
    names = [...inCluster];
  }
  for (const name of names) {
    const g = t.groups.get(name);
    if (g !== undefined) t.topicQueueTable.remove(cs, g, topic);
  }
  // Queues of a group no longer known cannot be re-added by anyone: drop them too.
  if (clusterName === null) t.topicQueueTable.delete(cs, topic);
}

/** Adds or replaces queues of `topic`; nothing changes unless every broker named is registered. */
export function registerTopicIn(t: TopicTables, cs: ChangeSet, topic: string, queueDatas: readonly QueueData[]): void {
  const groups = queueDatas.map((qd) => t.groups.get(qd.brokerName));
  if (groups.some((g) => g === undefined)) return;
  queueDatas.forEach((qd, i) => {
    const g = groups[i] as BrokerGroup;
    const existing = g.topics.get(topic);
    if (existing !== undefined && sameQueueData(existing, qd)) return;
    t.topicQueueTable.putFigures(cs, g, topic, { ...qd, perm: qd.perm });
  });
}

/** Sets each topic's perm of `brokerName` to `next(perm)`; returns how many topics the group holds (0 when unknown). */
export function setPermOf(t: TopicTables, cs: ChangeSet, brokerName: string, next: (perm: number) => number): number {
  const g = t.groups.get(brokerName);
  if (g === undefined) return 0;
  for (const [topic, qd] of [...g.topics]) {
    const perm = next(qd.perm);
    if (perm !== qd.perm) t.topicQueueTable.putFigures(cs, g, topic, { ...qd, perm });
  }
  return g.topics.size;
}
