/**
 * The shape of a RocketMQ remoting command (RocketMQ's `RemotingCommand`).
 * @module
 */
import type { SerializeTypeValue } from './codes.js';

/** A command's header fields, whichever way they were serialized. */
export interface RemotingHeader {
  /** Request code, or response code for responses. */
  code: number;
  /** The sender's {@link LanguageCode}. */
  language: number;
  /** The sender's `MQVersion` ordinal. */
  version: number;
  /** Matches a response to its request; any int32, 0 included. */
  opaque: number;
  /** Bit 0: response ({@link FLAG_RESPONSE}); bit 1: oneway ({@link FLAG_ONEWAY}). */
  flag: number;
  /** Human-readable text, usually the reason of an error; null when absent. */
  remark: string | null;
  /**
   * The custom header (RocketMQ's `extFields`): string values only. Entries
   * with a null or empty binary value are dropped, as RocketMQ reads them as absent.
   */
  extFields: Record<string, string>;
}

/** A decoded frame: header, body and how the header was serialized. */
export interface RemotingCommand extends RemotingHeader {
  /** The body bytes, or null when the frame has none. */
  body: Buffer | null;
  /** How the header was serialized; replies use the same. */
  serializeType: SerializeTypeValue;
}
