/**
 * Request handling: a switch from request code to registry call, as
 * RocketMQ's `DefaultRequestProcessor` and `ClientRequestProcessor` do.
 * Handlers throw on bad input; the server turns that into SYSTEM_ERROR.
 * @internal
 */
import { isPlainObject } from '../core/records.js';
import { NAMESPACE_ORDER_TOPIC_CONFIG, type KvConfigStore } from '../core/kv-config.js';
import type { RouteRegistry } from '../core/registry.js';
import type { DataVersion, QueueData, RegisterBrokerRequest, TopicList, TopicRouteData } from '../core/types.js';
import { MQVersion, RequestCode, ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import { bodyCrc32 } from './crc32.js';
import { BodyDecodeError } from './errors.js';
import { encodeBrokerMemberGroupBody, encodeClusterInfo, encodeTopicRouteData, parseFastjson } from './fastjson.js';
import { booleanField, intField, longField, optionalField, requireField } from './headers.js';
import { decodeRegisterBrokerBody } from './register-body.js';
import { buildTemplate } from './response.js';
import { invalidTopicRemark } from './topic-validator.js';

/** RocketMQ's `MixAll.ZONE_NAME` ext field. */
const ZONE_NAME = '__ZONE_NAME';
/** RocketMQ's `FAQUrl.suggestTodo(FAQUrl.APPLY_TOPIC_URL)`. */
const APPLY_TOPIC_SUGGESTION = '\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.';

/** What a handler answers; the server adds opaque, flag and version. */
export interface Reply {
  code: number;
  remark: string | null;
  extFields: Record<string, string> | null;
  body: Buffer | null;
  /** For JSON requests: the whole response frame, opaque left blank (see `buildTemplate`). */
  template?: Buffer;
}

/** What handlers work with. */
export interface HandlerContext {
  readonly registry: RouteRegistry;
  readonly kvConfig: KvConfigStore;
  readonly maxInflatedBytes: number;
  readonly returnOrderTopicConfigToBroker: boolean;
  /** Route answers per frozen route snapshot: a new snapshot means a new route, so no invalidation. */
  readonly standardRoutes: WeakMap<TopicRouteData, Reply>;
  readonly fastjsonRoutes: WeakMap<TopicRouteData, Reply>;
  /**
   * Route answers by topic name, valid while the registry's `routeEpoch` stays
   * `routeEpoch`: a hit skips the registry and WeakMap lookups, whose cache
   * misses are most of a lookup's cost once the answer bytes are cached.
   */
  readonly routesByTopic: { epoch: number; readonly standard: Map<string, Reply>; readonly fastjson: Map<string, Reply> };
  /** Per connection: the last registration still being decoded or applied. */
  readonly registrations: WeakMap<object, Promise<void>>;
}

const SUCCESS_EMPTY: Readonly<Reply> = Object.freeze({ code: ResponseCode.SUCCESS, remark: null, extFields: null, body: null });

function ok(body: Buffer | null = null, extFields: Record<string, string> | null = null): Reply {
  return body === null && extFields === null ? SUCCESS_EMPTY : { code: ResponseCode.SUCCESS, remark: null, extFields, body };
}

function fail(code: number, remark: string): Reply {
  return { code, remark, extFields: null, body: null };
}

function json(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** ClientRequestProcessor's rule: standard JSON for 4.9.4+ clients or when asked for. */
function wantsStandardJson(request: RemotingCommand): boolean {
  return request.version >= MQVersion.V4_9_4 || booleanField(request.extFields, 'acceptStandardJsonOnly') === true;
}

/**
 * Answers one request. Returns a promise only for work that is asynchronous
 * (REGISTER_BROKER, KV writes); the route lookup stays synchronous.
 */
export function handleRequest(ctx: HandlerContext, request: RemotingCommand, channel: unknown): Reply | Promise<Reply> {
  const ext = request.extFields;
  const { registry } = ctx;
  switch (request.code) {
    case RequestCode.GET_ROUTEINFO_BY_TOPIC:
      return getRouteInfoByTopic(ctx, request);
    case RequestCode.REGISTER_BROKER:
      return registerBroker(ctx, request, channel);
    case RequestCode.BROKER_HEARTBEAT:
      requireField(ext, 'brokerName');
      registry.updateBrokerInfoUpdateTimestamp(requireField(ext, 'clusterName'), requireField(ext, 'brokerAddr'));
      return ok();
    case RequestCode.UNREGISTER_BROKER:
      registry.unregisterBroker({
        brokerName: requireField(ext, 'brokerName'),
        brokerAddr: requireField(ext, 'brokerAddr'),
        clusterName: requireField(ext, 'clusterName'),
        brokerId: longField(ext, 'brokerId', true),
      });
      return ok();
    case RequestCode.QUERY_DATA_VERSION:
      return queryDataVersion(ctx, request);
    case RequestCode.PUT_KV_CONFIG:
      ctx.kvConfig.put(requireField(ext, 'namespace'), requireField(ext, 'key'), requireField(ext, 'value'));
      // Like RocketMQ, answer once the change is persisted.
      return ctx.kvConfig.flush().then(() => ok());
    case RequestCode.GET_KV_CONFIG: {
      const namespace = requireField(ext, 'namespace');
      const key = requireField(ext, 'key');
      const value = ctx.kvConfig.get(namespace, key);
      if (value === null) return fail(ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace} Key: ${key}`);
      return ok(null, { value });
    }
    case RequestCode.DELETE_KV_CONFIG:
      ctx.kvConfig.delete(requireField(ext, 'namespace'), requireField(ext, 'key'));
      return ctx.kvConfig.flush().then(() => ok());
    case RequestCode.GET_KVLIST_BY_NAMESPACE: {
      const namespace = requireField(ext, 'namespace');
      const body = kvTable(ctx, namespace);
      return body === null ? fail(ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace}`) : ok(body);
    }
    case RequestCode.GET_BROKER_CLUSTER_INFO:
      return ok(json(encodeClusterInfo(registry.getAllClusterInfo(), wantsStandardJson(request))));
    case RequestCode.GET_BROKER_MEMBER_GROUP: {
      const group = registry.getBrokerMemberGroup(requireField(ext, 'clusterName'), requireField(ext, 'brokerName'));
      return ok(json(encodeBrokerMemberGroupBody(group, wantsStandardJson(request))));
    }
    case RequestCode.WIPE_WRITE_PERM_OF_BROKER: {
      const count = registry.wipeWritePermOfBroker(requireField(ext, 'brokerName'));
      return ok(null, { wipeTopicCount: String(count) });
    }
    case RequestCode.ADD_WRITE_PERM_OF_BROKER: {
      const count = registry.addWritePermOfBroker(requireField(ext, 'brokerName'));
      return ok(null, { addTopicCount: String(count) });
    }
    case RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER:
      return ok(topicListBody(registry.getAllTopicList()));
    case RequestCode.DELETE_TOPIC_IN_NAMESRV: {
      const topic = requireField(ext, 'topic');
      const clusterName = optionalField(ext, 'clusterName');
      if (clusterName !== null && clusterName !== '') registry.deleteTopic(topic, clusterName);
      else registry.deleteTopic(topic);
      return ok();
    }
    case RequestCode.REGISTER_TOPIC_IN_NAMESRV:
      return registerTopic(ctx, request);
    case RequestCode.GET_TOPICS_BY_CLUSTER:
      return ok(topicListBody(registry.getTopicsByCluster(requireField(ext, 'cluster'))));
    case RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS:
      return ok(topicListBody(registry.getSystemTopicList()));
    case RequestCode.GET_UNIT_TOPIC_LIST:
      return ok(topicListBody(registry.getUnitTopics()));
    case RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST:
      return ok(topicListBody(registry.getHasUnitSubTopicList()));
    case RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST:
      return ok(topicListBody(registry.getHasUnitSubUnUnitTopicList()));
    default:
      // RocketMQ's exact remark, leading space included.
      return fail(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`);
  }
}

function getRouteInfoByTopic(ctx: HandlerContext, request: RemotingCommand): Reply {
  const topic = requireField(request.extFields, 'topic');
  const standard = wantsStandardJson(request);
  const byTopic = ctx.routesByTopic;
  const epoch = ctx.registry.routeEpoch;
  if (byTopic.epoch !== epoch) {
    byTopic.standard.clear();
    byTopic.fastjson.clear();
    byTopic.epoch = epoch;
  }
  const front = standard ? byTopic.standard : byTopic.fastjson;
  const known = front.get(topic);
  if (known !== undefined) return known;
  const route = ctx.registry.getRouteInfoByTopic(topic);
  if (route === null) {
    return fail(ResponseCode.TOPIC_NOT_EXIST, `No topic route info in name server for the topic: ${topic}${APPLY_TOPIC_SUGGESTION}`);
  }
  const cache = standard ? ctx.standardRoutes : ctx.fastjsonRoutes;
  let reply = cache.get(route);
  if (reply === undefined) {
    const body = json(encodeTopicRouteData(route, standard));
    // Frozen: the same reply answers every request for this route snapshot.
    reply = Object.freeze({ code: ResponseCode.SUCCESS, remark: null, extFields: null, body, template: buildTemplate(body) });
    cache.set(route, reply);
  }
  // Only existing topics: unknown names must not grow the map.
  front.set(topic, reply);
  return reply;
}

/** A registration whose header and body are decoded, ready to apply. */
type DecodedRegistration = Omit<RegisterBrokerRequest, 'channel'>;

/**
 * REGISTER_BROKER. Bodies decode concurrently (inflating runs off the event
 * loop), but one connection's registrations apply in arrival order, so a
 * broker's newer topic table is never overwritten by an older one.
 */
function registerBroker(ctx: HandlerContext, request: RemotingCommand, channel: unknown): Promise<Reply> {
  const decoded = decodeRegistration(ctx, request);
  // Handled below, possibly later: a rejection must not count as unhandled meanwhile.
  decoded.catch(() => undefined);
  const key = typeof channel === 'object' && channel !== null ? channel : null;
  const previous = key === null ? undefined : ctx.registrations.get(key);
  const applied = (previous === undefined ? decoded : previous.then(() => decoded))
    .then((d) => (isReply(d) ? d : applyRegistration(ctx, d, channel)));
  if (key !== null) {
    const tail = applied.then(() => undefined, () => undefined);
    ctx.registrations.set(key, tail);
    void tail.then(() => {
      if (ctx.registrations.get(key) === tail) ctx.registrations.delete(key);
    });
  }
  return applied;
}

function isReply(value: DecodedRegistration | Reply): value is Reply {
  return 'code' in value;
}

async function decodeRegistration(ctx: HandlerContext, request: RemotingCommand): Promise<DecodedRegistration | Reply> {
  const ext = request.extFields;
  const brokerName = requireField(ext, 'brokerName');
  const brokerAddr = requireField(ext, 'brokerAddr');
  const clusterName = requireField(ext, 'clusterName');
  const haServerAddr = requireField(ext, 'haServerAddr');
  const brokerId = longField(ext, 'brokerId', true);
  const heartbeatTimeoutMillis = longField(ext, 'heartbeatTimeoutMillis', false);
  const enableActingMaster = booleanField(ext, 'enableActingMaster');
  const compressed = booleanField(ext, 'compressed') === true;
  const expectedCrc = intField(ext, 'bodyCrc32', 0);
  if (expectedCrc !== 0 && bodyCrc32(request.body) !== expectedCrc) {
    return fail(ResponseCode.SYSTEM_ERROR, 'crc32 not match');
  }
  const body = await decodeRegisterBrokerBody(request.body, {
    compressed, version: request.version, maxInflatedBytes: ctx.maxInflatedBytes,
  });
  return {
    clusterName, brokerAddr, brokerName, brokerId, haServerAddr,
    zoneName: optionalField(ext, ZONE_NAME),
    heartbeatTimeoutMillis,
    enableActingMaster,
    topicConfigWrapper: body.topicConfigSerializeWrapper,
    filterServerList: body.filterServerList,
  };
}

function applyRegistration(ctx: HandlerContext, registration: DecodedRegistration, channel: unknown): Reply {
  const result = ctx.registry.registerBroker({ ...registration, channel });
  if (result === null) return fail(ResponseCode.SYSTEM_ERROR, 'register broker failed');
  const extFields: Record<string, string> = {};
  if (result.haServerAddr !== null) extFields.haServerAddr = result.haServerAddr;
  if (result.masterAddr !== null) extFields.masterAddr = result.masterAddr;
  // RocketMQ's returnOrderTopicConfigToBroker: brokers learn the order topic configs.
  return ok(ctx.returnOrderTopicConfigToBroker ? kvTable(ctx, NAMESPACE_ORDER_TOPIC_CONFIG) : null, extFields);
}

function queryDataVersion(ctx: HandlerContext, request: RemotingCommand): Reply {
  const ext = request.extFields;
  requireField(ext, 'brokerName');
  longField(ext, 'brokerId', true);
  const brokerAddr = requireField(ext, 'brokerAddr');
  const clusterName = requireField(ext, 'clusterName');
  const dataVersion = request.body === null ? null : decodeDataVersion(request.body);
  // RocketMQ compares against a null version when there is no body: always "changed".
  const changed = dataVersion === null || ctx.registry.isBrokerTopicConfigChanged(clusterName, brokerAddr, dataVersion);
  ctx.registry.updateBrokerInfoUpdateTimestamp(clusterName, brokerAddr);
  const stored = ctx.registry.queryBrokerTopicConfig(clusterName, brokerAddr);
  return ok(stored === null ? null : json(encodeDataVersion(stored)), { changed: String(changed) });
}

function registerTopic(ctx: HandlerContext, request: RemotingCommand): Reply {
  const topic = requireField(request.extFields, 'topic');
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

/** RocketMQ's `KVTable` body of a namespace, or null when it has no entries. */
function kvTable(ctx: HandlerContext, namespace: string): Buffer | null {
  const table = ctx.kvConfig.getKVListByNamespace(namespace);
  return table === null ? null : json('{"table":' + JSON.stringify(table) + '}');
}

function topicListBody(list: TopicList): Buffer {
  const head = list.brokerAddr === undefined || list.brokerAddr === null ? '{' : '{"brokerAddr":' + JSON.stringify(list.brokerAddr) + ',';
  return json(head + '"topicList":' + JSON.stringify(list.topicList) + '}');
}

/** Fastjson's form of `DataVersion`: fields sorted, `stateVersion` explicit. */
export function encodeDataVersion(v: DataVersion): string {
  return '{"counter":' + v.counter + ',"stateVersion":' + (v.stateVersion ?? 0) + ',"timestamp":' + v.timestamp + '}';
}

function decodeDataVersion(body: Buffer): DataVersion {
  let parsed: unknown;
  try {
    parsed = parseFastjson(body.toString('utf8'));
  } catch (err) {
    throw new BodyDecodeError(`DataVersion is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isPlainObject(parsed)) throw new BodyDecodeError('DataVersion is not a JSON object');
  const timestamp = numberOf(parsed.timestamp, 'timestamp');
  const counter = numberOf(parsed.counter, 'counter');
  const stateVersion = parsed.stateVersion === undefined || parsed.stateVersion === null ? 0 : numberOf(parsed.stateVersion, 'stateVersion');
  return { stateVersion, timestamp, counter };
}

function numberOf(value: unknown, name: string): number {
  // fastjson writes longs as numbers; accept 0 for a missing one, as Java's defaults do.
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BodyDecodeError(`DataVersion.${name} is not a number`);
  return value;
}
