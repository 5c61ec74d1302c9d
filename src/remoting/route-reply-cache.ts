/**
 * The answers to GET_ROUTEINFO_BY_TOPIC, kept encoded: the route lookup
 * over TCP is the name server's hottest path, and encoding a route costs
 * more than finding it.
 * @internal
 */
import type { RouteRegistry } from '../core/registry.js';
import type { TopicRouteData } from '../core/types.js';
import { encodeTopicRouteData } from './codec/fastjson.js';
import { json, type Reply } from './reply.js';
import { reusableReply } from './response.js';

/** One flavour's cache: per route snapshot, and per topic name for the current route epoch. */
interface Flavour {
  /** Per frozen route snapshot: a new snapshot means a new route, so nothing is ever invalidated here. */
  readonly byRoute: WeakMap<TopicRouteData, Reply>;
  /**
   * By topic name, valid while the registry's `routeEpoch` stays the cache's
   * epoch: a hit skips the registry and WeakMap lookups, whose cache misses
   * are most of a lookup's cost once the answer bytes are cached.
   */
  readonly byTopic: Map<string, Reply>;
}

/**
 * Encoded route answers of one registry, in both body flavours (standard
 * JSON, and fastjson's form with unquoted broker id keys).
 */
export class RouteReplyCache {
  readonly #registry: RouteRegistry;
  readonly #standard: Flavour = { byRoute: new WeakMap(), byTopic: new Map() };
  readonly #fastjson: Flavour = { byRoute: new WeakMap(), byTopic: new Map() };
  /** The registry's `routeEpoch` the by-topic maps belong to. */
  #epoch = -1;

  constructor(registry: RouteRegistry) {
    this.#registry = registry;
  }

  /**
   * The SUCCESS answer with `topic`'s route (a frozen reusable reply), or
   * null when the topic has no route.
   */
  get(topic: string, standard: boolean): Reply | null {
    const epoch = this.#registry.routeEpoch;
    if (this.#epoch !== epoch) {
      this.#standard.byTopic.clear();
      this.#fastjson.byTopic.clear();
      this.#epoch = epoch;
    }
    const flavour = standard ? this.#standard : this.#fastjson;
    const known = flavour.byTopic.get(topic);
    if (known !== undefined) return known;
    const route = this.#registry.getRouteInfoByTopic(topic);
    if (route === null) return null;
    let reply = flavour.byRoute.get(route);
    if (reply === undefined) {
      // Frozen, its frame encoded once: the same reply answers every request for this route snapshot.
      reply = reusableReply(json(encodeTopicRouteData(route, standard)));
      flavour.byRoute.set(route, reply);
    }
    // Only existing topics: unknown names must not grow the map.
    flavour.byTopic.set(topic, reply);
    return reply;
  }
}
