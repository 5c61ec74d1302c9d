/**
 * One table from request code to handler, as RocketMQ's
 * `DefaultRequestProcessor.processRequest` switch: one line per code. Each
 * handler starts by reading its typed header (headers.ts) and throws on bad
 * input; the connection answers a throw with SYSTEM_ERROR.
 * @internal
 */
import {
  addWritePermOfBroker, deleteKvConfig, deleteTopicInNamesrv, getKvConfig, getKvListByNamespace, putKvConfig, registerTopicInNamesrv,
  wipeWritePermOfBroker,
} from './admin-requests.js';
import { brokerHeartbeat, queryDataVersion, registerBroker, unregisterBroker } from './broker-requests.js';
import { RequestCode, ResponseCode } from './codes.js';
import { getNamesrvConfig, updateNamesrvConfig } from './config-requests.js';
import { controllerRequest, isControllerRequest } from './controller-requests.js';
import type { RemotingCommand } from './command.js';
import { fail, type Reply } from './reply.js';
import type { Ordered, Peer, RequestContext } from './request-context.js';
import {
  getAllTopicList, getBrokerClusterInfo, getBrokerMemberGroup, getHasUnitSubTopicList, getHasUnitSubUnUnitTopicList, getRouteInfoByTopic,
  getSystemTopicList, getTopicsByCluster, getUnitTopicList,
} from './route-requests.js';

/**
 * Answers one request. Returns a promise only for work that is asynchronous
 * (KV writes, UPDATE_NAMESRV_CONFIG, which persists), and {@link Ordered}
 * work for REGISTER_BROKER, which its connection applies in arrival order;
 * the route lookup stays synchronous.
 */
export function dispatch(ctx: RequestContext, request: RemotingCommand, peer: Peer): Reply | Promise<Reply> | Ordered {
  if (isControllerRequest(ctx, request)) return controllerRequest(ctx, request, peer);
  switch (request.code) {
    case RequestCode.GET_ROUTEINFO_BY_TOPIC: return getRouteInfoByTopic(ctx, request);
    case RequestCode.REGISTER_BROKER: return registerBroker(ctx, request, peer);
    case RequestCode.BROKER_HEARTBEAT: return brokerHeartbeat(ctx, request);
    case RequestCode.UNREGISTER_BROKER: return unregisterBroker(ctx, request);
    case RequestCode.QUERY_DATA_VERSION: return queryDataVersion(ctx, request);
    case RequestCode.PUT_KV_CONFIG: return putKvConfig(ctx, request);
    case RequestCode.GET_KV_CONFIG: return getKvConfig(ctx, request);
    case RequestCode.DELETE_KV_CONFIG: return deleteKvConfig(ctx, request);
    case RequestCode.GET_KVLIST_BY_NAMESPACE: return getKvListByNamespace(ctx, request);
    case RequestCode.GET_BROKER_CLUSTER_INFO: return getBrokerClusterInfo(ctx, request);
    case RequestCode.GET_BROKER_MEMBER_GROUP: return getBrokerMemberGroup(ctx, request);
    case RequestCode.WIPE_WRITE_PERM_OF_BROKER: return wipeWritePermOfBroker(ctx, request);
    case RequestCode.ADD_WRITE_PERM_OF_BROKER: return addWritePermOfBroker(ctx, request);
    case RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER: return getAllTopicList(ctx);
    case RequestCode.DELETE_TOPIC_IN_NAMESRV: return deleteTopicInNamesrv(ctx, request);
    case RequestCode.REGISTER_TOPIC_IN_NAMESRV: return registerTopicInNamesrv(ctx, request);
    case RequestCode.GET_TOPICS_BY_CLUSTER: return getTopicsByCluster(ctx, request);
    case RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS: return getSystemTopicList(ctx);
    case RequestCode.GET_UNIT_TOPIC_LIST: return getUnitTopicList(ctx);
    case RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST: return getHasUnitSubTopicList(ctx);
    case RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST: return getHasUnitSubUnUnitTopicList(ctx);
    case RequestCode.UPDATE_NAMESRV_CONFIG: return updateNamesrvConfig(ctx, request);
    case RequestCode.GET_NAMESRV_CONFIG: return getNamesrvConfig(ctx);
    // RocketMQ's exact remark, leading space included.
    default: return fail(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`);
  }
}
