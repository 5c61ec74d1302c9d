/**
 * Change tracking: what one registry operation changed, gathered while it
 * runs and turned into events once the tables are consistent again, so a
 * throwing listener can never leave them half-changed.
 * @internal
 * @module
 */
import { sameRoute } from './route-builder.js';
import type { TopicEntry } from '../tables/records.js';
import type {
  BrokerRegisteredEvent, BrokerUnregisteredEvent, MinBrokerIdChangedEvent, TopicRouteChangedEvent, TopicRouteData,
} from '../types.js';

/** Events gathered during one operation. */
export interface ChangeSet {
  readonly registered: BrokerRegisteredEvent[];
  readonly unregistered: BrokerUnregisteredEvent[];
  /** Topics whose route may have changed; null when nobody listens to `topicRouteChanged`. */
  readonly topics: Set<string> | null;
  /** The cached route of each changed topic before the operation, when there was one: an event is due only if it differs. */
  readonly previous: Map<string, TopicRouteData | null> | null;
  /** Groups whose lowest broker id changed, to notify (only gathered while `notifyMinBrokerIdChanged` is on). */
  readonly minBrokerIdChanged: MinBrokerIdChangedEvent[];
}

/** An empty change set; `trackTopics` when someone listens to `topicRouteChanged`. */
export function beginChangeSet(trackTopics: boolean): ChangeSet {
  return {
    registered: [],
    unregistered: [],
    topics: trackTopics ? new Set() : null,
    previous: trackTopics ? new Map() : null,
    minBrokerIdChanged: [],
  };
}

/** Notes that `topic`'s route may change and drops its cached route (remembering it for the comparison). */
export function noteTopic(cs: ChangeSet, topic: string, entry: TopicEntry | undefined): void {
  if (entry !== undefined) {
    if (cs.previous !== null && entry.route !== undefined && !cs.topics?.has(topic)) cs.previous.set(topic, entry.route);
    entry.route = undefined;
  }
  cs.topics?.add(topic);
}

/** Where the events go. */
export interface ChangeSink {
  emit(event: 'brokerRegistered', payload: BrokerRegisteredEvent): unknown;
  emit(event: 'brokerUnregistered', payload: BrokerUnregisteredEvent): unknown;
  emit(event: 'topicRouteChanged', payload: TopicRouteChangedEvent): unknown;
  emit(event: 'minBrokerIdChanged', payload: MinBrokerIdChangedEvent): unknown;
}

/** Emits the gathered events; a route event only when the route really differs from before. */
export function emitChanges(cs: ChangeSet, sink: ChangeSink, routeOf: (topic: string) => TopicRouteData | null): void {
  for (const event of cs.unregistered) sink.emit('brokerUnregistered', event);
  for (const event of cs.registered) sink.emit('brokerRegistered', event);
  if (cs.topics !== null) {
    for (const topic of cs.topics) {
      // Internal changes can leave the route as it was (a prime slave acting as master becoming the master).
      const previous = cs.previous?.get(topic);
      if (previous !== undefined && sameRoute(previous, routeOf(topic))) continue;
      sink.emit('topicRouteChanged', { topic });
    }
  }
  for (const event of cs.minBrokerIdChanged) sink.emit('minBrokerIdChanged', event);
}
