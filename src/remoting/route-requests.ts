/**
 * What clients ask: routes (105), cluster info (106), broker member groups
 * (901) and the topic lists (206, 224, 304, 311, 312, 313). RocketMQ's
 * `ClientRequestProcessor` and the read side of `DefaultRequestProcessor`.
 * @internal
 */
import type { TopicList } from '../core/types.js';
import { encodeBrokerMemberGroupBody, encodeClusterInfo } from './codec/fastjson.js';
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

/** GET_ROUTEINFO_BY_TOPIC: answered from the route reply cache. */
export function getRouteInfoByTopic(ctx: RequestContext, request: RemotingCommand): Reply {
  const { topic, acceptStandardJsonOnly } = readGetRouteInfoHeader(request.extFields);
  const reply = ctx.routeReplies.get(topic, wantsStandardJson(request.version, acceptStandardJsonOnly));
  return reply ?? fail(ResponseCode.TOPIC_NOT_EXIST, `No topic route info in name server for the topic: ${topic}${APPLY_TOPIC_SUGGESTION}`);
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

/** GET_ALL_TOPIC_LIST_FROM_NAMESERVER. */
export function getAllTopicList(ctx: RequestContext): Reply {
  return ok(topicListBody({ topicList: ctx.registry.getAllTopicList() }));
}

/** GET_TOPICS_BY_CLUSTER. */
export function getTopicsByCluster(ctx: RequestContext, request: RemotingCommand): Reply {
  const { cluster } = readGetTopicsByClusterHeader(request.extFields);
  return ok(topicListBody({ topicList: ctx.registry.getTopicsByCluster(cluster) }));
}

/** GET_SYSTEM_TOPIC_LIST_FROM_NS. */
export function getSystemTopicList(ctx: RequestContext): Reply {
  return ok(topicListBody(ctx.registry.getSystemTopicList()));
}

/** GET_UNIT_TOPIC_LIST. */
export function getUnitTopicList(ctx: RequestContext): Reply {
  return ok(topicListBody(ctx.registry.getUnitTopics()));
}

/** GET_HAS_UNIT_SUB_TOPIC_LIST. */
export function getHasUnitSubTopicList(ctx: RequestContext): Reply {
  return ok(topicListBody(ctx.registry.getHasUnitSubTopicList()));
}

/** GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST. */
export function getHasUnitSubUnUnitTopicList(ctx: RequestContext): Reply {
  return ok(topicListBody(ctx.registry.getHasUnitSubUnUnitTopicList()));
}

/** RocketMQ's `TopicList` body. */
function topicListBody(list: TopicList): Buffer {
  const head = list.brokerAddr === undefined || list.brokerAddr === null ? '{' : '{"brokerAddr":' + JSON.stringify(list.brokerAddr) + ',';
  return json(head + '"topicList":' + JSON.stringify(list.topicList) + '}');
}
