/**
 * RocketMQ's `topicQueueTable` (topic → queues per broker name), kept in two
 * views: per topic (a sorted, frozen `QueueData` list plus its cached route)
 * and per group (`BrokerGroup.topics`). Every change goes through here, so
 * the views agree, routes are invalidated, and the route epoch moves.
 * @internal
 * @module
 */
import { noteTopic, type ChangeSet } from '../routes/change-set.js';
import { internQueueData, withQueueData, withoutQueueData } from './queue-datas.js';
import type { BrokerGroup, TopicEntry } from './records.js';
import { permOf, readQueueNumsOf, sysFlagOf, writeQueueNumsOf } from '../registration/topic-config.js';
import type { QueueData, TopicConfig } from '../types.js';

export class TopicQueueTable {
  /** topic → its entry. */
  readonly entries = new Map<string, TopicEntry>();
  #epoch = 0;
  #queueEntries = 0;

  /** Topic × group queue entries held (the sum of every group's `topics` size). */
  get queueEntries(): number {
    return this.#queueEntries;
  }

  /** Changes whenever any route may have changed. */
  get epoch(): number {
    return this.#epoch;
  }

  /** RocketMQ's `createAndUpdateQueueData`: a no-op when nothing differs. */
  apply(cs: ChangeSet, g: BrokerGroup, config: TopicConfig, wipeWrite: boolean): void {
    const readQueueNums = readQueueNumsOf(config);
    const writeQueueNums = writeQueueNumsOf(config);
    const perm = permOf(config, wipeWrite);
    const topicSysFlag = sysFlagOf(config);
    const existing = g.topics.get(config.topicName);
    if (existing !== undefined && existing.readQueueNums === readQueueNums && existing.writeQueueNums === writeQueueNums
      && existing.perm === perm && existing.topicSysFlag === topicSysFlag) {
      return;
    }
    this.put(cs, g, config.topicName, internQueueData(g, readQueueNums, writeQueueNums, perm, topicSysFlag));
  }

  /** Sets `g`'s queues of `topic` to figures (interned per group). */
  putFigures(cs: ChangeSet, g: BrokerGroup, topic: string, qd: Omit<QueueData, 'brokerName'>): void {
    this.put(cs, g, topic, internQueueData(g, qd.readQueueNums, qd.writeQueueNums, qd.perm, qd.topicSysFlag));
  }

  /**
   * Sets `g`'s queues of `topic` in both views. Names decoded from the wire
   * are distinct strings per broker: the table's own instance of a known
   * name is kept, so every group and route shares one string per topic.
   */
  put(cs: ChangeSet, g: BrokerGroup, name: string, qd: QueueData): void {
    let entry = this.entries.get(name);
    let topic = name;
    if (entry === undefined) {
      entry = { name, queueDatas: Object.freeze([qd]), route: undefined };
      this.entries.set(name, entry);
    } else {
      topic = entry.name;
      entry.queueDatas = withQueueData(entry.queueDatas, qd);
    }
    const held = g.topics.size;
    g.topics.set(topic, qd);
    // A new key grows the Map: one lookup instead of has() then set().
    if (g.topics.size !== held) this.#queueEntries++;
    g.topicsVersion++;
    this.invalidate(cs, topic, entry);
  }

  /** Removes `g`'s queues of `topic`; the topic goes when no group is left. */
  remove(cs: ChangeSet, g: BrokerGroup, topic: string): void {
    if (!g.topics.delete(topic)) return;
    this.#queueEntries--;
    g.topicsVersion++;
    const entry = this.entries.get(topic);
    if (entry === undefined) return;
    entry.queueDatas = withoutQueueData(entry.queueDatas, g.brokerName);
    if (entry.queueDatas.length === 0) this.entries.delete(topic);
    this.invalidate(cs, topic, entry);
  }

  /** Removes a topic's entry outright (queues of groups nobody knows any more). */
  delete(cs: ChangeSet, topic: string): void {
    const entry = this.entries.get(topic);
    if (entry === undefined) return;
    this.entries.delete(topic);
    this.invalidate(cs, topic, entry);
  }

  /** Every route of `g` changes (its members, zone or filter servers did). */
  invalidateGroup(cs: ChangeSet, g: BrokerGroup): void {
    for (const topic of g.topics.keys()) this.invalidate(cs, topic);
  }

  /** Every route may have changed (an option routes depend on did). */
  invalidateAll(cs: ChangeSet): void {
    for (const [topic, entry] of this.entries) this.invalidate(cs, topic, entry);
  }

  /** `topic`'s route may have changed. */
  invalidate(cs: ChangeSet, topic: string, entry = this.entries.get(topic)): void {
    this.#epoch++;
    noteTopic(cs, topic, entry);
  }
}
