/**
 * The registry's bound on what it holds in all (`maxRouteEntries`): route
 * entries are topic × group queue entries plus live broker addresses. A
 * change is counted before it is made, so one past the bound changes nothing.
 * @internal
 * @module
 */
import { RouteRegistryFullError } from '../errors.js';
import type { GroupTable } from '../tables/group-table.js';
import type { RegistrationPlan } from './plan.js';
import type { BrokerGroup } from '../tables/records.js';
import type { QueueData } from '../types.js';

/** @throws {@link RouteRegistryFullError} when `adding` entries to the `held` ones would pass `limit`. */
export function checkRoom(what: string, held: number, adding: number, limit: number): void {
  if (adding > 0 && held + adding > limit) throw new RouteRegistryFullError(what, held, adding, limit);
}

/**
 * Route entries applying `plan` adds: each topic of its changes the group
 * lacks (once, however many keys name it), plus the address when it is not
 * live yet. Topics a `deleteTopicWithBrokerRegistration` removes are not
 * subtracted: the check errs on the safe side. While even counting a topic
 * named twice twice stays within `room`, that count is returned: the check
 * passes either way, and the set that counts each topic once is not built.
 */
export function registrationEntries(
  plan: Extract<RegistrationPlan, { outcome: 'apply' }>, group: BrokerGroup | undefined, becomesLive: boolean, room: number,
): number {
  let added = becomesLive ? 1 : 0;
  for (const config of plan.changes) {
    if (group?.topics.has(config.topicName) !== true) added++;
  }
  if (added <= room) return added;
  added = becomesLive ? 1 : 0;
  const seen = new Set<string>();
  for (const config of plan.changes) {
    const topic = config.topicName;
    if (group?.topics.has(topic) === true || seen.has(topic)) continue;
    seen.add(topic);
    added++;
  }
  return added;
}

/** Route entries `registerTopic(topic, queueDatas)` adds: one per known group that lacks the topic. */
export function topicEntries(groups: GroupTable, topic: string, queueDatas: readonly QueueData[]): number {
  const adding = new Set<string>();
  for (const qd of queueDatas) if (groups.get(qd.brokerName)?.topics.has(topic) === false) adding.add(qd.brokerName);
  return adding.size;
}
