/**
 * Request validation. Every check runs before the registry changes anything,
 * so an invalid request throws {@link InvalidRequestError} and leaves the
 * tables as they were.
 * @internal
 */
import { InvalidRequestError } from '../errors.js';
import { describeValue as describe, isPlainObject } from '../records.js';
import { normalizeMappings, type NormalizedMappings } from '../tables/static-topics.js';
import { requireCount, requirePerm, requireSysFlag } from './topic-config.js';
import type { UncheckedTopicTable } from './topic-table.js';
import type { DataVersion, QueueData, RegisterBrokerRequest, UnregisterBrokerRequest } from '../types.js';

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidRequestError(field, `must be a string, got ${describe(value)}`);
  return value;
}

export function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  return requireString(value, field);
}

export function requireBrokerId(value: unknown, field = 'brokerId'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidRequestError(field, `must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

function requireFiniteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidRequestError(field, `must be a finite number, got ${describe(value)}`);
  }
  return value;
}

/** A copy of a data version with `stateVersion` made explicit. */
export function normalizeDataVersion(value: unknown, field: string): Required<DataVersion> {
  if (!isPlainObject(value)) throw new InvalidRequestError(field, `must be an object, got ${describe(value)}`);
  const stateVersion = value.stateVersion === undefined || value.stateVersion === null
    ? 0
    : requireFiniteNumber(value.stateVersion, `${field}.stateVersion`);
  return {
    stateVersion,
    timestamp: requireFiniteNumber(value.timestamp, `${field}.timestamp`),
    counter: requireFiniteNumber(value.counter, `${field}.counter`),
  };
}

/** The fields of a registration every call needs, validated. */
export interface NormalizedRegistration {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string | null;
  zoneName: string | null;
  heartbeatTimeoutMillis: number | null;
  /** null for brokers older than RocketMQ 5. */
  enableActingMaster: boolean | null;
  /** null when the request carries no topic config wrapper. */
  topicConfigTable: UncheckedTopicTable | null;
  dataVersion: Required<DataVersion> | null;
  /** The wrapper's static topic mappings; null when none. */
  topicQueueMappings: NormalizedMappings | null;
  filterServerList: readonly string[] | null;
  /** The connection the registration came on; null when none. */
  channel: unknown;
}

/** Validates everything of a registration except the topic table's entries. */
export function normalizeRegistration(req: unknown): NormalizedRegistration {
  if (!isPlainObject(req)) throw new InvalidRequestError('request', `must be an object, got ${describe(req)}`);
  const r = req as Partial<Record<keyof RegisterBrokerRequest, unknown>>;
  const clusterName = requireString(r.clusterName, 'clusterName');
  const brokerAddr = requireString(r.brokerAddr, 'brokerAddr');
  const brokerName = requireString(r.brokerName, 'brokerName');
  const brokerId = requireBrokerId(r.brokerId);
  const haServerAddr = optionalString(r.haServerAddr, 'haServerAddr');
  const zoneName = optionalString(r.zoneName, 'zoneName');
  let heartbeatTimeoutMillis: number | null = null;
  if (r.heartbeatTimeoutMillis !== undefined && r.heartbeatTimeoutMillis !== null) {
    const t = r.heartbeatTimeoutMillis;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
      throw new InvalidRequestError('heartbeatTimeoutMillis', `must be a non-negative number, got ${describe(t)}`);
    }
    heartbeatTimeoutMillis = t;
  }
  let enableActingMaster: boolean | null = null;
  if (r.enableActingMaster !== undefined && r.enableActingMaster !== null) {
    if (typeof r.enableActingMaster !== 'boolean') {
      throw new InvalidRequestError('enableActingMaster', `must be a boolean, got ${describe(r.enableActingMaster)}`);
    }
    enableActingMaster = r.enableActingMaster;
  }
  let topicConfigTable: UncheckedTopicTable | null = null;
  let dataVersion: Required<DataVersion> | null = null;
  let topicQueueMappings: NormalizedMappings | null = null;
  const wrapper = r.topicConfigWrapper;
  if (wrapper !== undefined && wrapper !== null) {
    if (!isPlainObject(wrapper)) {
      throw new InvalidRequestError('topicConfigWrapper', `must be an object, got ${describe(wrapper)}`);
    }
    const table = wrapper.topicConfigTable;
    if (table === undefined || table === null) {
      topicConfigTable = {};
    } else if (table instanceof Map) {
      topicConfigTable = table as ReadonlyMap<string, unknown>;
    } else if (!isPlainObject(table)) {
      throw new InvalidRequestError('topicConfigWrapper.topicConfigTable', `must be an object or a Map, got ${describe(table)}`);
    } else {
      topicConfigTable = table;
    }
    dataVersion = normalizeDataVersion(wrapper.dataVersion, 'topicConfigWrapper.dataVersion');
    topicQueueMappings = normalizeMappings(wrapper.topicQueueMappingInfoMap, 'topicConfigWrapper.topicQueueMappingInfoMap');
  }
  let filterServerList: readonly string[] | null = null;
  if (r.filterServerList !== undefined && r.filterServerList !== null) {
    const list = r.filterServerList;
    if (!Array.isArray(list)) {
      throw new InvalidRequestError('filterServerList', `must be an array of strings, got ${describe(list)}`);
    }
    list.forEach((item, i) => requireString(item, `filterServerList[${i}]`));
    filterServerList = Object.freeze([...(list as string[])]);
  }
  return {
    clusterName, brokerAddr, brokerName, brokerId, haServerAddr, zoneName, heartbeatTimeoutMillis,
    enableActingMaster, topicConfigTable, dataVersion, topicQueueMappings, filterServerList,
    channel: r.channel === undefined ? null : r.channel,
  };
}

/** Validates a batch of unregistrations; an error names the request's index. */
export function normalizeUnregistrations(requests: unknown): UnregisterBrokerRequest[] {
  if (requests === null || typeof requests !== 'object' || !(Symbol.iterator in requests)) {
    throw new InvalidRequestError('requests', 'must be an iterable of unregister requests');
  }
  const batch: UnregisterBrokerRequest[] = [];
  for (const req of requests as Iterable<unknown>) {
    try {
      batch.push(normalizeUnregistration(req));
    } catch (err) {
      if (err instanceof InvalidRequestError) {
        throw new InvalidRequestError(`requests[${batch.length}].${err.field}`, err.reason, { cause: err });
      }
      throw err;
    }
  }
  return batch;
}

/** Validates an unregistration. */
export function normalizeUnregistration(req: unknown): UnregisterBrokerRequest {
  if (!isPlainObject(req)) throw new InvalidRequestError('request', `must be an object, got ${describe(req)}`);
  return {
    clusterName: requireString(req.clusterName, 'clusterName'),
    brokerAddr: requireString(req.brokerAddr, 'brokerAddr'),
    brokerName: requireString(req.brokerName, 'brokerName'),
    brokerId: requireBrokerId(req.brokerId),
  };
}

/** Validates the queue datas of a `registerTopic` call. */
export function normalizeQueueDatas(value: unknown): QueueData[] {
  if (!Array.isArray(value)) throw new InvalidRequestError('queueDatas', `must be an array, got ${describe(value)}`);
  return value.map((item: unknown, i) => {
    const field = `queueDatas[${i}]`;
    if (!isPlainObject(item)) throw new InvalidRequestError(field, `must be an object, got ${describe(item)}`);
    return {
      brokerName: requireString(item.brokerName, `${field}.brokerName`),
      readQueueNums: requireCount(item.readQueueNums, `${field}.readQueueNums`),
      writeQueueNums: requireCount(item.writeQueueNums, `${field}.writeQueueNums`),
      perm: requirePerm(item.perm, `${field}.perm`),
      topicSysFlag: requireSysFlag(item.topicSysFlag, `${field}.topicSysFlag`),
    };
  });
}

// ---------------------------------------------------------------- data versions (RocketMQ's `DataVersion`)

/** RocketMQ's `DataVersion.equals`; a missing `stateVersion` counts as 0. */
export function dataVersionEquals(a: DataVersion, b: DataVersion): boolean {
  return (a.stateVersion ?? 0) === (b.stateVersion ?? 0) && a.timestamp === b.timestamp && a.counter === b.counter;
}

/** The version of a broker that sent none: RocketMQ's `new DataVersion()` at `now`. */
export function freshDataVersion(now: number): Required<DataVersion> {
  return { stateVersion: 0, timestamp: now, counter: 0 };
}
