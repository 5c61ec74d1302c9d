/**
 * What brokers send: REGISTER_BROKER (103), UNREGISTER_BROKER (104),
 * QUERY_DATA_VERSION (322) and BROKER_HEARTBEAT (904). RocketMQ's
 * `DefaultRequestProcessor` methods of the same names.
 * @internal
 */
import { isPlainObject } from '../core/records.js';
import { NAMESPACE_ORDER_TOPIC_CONFIG } from '../core/kv-config.js';
import type { DataVersion, RegisterBrokerRequest } from '../core/types.js';
import { kvTableBody } from './admin-requests.js';
import { parseFastjson } from './codec/fastjson.js';
import { CRC32_NOT_MATCH, type RegisterBrokerBody } from './codec/register-body.js';
import { ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import { BodyDecodeError } from './errors.js';
import {
  readBrokerHeartbeatHeader, readQueryDataVersionHeader, readRegisterBrokerHeader, readUnRegisterBrokerHeader,
} from './headers.js';
import { fail, json, ok, type Reply } from './reply.js';
import { inOrder, type Ordered, type Peer, type RequestContext } from './request-context.js';

/** A registration whose header and body are decoded, ready to apply. */
type DecodedRegistration = Omit<RegisterBrokerRequest, 'channel'>;

/**
 * REGISTER_BROKER. The body decodes concurrently with other requests
 * (inflating runs off the event loop); the connection applies its
 * registrations in arrival order.
 */
export function registerBroker(ctx: RequestContext, request: RemotingCommand, peer: Peer): Ordered {
  return inOrder(decodeRegistration(ctx, request, peer.signal), (decoded) => (isReply(decoded) ? decoded : applyRegistration(ctx, decoded, peer)));
}

function isReply(value: DecodedRegistration | Reply): value is Reply {
  return 'code' in value;
}

async function decodeRegistration(ctx: RequestContext, request: RemotingCommand, signal: AbortSignal): Promise<DecodedRegistration | Reply> {
  const header = readRegisterBrokerHeader(request.extFields);
  let body: RegisterBrokerBody;
  try {
    // The decoder checks the CRC where it decodes (a pool on its worker): 1.6 MB cost ~0.5 ms on the event loop.
    body = await ctx.decodeRegisterBody(request.body, {
      compressed: header.compressed, version: request.version, maxInflatedBytes: ctx.maxInflatedBytes, signal,
      bodyCrc32: header.bodyCrc32,
    });
  } catch (err) {
    // RocketMQ's exact answer to a checksum mismatch, not the generic one for a body that cannot be decoded.
    if (err instanceof BodyDecodeError && err.message === CRC32_NOT_MATCH) return fail(ResponseCode.SYSTEM_ERROR, CRC32_NOT_MATCH);
    throw err;
  }
  return {
    clusterName: header.clusterName,
    brokerAddr: header.brokerAddr,
    brokerName: header.brokerName,
    brokerId: header.brokerId,
    haServerAddr: header.haServerAddr,
    zoneName: header.zoneName,
    heartbeatTimeoutMillis: header.heartbeatTimeoutMillis,
    enableActingMaster: header.enableActingMaster,
    topicConfigWrapper: body.topicConfigSerializeWrapper,
    filterServerList: body.filterServerList,
  };
}

function applyRegistration(ctx: RequestContext, registration: DecodedRegistration, peer: Peer): Reply {
  const result = ctx.registry.registerBroker({ ...registration, channel: peer.channel });
  if (result === null) return fail(ResponseCode.SYSTEM_ERROR, 'register broker failed');
  const extFields: Record<string, string> = {};
  if (result.haServerAddr !== null) extFields.haServerAddr = result.haServerAddr;
  if (result.masterAddr !== null) extFields.masterAddr = result.masterAddr;
  // RocketMQ's returnOrderTopicConfigToBroker: brokers learn the order topic configs.
  const returnOrderTopicConfig = ctx.returnOrderTopicConfigToBroker ?? ctx.registry.options.returnOrderTopicConfigToBroker;
  return ok(returnOrderTopicConfig ? kvTableBody(ctx.kvConfig, NAMESPACE_ORDER_TOPIC_CONFIG) : null, extFields);
}

/** UNREGISTER_BROKER. */
export function unregisterBroker(ctx: RequestContext, request: RemotingCommand): Reply {
  const header = readUnRegisterBrokerHeader(request.extFields);
  ctx.registry.unregisterBroker({
    brokerName: header.brokerName, brokerAddr: header.brokerAddr, clusterName: header.clusterName, brokerId: header.brokerId,
  });
  return ok();
}

/** BROKER_HEARTBEAT: refreshes the broker's liveness only. */
export function brokerHeartbeat(ctx: RequestContext, request: RemotingCommand): Reply {
  const header = readBrokerHeartbeatHeader(request.extFields);
  ctx.registry.updateBrokerInfoUpdateTimestamp(header.clusterName, header.brokerAddr);
  return ok();
}

/** QUERY_DATA_VERSION: whether the broker's topic table changed since the version it sends; refreshes its liveness. */
export function queryDataVersion(ctx: RequestContext, request: RemotingCommand): Reply {
  const { brokerAddr, clusterName } = readQueryDataVersionHeader(request.extFields);
  const dataVersion = request.body === null ? null : decodeDataVersion(request.body);
  // RocketMQ compares against a null version when there is no body: always "changed".
  const changed = dataVersion === null || ctx.registry.isBrokerTopicConfigChanged(clusterName, brokerAddr, dataVersion);
  ctx.registry.updateBrokerInfoUpdateTimestamp(clusterName, brokerAddr);
  const stored = ctx.registry.queryBrokerTopicConfig(clusterName, brokerAddr);
  return ok(stored === null ? null : json(encodeDataVersion(stored)), { changed: String(changed) });
}

/** Fastjson's form of `DataVersion`: fields sorted, `stateVersion` explicit. */
function encodeDataVersion(v: DataVersion): string {
  return '{"counter":' + v.counter + ',"stateVersion":' + (v.stateVersion ?? 0) + ',"timestamp":' + v.timestamp + '}';
}

/** The broker's data version, or null for a body of `null` (fastjson decodes it to null, as a missing body). */
function decodeDataVersion(body: Buffer): DataVersion | null {
  let parsed: unknown;
  try {
    parsed = parseFastjson(body.toString('utf8'));
  } catch (err) {
    throw new BodyDecodeError(`DataVersion is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (parsed === null) return null;
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
