import { ValidateBy } from 'class-validator';

const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * What is wrong with a topic name under Kafka's rule (which the log enforces when the topic is
 * created), or null: 1 to 249 characters of a-z A-Z 0-9 . _ -, and not "." or "..". Checked with
 * the config, it fails the config at once instead of the task at its first record.
 */
export function topicNameProblem(name: string): string | null {
  if (LEGAL.test(name) && name !== '.' && name !== '..') return null;
  return `${JSON.stringify(name)} is not a valid topic name: use 1 to 249 characters of a-z A-Z 0-9 . _ -, not "." or ".."`;
}

/** A setting that names one topic (empty is left to `required`). */
export function IsTopicName(): PropertyDecorator {
  return ValidateBy({
    name: 'isTopicName',
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'string' || value === '' || topicNameProblem(value) === null,
      defaultMessage: (args) => topicNameProblem(String(args?.value)) ?? 'is not a valid topic name',
    },
  });
}

/**
 * topics.regex as Kafka's pattern subscription reads it: a topic is consumed when the pattern
 * matches its whole name (`orders` does not take `orders-dlq`). Throws a SyntaxError on a bad pattern.
 */
export function topicsPattern(regex: string): RegExp {
  // Java's leading inline flag for case-insensitive patterns, common in copied Kafka configs
  const caseless = regex.startsWith('(?i)');
  const body = caseless ? regex.slice(4) : regex;
  try {
    new RegExp(body);
  } catch (err) {
    throw new SyntaxError(`/${body}/: ${(err as Error).message.replace(/^.*: /, '')}`);
  }
  return new RegExp(`^(?:${body})$`, caseless ? 'i' : '');
}

/**
 * Whether a sink with these settings consumes `topic`: its `topics` list, or `topics.regex`. A
 * pattern that does not compile consumes nothing (validating the config reports it).
 */
export function sinkConsumes(config: Readonly<Record<string, string>>): (topic: string) => boolean {
  const regex = (config['topics.regex'] ?? '').trim();
  if (regex) {
    let pattern: RegExp;
    try {
      pattern = topicsPattern(regex);
    } catch {
      return () => false;
    }
    return (topic) => pattern.test(topic);
  }
  const topics = new Set((config['topics'] ?? '').split(',').map((t) => t.trim()));
  return (topic) => topics.has(topic);
}
