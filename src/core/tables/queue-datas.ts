/**
 * Sorted, frozen `QueueData` lists (one per topic, sorted by broker name)
 * and the interning of `QueueData`s per group. Pure functions.
 * @internal
 * @module
 */
import type { BrokerGroup } from './records.js';
import type { QueueData } from '../types.js';

export const NO_QUEUE_DATAS: readonly QueueData[] = Object.freeze([]);

/** One frozen QueueData per distinct figures of a group: thousands of topics share a few objects. */
export function internQueueData(
  g: BrokerGroup, readQueueNums: number, writeQueueNums: number, perm: number, topicSysFlag: number,
): QueueData {
  const internable = readQueueNums < 0x10000 && writeQueueNums < 0x10000 && topicSysFlag < 0x100;
  // perm takes 4 bits (PERM_PRIORITY is 8), so the key stays below 2^44: exact in a double, one key per figures.
  const key = internable ? ((readQueueNums * 0x10000 + writeQueueNums) * 0x10 + perm) * 0x100 + topicSysFlag : -1;
  if (internable) {
    const cached = g.queueDataIntern.get(key);
    if (cached !== undefined) return cached;
  }
  const qd: QueueData = Object.freeze({ brokerName: g.brokerName, readQueueNums, writeQueueNums, perm, topicSysFlag });
  if (internable) g.queueDataIntern.set(key, qd);
  return qd;
}

/** Index of `brokerName` in a list sorted by broker name, or -1. */
export function indexOfBroker(list: readonly QueueData[], brokerName: string): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const name = (list[mid] as QueueData).brokerName;
    if (name === brokerName) return mid;
    if (name < brokerName) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * A new frozen list with `qd` in its sorted place, replacing the same broker's
 * entry. Built at its exact length: growing arrays over-allocate, and there is
 * one of these per topic.
 */
export function withQueueData(list: readonly QueueData[], qd: QueueData): readonly QueueData[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as QueueData).brokerName < qd.brokerName) lo = mid + 1;
    else hi = mid;
  }
  if (lo < list.length && (list[lo] as QueueData).brokerName === qd.brokerName) {
    const next = list.slice();
    next[lo] = qd;
    return Object.freeze(next);
  }
  const next = new Array<QueueData>(list.length + 1);
  for (let i = 0; i < lo; i++) next[i] = list[i] as QueueData;
  next[lo] = qd;
  for (let i = lo; i < list.length; i++) next[i + 1] = list[i] as QueueData;
  return Object.freeze(next);
}

/** The list without `brokerName`'s entry (the same list when it has none), built at its exact length. */
export function withoutQueueData(list: readonly QueueData[], brokerName: string): readonly QueueData[] {
  const i = indexOfBroker(list, brokerName);
  if (i < 0) return list;
  if (list.length === 1) return NO_QUEUE_DATAS;
  const next = new Array<QueueData>(list.length - 1);
  for (let j = 0; j < i; j++) next[j] = list[j] as QueueData;
  for (let j = i + 1; j < list.length; j++) next[j - 1] = list[j] as QueueData;
  return Object.freeze(next);
}

/** Field-wise equality (RocketMQ's `QueueData.equals`). */
export function sameQueueData(a: QueueData, b: QueueData): boolean {
  return a.brokerName === b.brokerName && a.readQueueNums === b.readQueueNums && a.writeQueueNums === b.writeQueueNums
    && a.perm === b.perm && a.topicSysFlag === b.topicSysFlag;
}
