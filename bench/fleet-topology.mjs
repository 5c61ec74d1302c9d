// R5 of shared/BENCH.md: the fleet's shape (who holds which topics) and the
// frames its brokers and clients send. Shared by the runner (bench/fleet.mjs)
// and the load generators (bench/fleet-generator.mjs), so both agree on names.
import { deflateSync } from 'node:zlib';
import { bodyCrc32 } from '../dist/experimental/codec.js';

export const REGISTER_BROKER = 103;
export const GET_ROUTEINFO_BY_TOPIC = 105;
export const GET_BROKER_CLUSTER_INFO = 106;
/** RocketMQ 5.3.3's MQVersion ordinal: what 5.3.3 brokers and clients put in `version`. */
export const V5_3_3 = 479;
export const CLUSTERS = 4;
/** Topics a broker's user topics come in: a block of 250 sits on 4 consecutive brokers of a cluster. */
export const BLOCK = 250;
export const COPIES = 4;

/**
 * The fleet: `brokers` brokers in 4 clusters (contiguous quarters, so odd and
 * even brokers, compressed and plain bodies, are in every cluster), each the
 * master of its own group with `topicsPerBroker` user topics.
 */
export function fleetShape(brokers, topicsPerBroker = 1000) {
  if (brokers < CLUSTERS * COPIES) throw new Error(`R5 needs at least ${CLUSTERS * COPIES} brokers`);
  if (topicsPerBroker % COPIES !== 0) throw new Error(`topics per broker must be a multiple of ${COPIES}`);
  const block = topicsPerBroker / COPIES;
  const clusterStart = Array.from({ length: CLUSTERS + 1 }, (_, c) => Math.floor((c * brokers) / CLUSTERS));
  const clusterOf = (g) => {
    let c = 0;
    while (g >= clusterStart[c + 1]) c++;
    return c;
  };
  const clusterSize = (c) => clusterStart[c + 1] - clusterStart[c];
  /** User topics of cluster c: one block per broker of the cluster. */
  const userTopicsOf = (c) => clusterSize(c) * block;
  const userTopics = Array.from({ length: CLUSTERS }, (_, c) => userTopicsOf(c)).reduce((a, b) => a + b, 0);
  return {
    brokers, topicsPerBroker, block, clusterOf, clusterSize, userTopicsOf, userTopics,
    clusterName: (c) => `FleetCluster-${c}`,
    brokerName: (g) => `fleet-broker-${g}`,
    brokerAddr: (g) => `10.${(g >> 16) & 255}.${(g >> 8) & 255}.${g & 255}:10911`,
    topicName: (c, t) => `FleetTopic-${c}-${t}`,
    /** The user topic of index `i` over the whole fleet (0 ≤ i < userTopics). */
    topicAt(i) {
      let c = 0;
      while (i >= userTopicsOf(c)) i -= userTopicsOf(c++);
      return `FleetTopic-${c}-${i}`;
    },
    /** User topics of broker g: blocks k, k-1, k-2, k-3 (mod the cluster's size), k its index in its cluster. */
    userTopicsOfBroker(g) {
      const c = clusterOf(g);
      const n = clusterSize(c);
      const k = g - clusterStart[c];
      const names = [];
      for (let copy = 0; copy < COPIES; copy++) {
        const b = (k - copy + n) % n;
        for (let i = 0; i < block; i++) names.push(`FleetTopic-${c}-${b * block + i}`);
      }
      return names;
    },
  };
}

/** The 8 system topics a RocketMQ 5 broker registers besides its users'. */
function systemTopics(cluster, brokerName) {
  return [
    ['TBW102', 8, 7], ['SELF_TEST_TOPIC', 1, 6], ['OFFSET_MOVED_EVENT', 1, 6], ['SCHEDULE_TOPIC_XXXX', 18, 6],
    ['RMQ_SYS_TRANS_HALF_TOPIC', 1, 6], [`rmq_sys_REVIVE_LOG_${cluster}`, 8, 6], [cluster, 16, 7], [brokerName, 1, 7],
  ].map(([topicName, queues, perm]) => ({ topicName, readQueueNums: queues, writeQueueNums: queues, perm }));
}

/** Broker g's topic configs: its user topics (8/8, perm 6) and the system topics. */
export function brokerTopics(shape, g) {
  const user = shape.userTopicsOfBroker(g).map((topicName) => ({ topicName, readQueueNums: 8, writeQueueNums: 8, perm: 6 }));
  return [...user, ...systemTopics(shape.clusterName(shape.clusterOf(g)), shape.brokerName(g))];
}

/** A plain RegisterBrokerBody as a RocketMQ 5 broker writes it (fastjson: sorted fields, attributes, mapping sections). */
function plainBody(topics, dataVersion) {
  let s = `{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":${dataVersion.counter},"stateVersion":0,`
    + `"timestamp":${dataVersion.timestamp}},"mappingDataVersion":{"counter":0,"stateVersion":0,"timestamp":0},"topicConfigTable":{`;
  for (let i = 0; i < topics.length; i++) {
    const t = topics[i];
    const q = JSON.stringify(t.topicName);
    s += `${i > 0 ? ',' : ''}${q}:{"attributes":{},"order":false,"perm":${t.perm},"readQueueNums":${t.readQueueNums},`
      + `"topicFilterType":"SINGLE_TAG","topicName":${q},"topicSysFlag":0,"writeQueueNums":${t.writeQueueNums}}`;
  }
  return Buffer.from(`${s}},"topicQueueMappingDetailMap":{},"topicQueueMappingInfoMap":{}}}`);
}

function intBytes(n) {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n, 0);
  return b;
}

/**
 * RocketMQ 5's compressed layout (`RegisterBrokerBody.encode(true)`): a zlib
 * stream (Deflater.BEST_COMPRESSION) of length-prefixed data version JSON,
 * topic count, `TopicConfig.encode()` strings, filter servers, and the 5.x
 * static-topic mapping count.
 */
function compressedBody(topics, dataVersion) {
  const parts = [];
  const push = (s) => {
    const bytes = Buffer.from(s);
    parts.push(intBytes(bytes.length), bytes);
  };
  push(JSON.stringify({ counter: dataVersion.counter, stateVersion: 0, timestamp: dataVersion.timestamp }));
  parts.push(intBytes(topics.length));
  for (const t of topics) push(`${t.topicName} ${t.readQueueNums} ${t.writeQueueNums} ${t.perm} SINGLE_TAG {}`);
  push('[]');
  parts.push(intBytes(0));
  return deflateSync(Buffer.concat(parts), { level: 9 });
}

/** Odd-numbered brokers send the compressed layout (with `compressed=false` in the header, as 5.3.3 brokers do). */
export const sendsCompressed = (g) => g % 2 === 1;

/** Broker g's REGISTER_BROKER body at `dataVersion`, and its CRC as the header carries it. */
export function registerBody(shape, g, topics, dataVersion) {
  const body = sendsCompressed(g) ? compressedBody(topics, dataVersion) : plainBody(topics, dataVersion);
  return { body, crc: bodyCrc32(body) };
}

/** A JSON-header request frame's header part (length prefix included); the body follows it on the wire. */
export function requestHead(code, opaque, extFields, bodyLength = 0) {
  const header = Buffer.from(JSON.stringify({ code, language: 'JAVA', version: V5_3_3, opaque, flag: 0, extFields, serializeTypeCurrentRPC: 'JSON' }));
  const head = Buffer.allocUnsafe(8 + header.length);
  head.writeInt32BE(4 + header.length + bodyLength, 0);
  head.writeInt32BE(header.length, 4); // serialize type 0 (JSON) in the high byte
  header.copy(head, 8);
  return head;
}

/** The REGISTER_BROKER header fields of broker g, as a 5.3.3 master sends them. */
export function registerFields(shape, g, crc) {
  const addr = shape.brokerAddr(g);
  return {
    brokerName: shape.brokerName(g), brokerAddr: addr, clusterName: shape.clusterName(shape.clusterOf(g)),
    haServerAddr: addr.replace(/:\d+$/, ':10912'), brokerId: '0', enableActingMaster: 'false', compressed: 'false', bodyCrc32: String(crc),
  };
}

/** Reads complete frames off a socket: `onFrame(code, opaque, frame)` per response (JSON header). */
export function onFrames(socket, onFrame) {
  let pending = null;
  socket.on('data', (chunk) => {
    const buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    while (buf.length - offset >= 4) {
      const length = buf.readInt32BE(offset);
      if (buf.length - offset < 4 + length) break;
      const headerLength = buf.readInt32BE(offset + 4) & 0xffffff;
      const header = JSON.parse(buf.toString('utf8', offset + 8, offset + 8 + headerLength));
      onFrame(header.code, header.opaque, buf.subarray(offset + 8 + headerLength, offset + 4 + length));
      offset += 4 + length;
    }
    pending = offset === buf.length ? null : buf.subarray(offset);
  });
}
