/**
 * `rocketmq-namesrv/testing`: RocketMQ in unit tests, in milliseconds, no
 * JVM. {@link startTestNamesrv} runs a name server on loopback;
 * {@link FakeBroker} registers with it like a broker and answers what real
 * producers send; the wait helpers wait for the name server to see
 * something, bounded in time.
 * @packageDocumentation
 */
export { startTestNamesrv } from './start-test-namesrv.js';
export type { TestNamesrv, TestNamesrvOptions, StartBrokerOptions } from './start-test-namesrv.js';
export { FakeBroker, parseNamesrvAddr } from './fake-broker.js';
export type { FakeBrokerOptions, WaitForMessagesOptions } from './fake-broker.js';
export type { ReceivedMessage, SendBehavior } from './message-log.js';
export { buildRegisterBrokerRequest, systemTopicConfigs, topicConfigsOf } from './registration.js';
export type { RegisterBrokerWireRequest, RegisterBrokerRequestSpec, TopicsSpec } from './registration.js';
export { waitForRoute, waitForBroker, waitForBrokerGone, findBrokers } from './wait.js';
export type { RegistrySource, WaitOptions, WaitForRouteOptions, BrokerMatch, BrokerRef } from './wait.js';
export {
  BrokerRequestCode, decodeSendRequestHeader, decodeMessageProperties, encodeMessageProperties, encodeBatchMessages,
  decodeBatchMessages, inflateMessageBody, createOffsetMessageId,
} from './broker-protocol.js';
export type { SendRequestHeader, BatchMessage, DecodedBatchMessage } from './broker-protocol.js';
export { BrokerRegistrationError, NamesrvResponseError, WaitTimeoutError } from './errors.js';
