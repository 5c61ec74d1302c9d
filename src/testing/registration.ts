/**
 * REGISTER_BROKER requests as a RocketMQ broker builds them, with the
 * broker's own system topics in the table: a name server refuses a first
 * registration carrying exactly one topic (RocketMQ's one-topic rule), which
 * a hand-written request with one user topic falls into.
 * @module
 */
import { bodyCrc32, encodeRegisterBrokerBody, InvalidOptionError, RequestCode } from './deps.js';
import type { DataVersion, TopicConfig } from './deps.js';

/** Topics: names (4 read and 4 write queues, perm 6) or configs by name (missing fields take those defaults). */
export type TopicsSpec = readonly string[] | Readonly<Record<string, Partial<TopicConfig>>> | ReadonlyMap<string, Partial<TopicConfig>>;

/** What {@link buildRegisterBrokerRequest} needs. */
export interface RegisterBrokerRequestSpec {
  /** @default 'DefaultCluster' */
  readonly clusterName?: string;
  readonly brokerName: string;
  /** `host:port` where producers reach the broker. */
  readonly brokerAddr: string;
  /** 0 for the master, > 0 for a slave. @default 0 */
  readonly brokerId?: number;
  /** @default brokerAddr */
  readonly haServerAddr?: string;
  /** The broker's topics, besides its system topics. @default [] */
  readonly topics?: TopicsSpec;
  /**
   * Include the system topics a RocketMQ broker always registers
   * ({@link systemTopicConfigs}). Turn off only to reproduce the one-topic rule.
   * @default true
   */
  readonly systemTopics?: boolean;
  /** Register TBW102, the topic producers fall back on for topics the name server does not know. @default true */
  readonly autoCreateTopic?: boolean;
  /** The table's version; the same version again makes a registration a heartbeat. @default { stateVersion: 0, timestamp: 0, counter: 1 } */
  readonly dataVersion?: DataVersion;
  /** Send the zlib-compressed body form (a broker's `compressedRegister`). @default false */
  readonly compressed?: boolean;
  /** How long the name server may wait for the next heartbeat before dropping the broker. */
  readonly heartbeatTimeoutMillis?: number;
  /** @default false */
  readonly enableActingMaster?: boolean;
  /** The broker's zone (RocketMQ's `zoneName`). */
  readonly zoneName?: string;
}

/**
 * A REGISTER_BROKER request ready for `RemotingClient.invoke(code, extFields, body)` (the core's
 * `RegisterBrokerRequest` is what `registry.registerBroker` takes).
 */
export interface RegisterBrokerWireRequest {
  readonly code: typeof RequestCode.REGISTER_BROKER;
  readonly extFields: Record<string, string>;
  readonly body: Buffer;
  /** The table sent, system topics included. */
  readonly topicConfigTable: ReadonlyMap<string, TopicConfig>;
}

/** Default queue figures of a topic given by name. */
const TOPIC_DEFAULTS = Object.freeze({ readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false });

/**
 * The topics a RocketMQ broker's `TopicConfigManager` creates for itself:
 * one named after the broker (1 queue) and one after its cluster (16
 * queues), both perm 7 (inherit, read, write), `SELF_TEST_TOPIC`, and
 * `TBW102` (8 queues, perm 7) when the broker auto-creates topics.
 */
export function systemTopicConfigs(brokerName: string, clusterName: string, autoCreateTopic = true): Map<string, TopicConfig> {
  const table = new Map<string, TopicConfig>();
  const add = (topicName: string, queues: number, perm: number): void => {
    table.set(topicName, { ...TOPIC_DEFAULTS, topicName, readQueueNums: queues, writeQueueNums: queues, perm });
  };
  add('SELF_TEST_TOPIC', 1, 6);
  if (autoCreateTopic) add('TBW102', 8, 7);
  add(clusterName, 16, 7);
  add(brokerName, 1, 7);
  return table;
}

/** Normalizes a {@link TopicsSpec} into full topic configs (a `Map`: any name is legal, `__proto__` too). */
export function topicConfigsOf(topics: TopicsSpec | undefined): Map<string, TopicConfig> {
  const table = new Map<string, TopicConfig>();
  if (topics === undefined) return table;
  if (Array.isArray(topics)) {
    for (const name of topics as readonly unknown[]) {
      if (typeof name !== 'string' || name === '') throw new InvalidOptionError('topics', 'must be non-empty strings');
      table.set(name, { ...TOPIC_DEFAULTS, topicName: name });
    }
    return table;
  }
  if (typeof topics !== 'object' || topics === null) throw new InvalidOptionError('topics', 'must be an array of names or configs by name');
  const entries = topics instanceof Map
    ? [...(topics as ReadonlyMap<string, Partial<TopicConfig>>)]
    : Object.entries(topics as Readonly<Record<string, Partial<TopicConfig>>>);
  for (const [name, config] of entries) {
    if (typeof config !== 'object' || config === null) throw new InvalidOptionError(`topics[${JSON.stringify(name)}]`, `must be an object`);
    table.set(name, { ...TOPIC_DEFAULTS, ...config, topicName: name });
  }
  return table;
}

/**
 * Builds a REGISTER_BROKER request as a RocketMQ broker sends it: header
 * fields, `RegisterBrokerBody` (plain JSON or compressed) and `bodyCrc32`.
 * The broker's system topics are in the table, so a broker with a single
 * topic of its own registers.
 * @throws {@link InvalidOptionError} when a name or id is invalid.
 * @example
 * ```ts
 * const req = buildRegisterBrokerRequest({ brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911', topics: ['Orders'] });
 * const res = await client.invoke(req.code, req.extFields, req.body);
 * ```
 */
export function buildRegisterBrokerRequest(spec: RegisterBrokerRequestSpec): RegisterBrokerWireRequest {
  const clusterName = spec.clusterName ?? 'DefaultCluster';
  checkName(spec.brokerName, 'brokerName');
  checkName(clusterName, 'clusterName');
  checkName(spec.brokerAddr, 'brokerAddr');
  const brokerId = spec.brokerId ?? 0;
  if (!Number.isSafeInteger(brokerId) || brokerId < 0) throw new InvalidOptionError('brokerId', `must be an integer >= 0, got ${String(brokerId)}`);
  const table = spec.systemTopics === false ? new Map<string, TopicConfig>() : systemTopicConfigs(spec.brokerName, clusterName, spec.autoCreateTopic);
  // The broker's own configs win over the defaults of a system topic of the same name.
  for (const [name, config] of topicConfigsOf(spec.topics)) table.set(name, config);
  const compressed = spec.compressed ?? false;
  const body = encodeRegisterBrokerBody({
    topicConfigSerializeWrapper: { topicConfigTable: table, dataVersion: spec.dataVersion ?? { stateVersion: 0, timestamp: 0, counter: 1 } },
    filterServerList: [],
  }, compressed);
  const extFields: Record<string, string> = {
    clusterName,
    brokerName: spec.brokerName,
    brokerAddr: spec.brokerAddr,
    brokerId: String(brokerId),
    haServerAddr: spec.haServerAddr ?? spec.brokerAddr,
    enableActingMaster: String(spec.enableActingMaster ?? false),
    compressed: String(compressed),
    bodyCrc32: String(bodyCrc32(body)),
  };
  if (spec.heartbeatTimeoutMillis !== undefined) extFields['heartbeatTimeoutMillis'] = String(spec.heartbeatTimeoutMillis);
  // RocketMQ brokers send their zone as this extra header field (MixAll.ZONE_NAME).
  if (spec.zoneName !== undefined) extFields['__ZONE_NAME'] = spec.zoneName;
  return { code: RequestCode.REGISTER_BROKER, extFields, body, topicConfigTable: table };
}

function checkName(value: unknown, name: string): void {
  if (typeof value !== 'string' || value === '') throw new InvalidOptionError(`${name}`, `must be a non-empty string`);
}
