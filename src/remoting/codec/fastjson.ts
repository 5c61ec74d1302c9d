/**
 * JSON bodies the way RocketMQ's fastjson writes them.
 *
 * Java keys broker ids by `Long`, and fastjson writes such map keys
 * unquoted (`"brokerAddrs":{0:"10.0.0.1:10911"}`): not JSON, but what clients
 * before RocketMQ 4.9.4 (and `ali-ons`) expect. Newer clients ask for
 * standard JSON, which quotes them and sorts map keys (fastjson's
 * `BrowserCompatible` + `MapSortField`). Fields are sorted by name, as
 * fastjson does, and null fields are omitted.
 * @module
 */
import type {
  BrokerData, BrokerMemberGroup, ClusterInfo, QueueData, TopicQueueMappingInfo, TopicRouteData,
} from '../../core/types.js';

const q = JSON.stringify as (value: string) => string;
const DIGITS = /^\d+$/;

/** Encodes a route (GET_ROUTEINFO_BY_TOPIC body). */
export function encodeTopicRouteData(route: TopicRouteData, standard: boolean): string {
  let s = '{"brokerDatas":[';
  const brokerDatas = route.brokerDatas;
  for (let i = 0; i < brokerDatas.length; i++) {
    if (i > 0) s += ',';
    s += encodeBrokerData(brokerDatas[i] as BrokerData, standard);
  }
  s += '],"filterServerTable":{';
  const table = route.filterServerTable;
  const addrs = Object.keys(table);
  // MapSortField sorts; fastjson's plain HashMap order is arbitrary, so keep ours.
  if (standard) addrs.sort();
  for (let i = 0; i < addrs.length; i++) {
    const addr = addrs[i] as string;
    if (i > 0) s += ',';
    s += q(addr) + ':' + JSON.stringify(table[addr]);
  }
  s += '}';
  if (route.orderTopicConf !== undefined && route.orderTopicConf !== null) s += ',"orderTopicConf":' + q(route.orderTopicConf);
  s += ',"queueDatas":[';
  const queueDatas = route.queueDatas;
  for (let i = 0; i < queueDatas.length; i++) {
    if (i > 0) s += ',';
    s += encodeQueueData(queueDatas[i] as QueueData);
  }
  s += ']';
  const mappings = route.topicQueueMappingByBroker;
  if (mappings !== undefined && mappings !== null) s += ',"topicQueueMappingByBroker":' + encodeMappings(mappings, standard);
  return s + '}';
}

/**
 * A static topic's `topicQueueMappingByBroker`: broker names sorted (the
 * registry keeps them so), each `TopicQueueMappingInfo` with fields sorted,
 * a null `bname` omitted, and `currIdMap`'s int keys bare unless standard.
 */
function encodeMappings(mappings: Readonly<Record<string, Readonly<TopicQueueMappingInfo>>>, standard: boolean): string {
  let s = '{';
  let first = true;
  for (const name of Object.keys(mappings)) {
    const info = mappings[name] as TopicQueueMappingInfo;
    if (!first) s += ',';
    first = false;
    s += q(name) + ':{';
    if (info.bname !== null && info.bname !== undefined) s += '"bname":' + q(info.bname) + ',';
    s += '"currIdMap":{';
    let firstId = true;
    // Integer-like keys enumerate in ascending numeric order, as Java's sorted Integer keys.
    for (const id of Object.keys(info.currIdMap)) {
      if (!firstId) s += ',';
      firstId = false;
      s += (standard || !DIGITS.test(id) ? q(id) : id) + ':' + info.currIdMap[id];
    }
    s += '},"dirty":' + (info.dirty === true) + ',"epoch":' + info.epoch + ',"scope":' + q(info.scope)
      + ',"topic":' + q(info.topic) + ',"totalQueues":' + info.totalQueues + '}';
  }
  return s + '}';
}

/** Encodes cluster info (GET_BROKER_CLUSTER_INFO body). */
export function encodeClusterInfo(info: ClusterInfo, standard: boolean): string {
  let s = '{"brokerAddrTable":{';
  let first = true;
  for (const name of Object.keys(info.brokerAddrTable)) {
    if (!first) s += ',';
    first = false;
    s += q(name) + ':' + encodeBrokerData(info.brokerAddrTable[name] as BrokerData, standard);
  }
  return s + '},"clusterAddrTable":' + JSON.stringify(info.clusterAddrTable) + '}';
}

/** Encodes RocketMQ's `GetBrokerMemberGroupResponseBody` (GET_BROKER_MEMBER_GROUP body). */
export function encodeBrokerMemberGroupBody(group: BrokerMemberGroup, standard: boolean): string {
  return '{"brokerMemberGroup":{"brokerAddrs":' + encodeBrokerAddrs(group.brokerAddrs, standard)
    + ',"brokerName":' + q(group.brokerName) + ',"cluster":' + q(group.cluster) + '}}';
}

/** Encodes one `BrokerData`. */
export function encodeBrokerData(bd: BrokerData, standard: boolean): string {
  let s = '{"brokerAddrs":' + encodeBrokerAddrs(bd.brokerAddrs, standard)
    + ',"brokerName":' + q(bd.brokerName) + ',"cluster":' + q(bd.cluster)
    + ',"enableActingMaster":' + (bd.enableActingMaster === true);
  if (bd.zoneName !== undefined && bd.zoneName !== null) s += ',"zoneName":' + q(bd.zoneName);
  return s + '}';
}

function encodeBrokerAddrs(addrs: Readonly<Record<string, string>>, standard: boolean): string {
  let s = '{';
  let first = true;
  // Integer-like keys enumerate in ascending numeric order: the order of Java's sorted Long keys.
  for (const id of Object.keys(addrs)) {
    if (!first) s += ',';
    first = false;
    s += (standard || !DIGITS.test(id) ? q(id) : id) + ':' + q(addrs[id] as string);
  }
  return s + '}';
}

function encodeQueueData(qd: QueueData): string {
  return '{"brokerName":' + q(qd.brokerName) + ',"perm":' + qd.perm + ',"readQueueNums":' + qd.readQueueNums
    + ',"topicSysFlag":' + qd.topicSysFlag + ',"writeQueueNums":' + qd.writeQueueNums + '}';
}

/**
 * Parses JSON that fastjson wrote, which may have unquoted (numeric) object
 * keys. Standard JSON takes the fast path of `JSON.parse`.
 * @throws {SyntaxError} when the text is not JSON even with its keys quoted.
 */
export function parseFastjson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const quoted = quoteBareKeys(text);
    if (quoted === text) throw err;
    return JSON.parse(quoted);
  }
}

/** Quotes object keys written without quotes (`{0:"a"}` → `{"0":"a"}`), leaving strings alone. */
export function quoteBareKeys(text: string): string {
  let out = '';
  let copied = 0;
  let expectKey = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, escapes included.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) {
          i++;
          break;
        } else i++;
      }
      expectKey = false;
      continue;
    }
    if (c === 0x7b || c === 0x2c) {
      expectKey = true;
      i++;
      continue;
    }
    if (expectKey && isBareKeyChar(c)) {
      let j = i;
      while (j < n && isBareKeyChar(text.charCodeAt(j))) j++;
      let k = j;
      while (k < n && isSpace(text.charCodeAt(k))) k++;
      if (text.charCodeAt(k) === 0x3a) {
        out += text.slice(copied, i) + '"' + text.slice(i, j) + '"';
        copied = j;
      }
      i = j;
      expectKey = false;
      continue;
    }
    if (!isSpace(c)) expectKey = false;
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isBareKeyChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
    || c === 0x5f || c === 0x24 || c === 0x2d || c === 0x2b || c === 0x2e;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
