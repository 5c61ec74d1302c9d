/**
 * RocketMQ's `TopicValidator.validateTopic`: what a broker accepts as a topic
 * name. RocketMQ's name server does not check names it is told to create
 * (REGISTER_TOPIC_IN_NAMESRV); we do, so nothing can create over the wire a
 * route no broker would serve.
 * @internal
 */

const TOPIC_MAX_LENGTH = 127;
const RETRY_OR_DLQ_TOPIC_MAX_LENGTH = 255;
const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%';
/** `^[%|a-zA-Z0-9_-]+$` */
const LEGAL = /^[%|a-zA-Z0-9_-]+$/;

/** Java's `Character.isWhitespace` over a whole string (UtilAll.isBlank). */
const BLANK = /^[\s\u001c-\u001f]*$/;

/** RocketMQ's remark for an invalid topic name, or null when the name is valid. */
export function invalidTopicRemark(topic: string): string | null {
  if (BLANK.test(topic)) return 'The specified topic is blank.';
  if (!LEGAL.test(topic)) {
    return `The specified topic: ${topic}, contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`;
  }
  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(DLQ_GROUP_TOPIC_PREFIX)) {
    if (topic.length > RETRY_OR_DLQ_TOPIC_MAX_LENGTH) {
      return `The specified topic is DLQ or Retry topic: ${topic}, and it's longer than topic max length: ${RETRY_OR_DLQ_TOPIC_MAX_LENGTH}`;
    }
  } else if (topic.length > TOPIC_MAX_LENGTH) {
    return `The specified topic: ${topic}, is longer than topic max length: ${TOPIC_MAX_LENGTH}`;
  }
  return null;
}
