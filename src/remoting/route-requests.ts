/**
 * What clients ask: routes (105), cluster info (106), broker member groups
 * (901) and the topic lists (206, 224, 304, 311, 312, 313). RocketMQ's
 * `ClientRequestProcessor` and the read side of `DefaultRequestProcessor`.
 * @internal
 */
import type { TopicList } from '../core/types.js';
import { filterRouteByZone, ZONE_MODE_KEY, zoneToFilterBy } from '../core/routes/zone-route.js';
import { encodeBrokerMemberGroupBody, encodeClusterInfo, encodeTopicRouteData } from './codec/fastjson.js';
import { MQVersion, ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import { booleanField, readGetBrokerMemberGroupHeader, readGetRouteInfoHeader, readGetTopicsByClusterHeader } from './headers.js';
import { fail, json, ok, type Reply } from './reply.js';
import type { RequestContext } from './request-context.js';

/** RocketMQ's `FAQUrl.suggestTodo(FAQUrl.APPLY_TOPIC_URL)`. */
const APPLY_TOPIC_SUGGESTION = '\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.';

/** ClientRequestProcessor's rule: standard JSON for 4.9.4+ clients or when asked for. */
function wantsStandardJson(version: number, acceptStandardJsonOnly: boolean | null): boolean {
  return version >= MQVersion.V4_9_4 || acceptStandardJsonOnly === true;
}

/** RocketMQ's remark while `needWaitForService` holds route requests back. */
const NOT_READY_REMARK = 'name server not ready';

/** RocketMQ's remark of a topic list switched off (`enableAllTopicList`, `enableTopicList`). */
const DISABLED_REMARK = 'disable';

/**
 * GET_ROUTEINFO_BY_TOPIC: answered from the route reply cache, after
 * RocketMQ's `needWaitForService` window. A zone-mode request
 * (`__ZONE_MODE`, `__ZONE_NAME`) gets the route as `ZoneRouteRPCHook`
 * filters it, encoded in the JSON flavour the client asked for.
 */
export function getRouteInfoByTopic(ctx: RequestContext, request: RemotingCommand): Reply {
  const { topic, acceptStandardJsonOnly } = readGetRouteInfoHeader(request.extFields);
  if (!ctx.registry.isServiceReady()) return fail(ResponseCode.SYSTEM_ERROR, NOT_READY_REMARK);
  const standard = wantsStandardJson(request.version, acceptStandardJsonOnly);
  // Zone mode is rare: a request without its key stays on the cached fast path.
  const zone = Object.hasOwn(request.extFields, ZONE_MODE_KEY) ? zoneToFilterBy(request.extFields) : null;
  const reply = zone === null ? ctx.routeReplies.get(topic, standard) : zoneRoute(ctx, topic, zone, standard);
  return reply ?? fail(ResponseCode.TOPIC_NOT_EXIST, `No topic route info in name server for the topic: ${topic}${APPLY_TOPIC_SUGGESTION}`);
}

/** The zone's view of a route, or null when the topic has none; the cached answer when the filter removes nothing. */
function zoneRoute(ctx: RequestContext, topic: string, zone: string, standard: boolean): Reply | null {
  const route = ctx.registry.getRouteInfoByTopic(topic);
  if (route === null) return null;
  const filtered = filterRouteByZone(route, zone);
  return filtered === route ? ctx.routeReplies.get(topic, standard) : ok(json(encodeTopicRouteData(filtered, standard)));
}

/** GET_BROKER_CLUSTER_INFO. */
export function getBrokerClusterInfo(ctx: RequestContext, request: RemotingCommand): Reply {
  const standard = wantsStandardJson(request.version, booleanField(request.extFields, 'acceptStandardJsonOnly'));
  return ok(json(encodeClusterInfo(ctx.registry.getAllClusterInfo(), standard)));
}

/** GET_BROKER_MEMBER_GROUP. */
export function getBrokerMemberGroup(ctx: RequestContext, request: RemotingCommand): Reply {
  const { clusterName, brokerName } = readGetBrokerMemberGroupHeader(request.extFields);
  const standard = wantsStandardJson(request.version, booleanField(request.extFields, 'acceptStandardJsonOnly'));
  return ok(json(encodeBrokerMemberGroupBody(ctx.registry.getBrokerMemberGroup(clusterName, brokerName), standard)));
}

/** GET_ALL_TOPIC_LIST_FROM_NAMESERVER, unless `enableAllTopicList` is off. */
export function getAllTopicList(ctx: RequestContext): Reply {
  if (!ctx.registry.options.enableAllTopicList) return fail(ResponseCode.SYSTEM_ERROR, DISABLED_REMARK);
  return ok(topicListBody({ topicList: ctx.registry.getAllTopicList() }));
}

/** GET_TOPICS_BY_CLUSTER, unless `enableTopicList` is off (checked before the header, as RocketMQ). */
export function getTopicsByCluster(ctx: RequestContext, request: RemotingCommand): Reply {
  if (!ctx.registry.options.enableTopicList) return fail(ResponseCode.SYSTEM_ERROR, DISABLED_REMARK);
  const { cluster } = readGetTopicsByClusterHeader(request.extFields);
  return ok(topicListBody({ topicList: ctx.registry.getTopicsByCluster(cluster) }));
}

/** GET_SYSTEM_TOPIC_LIST_FROM_NS. */
export function getSystemTopicList(ctx: RequestContext): Reply {
  return ok(topicListBody(ctx.registry.getSystemTopicList()));
}

/** GET_UNIT_TOPIC_LIST, unless `enableTopicList` is off. */
export function getUnitTopicList(ctx: RequestContext): Reply {
  if (!ctx.registry.options.enableTopicList) return fail(ResponseCode.SYSTEM_ERROR, DISABLED_REMARK);
  return ok(topicListBody(ctx.registry.getUnitTopics()));
}

/** GET_HAS_UNIT_SUB_TOPIC_LIST, unless `enableTopicList` is off. */
export function getHasUnitSubTopicList(ctx: RequestContext): Reply {
  if (!ctx.registry.options.enableTopicList) return fail(ResponseCode.SYSTEM_ERROR, DISABLED_REMARK);
  return ok(topicListBody(ctx.registry.getHasUnitSubTopicList()));
}

/** GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST, unless `enableTopicList` is off. */
export function getHasUnitSubUnUnitTopicList(ctx: RequestContext): Reply {
  if (!ctx.registry.options.enableTopicList) return fail(ResponseCode.SYSTEM_ERROR, DISABLED_REMARK);
  return ok(topicListBody(ctx.registry.getHasUnitSubUnUnitTopicList()));
}

/** RocketMQ's `TopicList` body. */
function topicListBody(list: TopicList): Buffer {
  const head = list.brokerAddr === undefined || list.brokerAddr === null ? '{' : '{"brokerAddr":' + JSON.stringify(list.brokerAddr) + ',';
  return json(head + '"topicList":' + JSON.stringify(list.topicList) + '}');
}
