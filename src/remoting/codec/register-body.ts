/**
 * The REGISTER_BROKER body (RocketMQ's `RegisterBrokerBody`) on the wire:
 * its encoder here, its types and decoder in `../decode/` (the one module
 * that turns a body into a table), re-exported for the codec's users.
 * @module
 */
import { deflateSync } from 'node:zlib';
import { TOPIC_CONFIG_DEFAULTS as TC } from '../../core/registration/topic-config.js';
import type { TopicConfig } from '../../core/types.js';
import type { RegisterBrokerBody } from '../decode/general.js';

export {
  CRC32_NOT_MATCH, DEFAULT_MAX_TOPICS_PER_REGISTRATION, checkBodyCrc32, decodeInflatedBody, decodePlainBody,
  decodeRegisterBrokerBody, isZlibStream,
} from '../decode/general.js';
export type {
  DecodeRegisterBrokerBodyOptions, DecodedRegisterBrokerBody, RegisterBrokerBody, TopicConfigSerializeWrapper, TopicQueueMappingInfo,
} from '../decode/general.js';

/**
 * Encodes a REGISTER_BROKER body as a RocketMQ broker does
 * (`RegisterBrokerBody.encode(compress)`), static topic mappings included.
 */
export function encodeRegisterBrokerBody(body: RegisterBrokerBody, compressed = false): Buffer {
  const wrapper = body.topicConfigSerializeWrapper;
  const table = wrapper.topicConfigTable;
  const mappings = entriesOf(wrapper.topicQueueMappingInfoMap ?? {});
  if (!compressed) {
    const tableJson = table instanceof Map ? mapToJson(table) : JSON.stringify(table);
    const mappingJson = mappings.length === 0 ? '' : ',"topicQueueMappingInfoMap":' + mapToJson(new Map(mappings));
    return Buffer.from(
      '{"filterServerList":' + JSON.stringify(body.filterServerList ?? []) + ',"topicConfigSerializeWrapper":{"dataVersion":'
      + JSON.stringify(wrapper.dataVersion) + ',"topicConfigTable":' + tableJson + mappingJson + '}}', 'utf8');
  }
  const parts: Buffer[] = [];
  const pushString = (s: string): void => {
    const bytes = Buffer.from(s, 'utf8');
    parts.push(intBytes(bytes.length), bytes);
  };
  pushString(JSON.stringify({ counter: wrapper.dataVersion.counter, stateVersion: wrapper.dataVersion.stateVersion ?? 0,
    timestamp: wrapper.dataVersion.timestamp }));
  const configs = table instanceof Map ? [...(table as ReadonlyMap<string, TopicConfig>).values()] : Object.values(table);
  parts.push(intBytes(configs.length));
  for (const c of configs) {
    pushString(`${c.topicName} ${c.readQueueNums ?? TC.readQueueNums} ${c.writeQueueNums ?? TC.writeQueueNums} ${c.perm ?? TC.perm} `
      + `${c.topicFilterType ?? TC.topicFilterType} ${JSON.stringify(c.attributes ?? {})}`);
  }
  pushString(JSON.stringify(body.filterServerList ?? []));
  parts.push(intBytes(mappings.length));
  for (const [, info] of mappings) pushString(JSON.stringify(info));
  // Deflater.BEST_COMPRESSION, zlib-wrapped like Java's DeflaterOutputStream.
  return deflateSync(Buffer.concat(parts), { level: 9 });
}

function entriesOf<T>(table: ReadonlyMap<string, T> | Readonly<Record<string, T>>): Array<[string, T]> {
  return table instanceof Map ? [...(table as ReadonlyMap<string, T>)] : Object.entries(table as Record<string, T>);
}

function mapToJson(table: ReadonlyMap<string, unknown>): string {
  let s = '{';
  for (const [name, config] of table) s += (s.length > 1 ? ',' : '') + JSON.stringify(name) + ':' + JSON.stringify(config);
  return s + '}';
}

function intBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}

