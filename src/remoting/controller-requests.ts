/**
 * The controller's request codes on the name server's port (Java's
 * `ControllerRequestProcessor`): 1001–1006, 1009–1013, and BROKER_HEARTBEAT
 * (904) when it carries a broker id (a controller heartbeat; the name
 * server's own heartbeat has none). One line per code, each decoding its
 * header and calling the {@link Controller}. Only when the server was given
 * a controller (`enableControllerInNamesrv`).
 * @internal
 */
import type { Controller } from '../controller/controller.js';
import { ControllerResponseCode } from '../controller/response-codes.js';
import type { ControllerResponse, SyncStateSetBody } from '../controller/types.js';
import { InvalidRequestError } from '../core/errors.js';
import { parseProperties } from '../config/properties.js';
import { isPlainObject } from '../core/records.js';
import { brokerHeartbeat } from './broker-requests.js';
import { parseFastjson } from './codec/fastjson.js';
import { RequestCode, ResponseCode } from './codes.js';
import type { RemotingCommand } from './command.js';
import {
  headerFields, readAlterSyncStateSetHeader, readApplyBrokerIdHeader, readCleanBrokerDataHeader, readControllerHeartbeatHeader, readElectMasterHeader,
  readGetNextBrokerIdHeader, readGetReplicaInfoHeader, readRegisterBrokerToControllerHeader,
} from './controller-headers.js';
import { fail, type Reply } from './reply.js';
import type { Peer, RequestContext } from './request-context.js';

/** The controller's request codes (Java's `RequestCode`, 1001–1018). */
export const ControllerRequestCode = Object.freeze({
  CONTROLLER_ALTER_SYNC_STATE_SET: 1001,
  CONTROLLER_ELECT_MASTER: 1002,
  CONTROLLER_REGISTER_BROKER: 1003,
  CONTROLLER_GET_REPLICA_INFO: 1004,
  CONTROLLER_GET_METADATA_INFO: 1005,
  CONTROLLER_GET_SYNC_STATE_DATA: 1006,
  GET_BROKER_EPOCH_CACHE: 1007,
  NOTIFY_BROKER_ROLE_CHANGED: 1008,
  UPDATE_CONTROLLER_CONFIG: 1009,
  GET_CONTROLLER_CONFIG: 1010,
  CLEAN_BROKER_DATA: 1011,
  CONTROLLER_GET_NEXT_BROKER_ID: 1012,
  CONTROLLER_APPLY_BROKER_ID: 1013,
  /** 1014–1018 are JRaft's own, between controllers. */
  RAFT_BROKER_HEART_BEAT_EVENT_REQUEST: 1018,
});

const C = ControllerRequestCode;

/** Whether `request` is the controller's to answer (the hook dispatch calls first); every request in controller-only mode. */
export function isControllerRequest(ctx: RequestContext, request: RemotingCommand): boolean {
  if (ctx.controller === undefined || ctx.controller === null) return false;
  // A standalone controller answers everything itself: the name server's codes are not supported there.
  if (ctx.controllerOnly === true) return true;
  if (request.code >= C.CONTROLLER_ALTER_SYNC_STATE_SET && request.code <= C.RAFT_BROKER_HEART_BEAT_EVENT_REQUEST) return true;
  return request.code === RequestCode.BROKER_HEARTBEAT && Object.hasOwn(request.extFields, 'brokerId');
}

/** Answers one controller request (call only when {@link isControllerRequest}). */
export async function controllerRequest(ctx: RequestContext, request: RemotingCommand, peer: Peer): Promise<Reply> {
  const controller = ctx.controller;
  if (controller === undefined || controller === null) return notSupported(request.code);
  const ext = request.extFields;
  switch (request.code) {
    case C.CONTROLLER_ALTER_SYNC_STATE_SET: return reply(await controller.alterSyncStateSet(readAlterSyncStateSetHeader(ext), readSyncStateSetBody(request.body)));
    case C.CONTROLLER_ELECT_MASTER: return reply(await controller.electMaster(readElectMasterHeader(ext)));
    case C.CONTROLLER_REGISTER_BROKER: return reply(await controller.registerBroker(readRegisterBrokerToControllerHeader(ext)));
    case C.CONTROLLER_GET_REPLICA_INFO: return reply(await controller.getReplicaInfo(readGetReplicaInfoHeader(ext).brokerName));
    case C.CONTROLLER_GET_METADATA_INFO: return { code: ResponseCode.SUCCESS, remark: null, extFields: headerFields(controller.metadata()), body: null };
    case C.CONTROLLER_GET_SYNC_STATE_DATA: return getSyncStateData(controller, request.body);
    case C.UPDATE_CONTROLLER_CONFIG: return updateConfig(controller, request.body);
    case C.GET_CONTROLLER_CONFIG: return { code: ResponseCode.SUCCESS, remark: null, extFields: null, body: Buffer.from(controller.config.format(), 'utf8') };
    case C.CLEAN_BROKER_DATA: return reply(await controller.cleanBrokerData(readCleanBrokerDataHeader(ext)));
    case C.CONTROLLER_GET_NEXT_BROKER_ID: return reply(await controller.getNextBrokerId(readGetNextBrokerIdHeader(ext)));
    case C.CONTROLLER_APPLY_BROKER_ID: return reply(await controller.applyBrokerId(readApplyBrokerIdHeader(ext)));
    case RequestCode.BROKER_HEARTBEAT: return heartbeat(ctx, controller, request, peer);
    // GET_BROKER_EPOCH_CACHE and NOTIFY_BROKER_ROLE_CHANGED are brokers' codes; 1014–1018 JRaft's.
    default: return notSupported(request.code);
  }
}

function notSupported(code: number): Reply {
  return fail(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${code} not supported`);
}

/** A controller response as a frame: header fields as strings, the body as JSON. */
function reply(response: ControllerResponse): Reply {
  return {
    code: response.code, remark: response.remark, extFields: headerFields(response.header),
    body: response.body === null ? null : Buffer.from(encodeControllerBody(response.body), 'utf8'),
  };
}

/** A controller body as fastjson writes it: maps as objects (numeric keys quoted, which fastjson reads back), null fields left out. */
export function encodeControllerBody(body: unknown): string {
  return JSON.stringify(body, (_key, value: unknown) => {
    if (value instanceof Map) return Object.fromEntries(value);
    return value === null ? undefined : value;
  });
}

/** BROKER_HEARTBEAT with a broker id: the controller's liveness, and the name server's too (same port, same broker). */
function heartbeat(ctx: RequestContext, controller: Controller, request: RemotingCommand, peer: Peer): Reply {
  const header = readControllerHeartbeatHeader(request.extFields);
  if (header === null) return fail(ControllerResponseCode.CONTROLLER_INVALID_REQUEST, 'Heart beat with empty brokerId');
  controller.brokerHeartbeat({ ...header, channel: peer.channel });
  watchChannel(ctx, controller, peer.channel);
  if (ctx.controllerOnly !== true) brokerHeartbeat(ctx, request);
  return { code: ResponseCode.SUCCESS, remark: 'Heart beat success', extFields: null, body: null };
}

/** Channels whose close each controller already listens for. */
const watched = new WeakMap<Controller, WeakSet<object>>();

/**
 * A broker's connection closing makes it inactive at once and, when it was a
 * master, elects another (Java's `BrokerHousekeepingService`), unless this
 * server is the one closing it.
 */
function watchChannel(ctx: RequestContext, controller: Controller, channel: object): void {
  let seen = watched.get(controller);
  if (seen === undefined) {
    seen = new WeakSet();
    watched.set(controller, seen);
  }
  if (seen.has(channel)) return;
  seen.add(channel);
  const emitter = channel as { once?: unknown };
  if (typeof emitter.once !== 'function') return;
  const once = emitter.once as (event: string, listener: () => void) => void;
  once.call(channel, 'close', () => controller.onChannelClose(channel, { elect: ctx.serverClosing?.() !== true }));
}

/** CONTROLLER_GET_SYNC_STATE_DATA: the body lists broker names; without one Java answers its "not set" default. */
async function getSyncStateData(controller: Controller, body: Buffer | null): Promise<Reply> {
  const names = body === null ? [] : parseJsonBody(body, 'broker name list');
  if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) {
    throw new InvalidRequestError('body', 'must be a JSON list of broker names');
  }
  if (names.length === 0) return fail(ResponseCode.SYSTEM_ERROR, 'not set any response code');
  return reply(await controller.getSyncStateData(names));
}

/** UPDATE_CONTROLLER_CONFIG: properties text; black-listed keys refuse the whole update (Java's remark). */
function updateConfig(controller: Controller, body: Buffer | null): Reply {
  if (body !== null) {
    const result = controller.config.update(parseProperties(body.toString('utf8')));
    if (result.status === 'blacklisted') return fail(ResponseCode.NO_PERMISSION, 'Can not update config in black list.');
  }
  return { code: ResponseCode.SUCCESS, remark: null, extFields: null, body: null };
}

function readSyncStateSetBody(body: Buffer | null): SyncStateSetBody {
  if (body === null) throw new InvalidRequestError('body', 'must be a SyncStateSet');
  const parsed = parseJsonBody(body, 'SyncStateSet');
  if (!isPlainObject(parsed)) throw new InvalidRequestError('body', 'must be a SyncStateSet object');
  const set = parsed.syncStateSet ?? [];
  const epoch = parsed.syncStateSetEpoch ?? 0;
  if (!Array.isArray(set) || !set.every((id) => typeof id === 'number' && Number.isSafeInteger(id))) {
    throw new InvalidRequestError('body.syncStateSet', 'must be a list of broker ids');
  }
  if (typeof epoch !== 'number' || !Number.isInteger(epoch)) throw new InvalidRequestError('body.syncStateSetEpoch', 'must be an int');
  return { syncStateSet: set as number[], syncStateSetEpoch: epoch };
}

function parseJsonBody(body: Buffer, what: string): unknown {
  try {
    return parseFastjson(body.toString('utf8'));
  } catch (err) {
    throw new InvalidRequestError('body', `is not a JSON ${what}: ${(err as Error).message}`, { cause: err });
  }
}
