/**
 * The typed request headers of the name server's requests, each read the way
 * RocketMQ's `decodeCommandCustomHeader` reads its Java class: every
 * `extFields` value is a string, parsed per the Java field's type;
 * `@CFNotNull` fields are required (fields are read in the Java class's
 * order, so the first missing one is the one reported).
 * @internal
 */
import { InvalidRequestError } from '../core/errors.js';

type ExtFields = Readonly<Record<string, string>>;

/** A required string field (`@CFNotNull String`). */
export function requireField(ext: ExtFields, name: string): string {
  const value = own(ext, name);
  if (value === undefined) throw new InvalidRequestError(name, 'is missing from the request header');
  return value;
}

/** An optional string field, null when absent. */
export function optionalField(ext: ExtFields, name: string): string | null {
  return own(ext, name) ?? null;
}

/** A `Long` field: Java's `Long.parseLong`, kept to integers a double holds exactly. */
export function longField(ext: ExtFields, name: string, required: true): number;
export function longField(ext: ExtFields, name: string, required: false): number | null;
export function longField(ext: ExtFields, name: string, required: boolean): number | null {
  const value = own(ext, name);
  if (value === undefined) {
    if (required) throw new InvalidRequestError(name, 'is missing from the request header');
    return null;
  }
  const n = /^[+-]?\d{1,19}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidRequestError(name, `is not an integer: ${JSON.stringify(value)}`);
  return n;
}

/** An `Integer` field (Java's `Integer.parseInt`), or `fallback` when absent. */
export function intField(ext: ExtFields, name: string, fallback: number): number {
  const value = own(ext, name);
  if (value === undefined) return fallback;
  const n = /^[+-]?\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) {
    throw new InvalidRequestError(name, `is not an int: ${JSON.stringify(value)}`);
  }
  return n;
}

/** A `Boolean` field: Java's `Boolean.parseBoolean` (only "true", any case, is true); null when absent. */
export function booleanField(ext: ExtFields, name: string): boolean | null {
  const value = own(ext, name);
  if (value === undefined) return null;
  return value.toLowerCase() === 'true';
}

function own(ext: ExtFields, name: string): string | undefined {
  return Object.hasOwn(ext, name) ? ext[name] : undefined;
}

type Ext = ExtFields;

/** RocketMQ's `MixAll.ZONE_NAME` ext field, set by brokers in zone mode. */
const ZONE_NAME = '__ZONE_NAME';

/** `RegisterBrokerRequestHeader` (103), plus the zone name brokers send beside it. */
export interface RegisterBrokerRequestHeader {
  readonly brokerName: string;
  readonly brokerAddr: string;
  readonly clusterName: string;
  readonly haServerAddr: string;
  readonly brokerId: number;
  readonly heartbeatTimeoutMillis: number | null;
  readonly enableActingMaster: boolean | null;
  /** What the header says; the body's first bytes decide its form. */
  readonly compressed: boolean;
  /** 0: not checked, as in RocketMQ. */
  readonly bodyCrc32: number;
  readonly zoneName: string | null;
}

export function readRegisterBrokerHeader(ext: Ext): RegisterBrokerRequestHeader {
  return {
    brokerName: requireField(ext, 'brokerName'),
    brokerAddr: requireField(ext, 'brokerAddr'),
    clusterName: requireField(ext, 'clusterName'),
    haServerAddr: requireField(ext, 'haServerAddr'),
    brokerId: longField(ext, 'brokerId', true),
    heartbeatTimeoutMillis: longField(ext, 'heartbeatTimeoutMillis', false),
    enableActingMaster: booleanField(ext, 'enableActingMaster'),
    compressed: booleanField(ext, 'compressed') === true,
    bodyCrc32: intField(ext, 'bodyCrc32', 0),
    zoneName: optionalField(ext, ZONE_NAME),
  };
}

/** `UnRegisterBrokerRequestHeader` (104). */
export interface UnRegisterBrokerRequestHeader {
  readonly brokerName: string;
  readonly brokerAddr: string;
  readonly clusterName: string;
  readonly brokerId: number;
}

export function readUnRegisterBrokerHeader(ext: Ext): UnRegisterBrokerRequestHeader {
  return {
    brokerName: requireField(ext, 'brokerName'),
    brokerAddr: requireField(ext, 'brokerAddr'),
    clusterName: requireField(ext, 'clusterName'),
    brokerId: longField(ext, 'brokerId', true),
  };
}

/** `BrokerHeartbeatRequestHeader` (904). */
export interface BrokerHeartbeatRequestHeader {
  readonly brokerName: string;
  readonly clusterName: string;
  readonly brokerAddr: string;
}

export function readBrokerHeartbeatHeader(ext: Ext): BrokerHeartbeatRequestHeader {
  return {
    brokerName: requireField(ext, 'brokerName'),
    clusterName: requireField(ext, 'clusterName'),
    brokerAddr: requireField(ext, 'brokerAddr'),
  };
}

/** `QueryDataVersionRequestHeader` (322). */
export interface QueryDataVersionRequestHeader {
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddr: string;
  readonly clusterName: string;
}

export function readQueryDataVersionHeader(ext: Ext): QueryDataVersionRequestHeader {
  return {
    brokerName: requireField(ext, 'brokerName'),
    brokerId: longField(ext, 'brokerId', true),
    brokerAddr: requireField(ext, 'brokerAddr'),
    clusterName: requireField(ext, 'clusterName'),
  };
}

/** `GetRouteInfoRequestHeader` (105). */
export interface GetRouteInfoRequestHeader {
  readonly topic: string;
  readonly acceptStandardJsonOnly: boolean | null;
}

export function readGetRouteInfoHeader(ext: Ext): GetRouteInfoRequestHeader {
  return { topic: requireField(ext, 'topic'), acceptStandardJsonOnly: booleanField(ext, 'acceptStandardJsonOnly') };
}

/** `GetBrokerMemberGroupRequestHeader` (901). */
export interface GetBrokerMemberGroupRequestHeader {
  readonly clusterName: string;
  readonly brokerName: string;
}

export function readGetBrokerMemberGroupHeader(ext: Ext): GetBrokerMemberGroupRequestHeader {
  return { clusterName: requireField(ext, 'clusterName'), brokerName: requireField(ext, 'brokerName') };
}

/** `GetTopicsByClusterRequestHeader` (224). */
export function readGetTopicsByClusterHeader(ext: Ext): { readonly cluster: string } {
  return { cluster: requireField(ext, 'cluster') };
}

/** `PutKVConfigRequestHeader` (100). */
export function readPutKvConfigHeader(ext: Ext): { readonly namespace: string; readonly key: string; readonly value: string } {
  return { namespace: requireField(ext, 'namespace'), key: requireField(ext, 'key'), value: requireField(ext, 'value') };
}

/** `GetKVConfigRequestHeader` (101) and `DeleteKVConfigRequestHeader` (102). */
export function readKvConfigKeyHeader(ext: Ext): { readonly namespace: string; readonly key: string } {
  return { namespace: requireField(ext, 'namespace'), key: requireField(ext, 'key') };
}

/** `GetKVListByNamespaceRequestHeader` (219). */
export function readGetKvListByNamespaceHeader(ext: Ext): { readonly namespace: string } {
  return { namespace: requireField(ext, 'namespace') };
}

/** `WipeWritePermOfBrokerRequestHeader` (205) and `AddWritePermOfBrokerRequestHeader` (327). */
export function readWritePermHeader(ext: Ext): { readonly brokerName: string } {
  return { brokerName: requireField(ext, 'brokerName') };
}

/** `DeleteTopicFromNamesrvRequestHeader` (216). */
export function readDeleteTopicHeader(ext: Ext): { readonly topic: string; readonly clusterName: string | null } {
  return { topic: requireField(ext, 'topic'), clusterName: optionalField(ext, 'clusterName') };
}

/** `RegisterTopicRequestHeader` (217). */
export function readRegisterTopicHeader(ext: Ext): { readonly topic: string } {
  return { topic: requireField(ext, 'topic') };
}
