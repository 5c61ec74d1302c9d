/**
 * Request validation. Every check runs before the registry changes anything,
 * so an invalid request throws {@link InvalidRequestError} and leaves the
 * tables as they were.
 * @internal
 */
import { InvalidRequestError } from './errors.js';
import { isPlainObject } from './records.js';
import type { UncheckedTopicTable } from './topic-table.js';
import type { DataVersion, QueueData, RegisterBrokerRequest, TopicConfig, UnregisterBrokerRequest } from './types.js';

/** RocketMQ's `TopicConfig` defaults, used when a broker omits a field. */
const DEFAULT_QUEUE_NUMS = 16;
const DEFAULT_PERM = 6;

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

function requireCount(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidRequestError(field, `must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

function requirePerm(value: unknown, field: string): number {
  if (value === undefined) return DEFAULT_PERM;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 7) {
    throw new InvalidRequestError(field, `must be an integer from 0 to 7, got ${describe(value)}`);
  }
  return value;
}

function requireSysFlag(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
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

/** The queue figures of one topic config, normalized with RocketMQ's defaults. */
export interface NormalizedTopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

/** Validates one entry of a topic config table. */
export function normalizeTopicConfig(value: unknown, key: string): NormalizedTopicConfig {
  const field = `topicConfigWrapper.topicConfigTable[${JSON.stringify(key)}]`;
  if (!isPlainObject(value)) throw new InvalidRequestError(field, `must be an object, got ${describe(value)}`);
  const config = value as Partial<TopicConfig>;
  return {
    topicName: requireString(config.topicName, `${field}.topicName`),
    readQueueNums: requireCount(config.readQueueNums, `${field}.readQueueNums`, DEFAULT_QUEUE_NUMS),
    writeQueueNums: requireCount(config.writeQueueNums, `${field}.writeQueueNums`, DEFAULT_QUEUE_NUMS),
    perm: requirePerm(config.perm, `${field}.perm`),
    topicSysFlag: requireSysFlag(config.topicSysFlag, `${field}.topicSysFlag`),
  };
}

/** Fast check for the common case; larger valid counts fall through to the exact check. */
function isSmallCount(v: unknown): boolean {
  return v === undefined || (typeof v === 'number' && (v | 0) === v && v >= 0);
}

/**
 * Allocation-free check of one topic config on the registration hot path.
 * False means "look closer": {@link normalizeTopicConfig} then accepts the
 * config or throws the precise error.
 */
export function isValidTopicConfig(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<TopicConfig>;
  const perm = c.perm;
  const flag = c.topicSysFlag;
  return typeof c.topicName === 'string'
    && isSmallCount(c.readQueueNums)
    && isSmallCount(c.writeQueueNums)
    && (perm === undefined || (typeof perm === 'number' && (perm & 7) === perm))
    && (flag === null || isSmallCount(flag));
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
    enableActingMaster, topicConfigTable, dataVersion, filterServerList,
    channel: r.channel === undefined ? null : r.channel,
  };
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
      readQueueNums: requireCount(item.readQueueNums, `${field}.readQueueNums`, DEFAULT_QUEUE_NUMS),
      writeQueueNums: requireCount(item.writeQueueNums, `${field}.writeQueueNums`, DEFAULT_QUEUE_NUMS),
      perm: requirePerm(item.perm, `${field}.perm`),
      topicSysFlag: requireSysFlag(item.topicSysFlag, `${field}.topicSysFlag`),
    };
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}
