/**
 * Data versions (RocketMQ's `DataVersion`).
 * @module
 */
import type { DataVersion } from './types.js';

/** RocketMQ's `DataVersion.equals`; a missing `stateVersion` counts as 0. */
export function dataVersionEquals(a: DataVersion, b: DataVersion): boolean {
  return (a.stateVersion ?? 0) === (b.stateVersion ?? 0) && a.timestamp === b.timestamp && a.counter === b.counter;
}

/** The version of a broker that sent none: RocketMQ's `new DataVersion()` at `now`. */
export function freshDataVersion(now: number): Required<DataVersion> {
  return { stateVersion: 0, timestamp: now, counter: 0 };
}
