/** Builders shared by the registry tests, mirroring RocketMQ's RouteInfoManagerNewTest helpers. */
import type { DataVersion, RegisterBrokerRequest, TopicConfig } from '../../src/index.js';

export const DEFAULT_CLUSTER = 'Default_Cluster';
export const DEFAULT_BROKER = 'Default_Broker';
export const DEFAULT_ADDR_PREFIX = '127.0.0.1:';
export const DEFAULT_ADDR = `${DEFAULT_ADDR_PREFIX}10911`;

/** A controllable clock. */
export class FakeClock {
  constructor(public time = 1_700_000_000_000) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface BrokerInfo {
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  haServerAddr: string;
  brokerId: number;
  enableActingMaster: boolean | null;
  dataVersion: DataVersion;
}

export function defaultBroker(overrides: Partial<BrokerInfo> = {}): BrokerInfo {
  return {
    clusterName: DEFAULT_CLUSTER,
    brokerName: DEFAULT_BROKER,
    brokerAddr: DEFAULT_ADDR,
    haServerAddr: `${DEFAULT_ADDR_PREFIX}20911`,
    brokerId: 0,
    enableActingMaster: true,
    dataVersion: { stateVersion: 0, timestamp: 1000, counter: 1 },
    ...overrides,
  };
}

export function slaveBroker(overrides: Partial<BrokerInfo> = {}): BrokerInfo {
  return defaultBroker({
    brokerId: 1,
    brokerAddr: `${DEFAULT_ADDR_PREFIX}30911`,
    haServerAddr: `${DEFAULT_ADDR_PREFIX}40911`,
    ...overrides,
  });
}

export function nextVersion(v: DataVersion): DataVersion {
  return { ...v, counter: v.counter + 1 };
}

export function topicConfig(topicName: string, queues = 8, perm = 6, extra: Partial<TopicConfig> = {}): TopicConfig {
  return { topicName, readQueueNums: queues, writeQueueNums: queues, perm, topicSysFlag: 0, order: false, ...extra };
}

/** A table of `topics` plus RocketMQ tests' `baseTopic` (16 queues), so a table never has exactly one topic. */
export function topicTable(topics: readonly string[], queues = 8): Record<string, TopicConfig> {
  const table: Record<string, TopicConfig> = {};
  Object.defineProperty(table, 'baseTopic', { value: topicConfig('baseTopic', 16), enumerable: true, writable: true, configurable: true });
  for (const t of topics) {
    Object.defineProperty(table, t, { value: topicConfig(t, queues), enumerable: true, writable: true, configurable: true });
  }
  return table;
}

/** A registration whose topic table is a plain object, as RocketMQ's JSON. */
export type RecordRegistration = RegisterBrokerRequest & {
  topicConfigWrapper: { topicConfigTable: Record<string, TopicConfig>; dataVersion: DataVersion };
};

export function registration(info: BrokerInfo, topics: readonly string[], extra: Partial<RegisterBrokerRequest> = {}): RecordRegistration {
  return {
    clusterName: info.clusterName,
    brokerAddr: info.brokerAddr,
    brokerName: info.brokerName,
    brokerId: info.brokerId,
    haServerAddr: info.haServerAddr,
    zoneName: '',
    enableActingMaster: info.enableActingMaster,
    topicConfigWrapper: { topicConfigTable: topicTable(topics), dataVersion: { ...info.dataVersion } },
    filterServerList: [],
    ...extra,
  } as RecordRegistration;
}

export function unregistration(info: BrokerInfo) {
  return { clusterName: info.clusterName, brokerAddr: info.brokerAddr, brokerName: info.brokerName, brokerId: info.brokerId };
}
