import { LogError } from '../errors.js';

const LEGAL = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;
/** Topics whose names start with this are the runtime's own (configs, offsets, status, groups). */
export const INTERNAL_TOPIC_PREFIX = '__';

/** Kafka's rule for topic names, which also keeps every name a safe directory name. */
export function validateTopicName(name: unknown): string {
  const allowed = [`1 to ${MAX_TOPIC_NAME_LENGTH} characters of a-z A-Z 0-9 . _ -, not "." or ".."`];
  if (typeof name !== 'string' || name.length === 0) {
    throw new LogError('INVALID_TOPIC', 'topic name must be a non-empty string', { field: 'topic', allowed });
  }
  if (name.length > MAX_TOPIC_NAME_LENGTH || !LEGAL.test(name) || name === '.' || name === '..') {
    throw new LogError('INVALID_TOPIC', `invalid topic name ${JSON.stringify(name)}: use ${allowed[0]}`, {
      field: 'topic',
      allowed,
      topic: name,
    });
  }
  return name;
}

export function isInternalTopic(name: string): boolean {
  return name.startsWith(INTERNAL_TOPIC_PREFIX);
}

export const MAX_PARTITIONS = 10_000;

export function validatePartitionCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_PARTITIONS) {
    throw new LogError(
      'INVALID_PARTITIONS',
      `invalid partition count ${JSON.stringify(count)}: partitions must be an integer from 1 to ${MAX_PARTITIONS}`,
      { field: 'partitions', allowed: [`1..${MAX_PARTITIONS}`] },
    );
  }
  return count;
}
