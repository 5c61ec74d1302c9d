/**
 * What operators and tools change: the KV store (100, 101, 102, 219), broker
 * write permissions (205, 327) and topics (216, 217). RocketMQ's
 * `DefaultRequestProcessor` methods of the same names.
 * @internal
 */
import type { KvConfigStore } from '../core/kv-config.js';
import { isPlainObject } from '../core/records.js';
import type { QueueData } from '../core/types.js';
import { parseFastjson } from './codec/fastjson.js';
import { ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import { BodyDecodeError } from './errors.js';
import {
  readDeleteTopicHeader, readGetKvListByNamespaceHeader, readKvConfigKeyHeader, readPutKvConfigHeader, readRegisterTopicHeader,
  readWritePermHeader,
} from './headers.js';
import { fail, json, ok, type Reply } from './reply.js';
import type { RequestContext } from './request-context.js';
import { invalidTopicRemark } from './topic-validator.js';

/** RocketMQ's `KVTable` body of a namespace, or null when it has no entries. */
export function kvTableBody(kvConfig: KvConfigStore, namespace: string): Buffer | null {
  const table = kvConfig.getKVListByNamespace(namespace);
  return table === null ? null : json('{"table":' + JSON.stringify(table) + '}');
}

/** PUT_KV_CONFIG: answered once the change is persisted, as RocketMQ does. */
export function putKvConfig(ctx: RequestContext, request: RemotingCommand): Promise<Reply> {
  const { namespace, key, value } = readPutKvConfigHeader(request.extFields);
  ctx.kvConfig.put(namespace, key, value);
  return ctx.kvConfig.flush().then(() => ok());
}

/** GET_KV_CONFIG. */
export function getKvConfig(ctx: RequestContext, request: RemotingCommand): Reply {
  const { namespace, key } = readKvConfigKeyHeader(request.extFields);
  const value = ctx.kvConfig.get(namespace, key);
  if (value === null) return fail(ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace} Key: ${key}`);
  return ok(null, { value });
}

/** DELETE_KV_CONFIG: answered once the change is persisted. */
export function deleteKvConfig(ctx: RequestContext, request: RemotingCommand): Promise<Reply> {
  const { namespace, key } = readKvConfigKeyHeader(request.extFields);
  ctx.kvConfig.delete(namespace, key);
  return ctx.kvConfig.flush().then(() => ok());
}

/** GET_KVLIST_BY_NAMESPACE. */
export function getKvListByNamespace(ctx: RequestContext, request: RemotingCommand): Reply {
  const { namespace } = readGetKvListByNamespaceHeader(request.extFields);
  const body = kvTableBody(ctx.kvConfig, namespace);
  return body === null ? fail(ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace}`) : ok(body);
}

/** WIPE_WRITE_PERM_OF_BROKER. */
export function wipeWritePermOfBroker(ctx: RequestContext, request: RemotingCommand): Reply {
  const count = ctx.registry.wipeWritePermOfBroker(readWritePermHeader(request.extFields).brokerName);
  return ok(null, { wipeTopicCount: String(count) });
}

/** ADD_WRITE_PERM_OF_BROKER. */
export function addWritePermOfBroker(ctx: RequestContext, request: RemotingCommand): Reply {
  const count = ctx.registry.addWritePermOfBroker(readWritePermHeader(request.extFields).brokerName);
  return ok(null, { addTopicCount: String(count) });
}

/** DELETE_TOPIC_IN_NAMESRV: from every cluster, or from one when `clusterName` is given. */
export function deleteTopicInNamesrv(ctx: RequestContext, request: RemotingCommand): Reply {
  const { topic, clusterName } = readDeleteTopicHeader(request.extFields);
  if (clusterName !== null && clusterName !== '') ctx.registry.deleteTopic(topic, clusterName);
  else ctx.registry.deleteTopic(topic);
  return ok();
}

/** REGISTER_TOPIC_IN_NAMESRV: the body's queue datas become the topic's route. */
export function registerTopicInNamesrv(ctx: RequestContext, request: RemotingCommand): Reply {
  const { topic } = readRegisterTopicHeader(request.extFields);
  // Stricter than RocketMQ's name server: refuse what its brokers refuse, as they do.
  const invalid = invalidTopicRemark(topic);
  if (invalid !== null) return fail(ResponseCode.INVALID_PARAMETER, invalid);
  if (request.body === null) return ok();
  let route: unknown;
  try {
    route = parseFastjson(request.body.toString('utf8'));
  } catch (err) {
    throw new BodyDecodeError(`TopicRouteData is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (isPlainObject(route) && Array.isArray(route.queueDatas) && route.queueDatas.length > 0) {
    ctx.registry.registerTopic(topic, route.queueDatas as QueueData[]);
  }
  return ok();
}
