/**
 * Numeric constants of RocketMQ's remoting protocol (RocketMQ's
 * `RequestCode`, `ResponseCode`, `LanguageCode`, `SerializeType`, `MQVersion`).
 * @module
 */

/** Request codes the name server answers (RocketMQ's `RequestCode`). */
export const RequestCode = Object.freeze({
  PUT_KV_CONFIG: 100,
  GET_KV_CONFIG: 101,
  DELETE_KV_CONFIG: 102,
  REGISTER_BROKER: 103,
  UNREGISTER_BROKER: 104,
  GET_ROUTEINFO_BY_TOPIC: 105,
  GET_BROKER_CLUSTER_INFO: 106,
  WIPE_WRITE_PERM_OF_BROKER: 205,
  GET_ALL_TOPIC_LIST_FROM_NAMESERVER: 206,
  DELETE_TOPIC_IN_NAMESRV: 216,
  REGISTER_TOPIC_IN_NAMESRV: 217,
  GET_KVLIST_BY_NAMESPACE: 219,
  GET_TOPICS_BY_CLUSTER: 224,
  GET_SYSTEM_TOPIC_LIST_FROM_NS: 304,
  GET_UNIT_TOPIC_LIST: 311,
  GET_HAS_UNIT_SUB_TOPIC_LIST: 312,
  GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST: 313,
  UPDATE_NAMESRV_CONFIG: 318,
  GET_NAMESRV_CONFIG: 319,
  QUERY_DATA_VERSION: 322,
  ADD_WRITE_PERM_OF_BROKER: 327,
  GET_BROKER_MEMBER_GROUP: 901,
  BROKER_HEARTBEAT: 904,
  /** Sent by the name server to brokers (one-way), never answered by it. */
  NOTIFY_MIN_BROKER_ID_CHANGE: 905,
} as const);

/** Response codes the name server sends (RocketMQ's `ResponseCode` / `RemotingSysResponseCode`). */
export const ResponseCode = Object.freeze({
  SUCCESS: 0,
  SYSTEM_ERROR: 1,
  SYSTEM_BUSY: 2,
  REQUEST_CODE_NOT_SUPPORTED: 3,
  /** Refused by access control (see `RemotingServerOptions.accessControl`). */
  NO_PERMISSION: 16,
  TOPIC_NOT_EXIST: 17,
  QUERY_NOT_FOUND: 22,
  INVALID_PARAMETER: 29,
} as const);

/** The language a peer says it is written in (RocketMQ's `LanguageCode`). */
export const LanguageCode = Object.freeze({
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
  NODE_JS: 13,
} as const);

/** How a frame's header is serialized: the high byte of the frame's second int. */
export const SerializeType = Object.freeze({
  /** A JSON object (RocketMQ's default, and all `ali-ons` understands). */
  JSON: 0,
  /** RocketMQ's compact binary header. */
  ROCKETMQ: 1,
} as const);

/** One of {@link SerializeType}'s values. */
export type SerializeTypeValue = (typeof SerializeType)[keyof typeof SerializeType];

/**
 * Ordinals of RocketMQ's `MQVersion.Version` that change what the name server
 * does. A request's `version` field carries such an ordinal.
 */
export const MQVersion = Object.freeze({
  /** Older brokers send a bare `TopicConfigSerializeWrapper` as registration body. */
  V3_0_11: 37,
  /** From here on clients read standard JSON routes (quoted numeric keys). */
  V4_9_4: 401,
  /** From here on compressed registrations carry a topic queue mapping section. */
  V5_0_0: 413,
  /** RocketMQ 5.3.3, the version this name server answers as (`MQVersion.CURRENT_VERSION`). */
  V5_3_3: 479,
} as const);

/** Bit 0 of `flag`: the command is a response. */
export const FLAG_RESPONSE = 1;
/** Bit 1 of `flag`: the request wants no response. */
export const FLAG_ONEWAY = 2;

const LANGUAGE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(LanguageCode).map(([name, code]) => [code, name]),
);
const LANGUAGE_CODES: ReadonlyMap<string, number> = new Map(Object.entries(LanguageCode));

/** The name of a language code (`0` → `'JAVA'`), or undefined when unknown. */
export function languageName(code: number): string | undefined {
  return LANGUAGE_NAMES.get(code);
}

/** The code of a language name (`'JAVA'` → `0`), or undefined when unknown. */
export function languageCode(name: string): number | undefined {
  return LANGUAGE_CODES.get(name);
}
