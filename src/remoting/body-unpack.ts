/**
 * Turns the compact form of a scanned REGISTER_BROKER body (see
 * `body-scan.ts`) back into values: the same ones `JSON.parse` (or the
 * compressed decoder) gives, with the topic table as a `Map`, the registry's
 * fast path. Names are decoded straight from the body's bytes, so nothing
 * keeps the body alive afterwards.
 * @internal
 * @module
 */
import type { DataVersion, TopicConfig } from '../core/types.js';
import type { BodyScan } from './body-scan.js';
import type { RegisterBrokerBody } from './register-body.js';

/** A decoded `RegisterBrokerBody` whose topic table is a `Map` in body order. */
export interface MappedRegisterBrokerBody extends RegisterBrokerBody {
  topicConfigSerializeWrapper: { topicConfigTable: Map<string, TopicConfig>; dataVersion: DataVersion };
}

/** Where the topic records start in `BodyScan.ints`. */
const HEADER = 8;

/** Rebuilds the body from `scan`, whose ranges point into `src`. */
export function unpackRegisterBody(scan: BodyScan, src: Buffer): MappedRegisterBrokerBody {
  const { ints, names, values } = scan;
  const count = ints[0] as number;
  const protoId = names.indexOf('__proto__');
  const table = new Map<string, TopicConfig>();
  let p = HEADER;
  for (let t = 0; t < count; t++) {
    const keyKind = ints[p + 1] as number;
    const ks = ints[p + 2] as number;
    const ke = ints[p + 3] as number;
    const key = keyKind === 0 ? src.toString('latin1', ks, ke) : keyKind === 1 ? src.toString('utf8', ks, ke) : JSON.parse(src.toString('utf8', ks, ke)) as string;
    if (ints[p] === 1) {
      table.set(key, JSON.parse(src.toString('utf8', ints[p + 4] as number, ints[p + 5] as number)) as TopicConfig);
      p += 6;
      continue;
    }
    const fields = ints[p + 4] as number;
    p += 5;
    const config: Record<string, unknown> = {};
    for (let f = 0; f < fields; f++, p += 4) {
      const id = ints[p] as number;
      const a = ints[p + 2] as number;
      let value: unknown;
      switch (ints[p + 1]) {
        case 0: value = a; break;
        case 1: value = a !== 0; break;
        case 2: value = null; break;
        case 3: value = key; break;
        case 4: value = values[a]; break;
        case 5: value = src.toString('latin1', a, ints[p + 3] as number); break;
        case 6: value = src.toString('utf8', a, ints[p + 3] as number); break;
        case 9: value = {}; break;
        default: value = JSON.parse(src.toString('utf8', a, ints[p + 3] as number)); break;
      }
      if (id === protoId) Object.defineProperty(config, '__proto__', { value, enumerable: true, writable: true, configurable: true });
      else config[names[id] as string] = value;
    }
    table.set(key, config as unknown as TopicConfig);
  }
  const dataVersion: DataVersion = ints[2] === 1
    ? JSON.parse(src.toString('utf8', ints[3] as number, ints[4] as number)) as DataVersion
    : { stateVersion: 0, timestamp: 0, counter: 0 };
  return { topicConfigSerializeWrapper: { topicConfigTable: table, dataVersion }, filterServerList: filterServers(ints, src) };
}

function filterServers(ints: Int32Array, src: Buffer): string[] | null {
  const kind = ints[5];
  if (kind === 0) return [];
  const text = src.toString('utf8', ints[6] as number, ints[7] as number);
  if (kind === 1) return JSON.parse(text) as string[] | null;
  try {
    return JSON.parse(text) as string[] | null;
  } catch {
    // The compressed layout: RocketMQ logs and keeps the empty list.
    return [];
  }
}
