/**
 * Topic configs as brokers declare them: RocketMQ's defaults for omitted
 * fields (the one place they are written down), permission and system-flag
 * bits, and the checks of one config entry.
 * @module
 */
import { InvalidRequestError } from '../errors.js';
import { describeValue, isPlainObject } from '../records.js';
import type { TopicConfig } from '../types.js';

/** Permission bits (RocketMQ's `PermName`). */
export const PERM_PRIORITY = 8;
export const PERM_READ = 4;
export const PERM_WRITE = 2;
export const PERM_INHERIT = 1;
/** Every bit `PermName` defines: a perm is an integer from 0 to this. */
export const PERM_ALL = PERM_PRIORITY | PERM_READ | PERM_WRITE | PERM_INHERIT;
/** Topic system flags (RocketMQ's `TopicSysFlag`). */
export const FLAG_UNIT = 1;
export const FLAG_UNIT_SUB = 2;

/** RocketMQ's `TopicConfig` defaults, used when a broker omits a field. */
export const TOPIC_CONFIG_DEFAULTS = Object.freeze({
  readQueueNums: 16,
  writeQueueNums: 16,
  perm: PERM_READ | PERM_WRITE,
  topicSysFlag: 0,
  topicFilterType: 'SINGLE_TAG',
});

/** Topics of this prefix never get an acting master (RocketMQ's `TopicValidator`). */
export const SYNC_BROKER_MEMBER_GROUP_PREFIX = 'rmq_sys_SYNC_BROKER_MEMBER_';

/** The queue figures of one topic config, normalized with RocketMQ's defaults. */
export interface NormalizedTopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

/** A queue count: a non-negative integer, the default when absent. */
export function requireCount(value: unknown, field: string, fallback: number = TOPIC_CONFIG_DEFAULTS.readQueueNums): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidRequestError(field, `must be a non-negative integer, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Permission bits 0–15 (priority, read, write, inherit: every bit RocketMQ's
 * `PermName` defines, all kept as sent), the default when absent.
 */
export function requirePerm(value: unknown, field: string): number {
  if (value === undefined) return TOPIC_CONFIG_DEFAULTS.perm;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > PERM_ALL) {
    throw new InvalidRequestError(field, `must be an integer from 0 to ${PERM_ALL}, got ${describeValue(value)}`);
  }
  return value;
}

/** A topic system flag: a non-negative integer, 0 when absent. */
export function requireSysFlag(value: unknown, field: string): number {
  if (value === undefined || value === null) return TOPIC_CONFIG_DEFAULTS.topicSysFlag;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidRequestError(field, `must be a non-negative integer, got ${describeValue(value)}`);
  }
  return value;
}

/** Validates one entry of a topic config table; the error names its key. */
export function normalizeTopicConfig(value: unknown, key: string): NormalizedTopicConfig {
  const field = `topicConfigWrapper.topicConfigTable[${JSON.stringify(key)}]`;
  if (!isPlainObject(value)) throw new InvalidRequestError(field, `must be an object, got ${describeValue(value)}`);
  const config = value as Partial<TopicConfig>;
  if (typeof config.topicName !== 'string') {
    throw new InvalidRequestError(`${field}.topicName`, `must be a string, got ${describeValue(config.topicName)}`);
  }
  return {
    topicName: config.topicName,
    readQueueNums: requireCount(config.readQueueNums, `${field}.readQueueNums`),
    writeQueueNums: requireCount(config.writeQueueNums, `${field}.writeQueueNums`),
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
    && (perm === undefined || (typeof perm === 'number' && (perm & PERM_ALL) === perm))
    && (flag === null || isSmallCount(flag));
}

/** The queue figures a (valid) config stands for, defaults applied and write cleared when `wipeWrite`. */
export function readQueueNumsOf(config: TopicConfig): number {
  return config.readQueueNums ?? TOPIC_CONFIG_DEFAULTS.readQueueNums;
}
export function writeQueueNumsOf(config: TopicConfig): number {
  return config.writeQueueNums ?? TOPIC_CONFIG_DEFAULTS.writeQueueNums;
}
export function permOf(config: TopicConfig, wipeWrite: boolean): number {
  const perm = config.perm ?? TOPIC_CONFIG_DEFAULTS.perm;
  // An acting master (prime slave) serves reads only.
  return wipeWrite ? perm & ~PERM_WRITE : perm;
}
export function sysFlagOf(config: TopicConfig): number {
  return config.topicSysFlag ?? TOPIC_CONFIG_DEFAULTS.topicSysFlag;
}
