import { LogError } from '../errors.js';
import type { TopicPartition } from '../record.js';

/*
 * The "consumer" protocol type's payloads, carried opaquely by the coordinator: the subscription a
 * member sends in joinGroup (one per assignor it supports) and the assignment the leader sends
 * back through syncGroup. JSON in a Buffer:
 *
 *   subscription  {"version":1,"topics":[..],"ownedPartitions":[{"topic","partition"}],
 *                  "generation":n|-1,"userData":base64|null}
 *   assignment    {"version":1,"partitions":[{"topic","partition"}],"userData":base64|null}
 *
 * Compatibility: a reader accepts any version >= 1 and reads the fields it knows, so a later
 * version may add fields but never change the meaning of these. An empty assignment buffer (the
 * leader gave the member nothing at all) reads as no partitions.
 */

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
export const CONSUMER_PROTOCOL_VERSION = 1;
const NO_GENERATION = -1;

export interface ConsumerSubscription {
  topics: string[];
  ownedPartitions: TopicPartition[];
  /** The generation in which the member got `ownedPartitions`; -1 when it has none. */
  generation: number;
  userData: Buffer | null;
}

export interface ConsumerAssignment {
  partitions: TopicPartition[];
  userData: Buffer | null;
}

export function encodeSubscription(subscription: {
  topics: readonly string[];
  ownedPartitions?: readonly TopicPartition[];
  generation?: number;
  userData?: Buffer | null;
}): Buffer {
  return Buffer.from(
    JSON.stringify({
      version: CONSUMER_PROTOCOL_VERSION,
      topics: subscription.topics,
      ownedPartitions: (subscription.ownedPartitions ?? []).map(plain),
      generation: subscription.generation ?? NO_GENERATION,
      userData: base64(subscription.userData),
    }),
    'utf8',
  );
}

export function decodeSubscription(buf: Buffer): ConsumerSubscription {
  const json = parse(buf, 'subscription');
  const generation = json['generation'] ?? NO_GENERATION;
  if (!Number.isSafeInteger(generation)) throw inconsistent('subscription', 'generation is not an integer');
  return {
    topics: readTopics(json['topics']),
    ownedPartitions: readPartitions(json['ownedPartitions'] ?? [], 'subscription'),
    generation: generation as number,
    userData: readUserData(json['userData'], 'subscription'),
  };
}

export function encodeAssignment(assignment: {
  partitions: readonly TopicPartition[];
  userData?: Buffer | null;
}): Buffer {
  return Buffer.from(
    JSON.stringify({
      version: CONSUMER_PROTOCOL_VERSION,
      partitions: assignment.partitions.map(plain),
      userData: base64(assignment.userData),
    }),
    'utf8',
  );
}

export function decodeAssignment(buf: Buffer): ConsumerAssignment {
  if (buf.length === 0) return { partitions: [], userData: null };
  const json = parse(buf, 'assignment');
  return {
    partitions: readPartitions(json['partitions'], 'assignment'),
    userData: readUserData(json['userData'], 'assignment'),
  };
}

function base64(data: Buffer | null | undefined): string | null {
  return data === null || data === undefined ? null : data.toString('base64');
}

function plain(tp: TopicPartition): TopicPartition {
  return { topic: tp.topic, partition: tp.partition };
}

function parse(buf: Buffer, what: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw inconsistent(what, 'not JSON', err);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw inconsistent(what, 'not an object');
  const record = json as Record<string, unknown>;
  const version = record['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw inconsistent(what, `unsupported version ${JSON.stringify(version)}`);
  }
  return record;
}

function readTopics(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((t): t is string => typeof t === 'string')) {
    throw inconsistent('subscription', 'topics is not a list of strings');
  }
  return value;
}

function readPartitions(value: unknown, what: string): TopicPartition[] {
  if (!Array.isArray(value)) throw inconsistent(what, 'partitions is not a list');
  return value.map((item: unknown) => {
    const tp = item as Record<string, unknown> | null;
    if (
      typeof tp !== 'object' ||
      tp === null ||
      typeof tp['topic'] !== 'string' ||
      typeof tp['partition'] !== 'number' ||
      !Number.isInteger(tp['partition']) ||
      tp['partition'] < 0
    ) {
      throw inconsistent(what, `bad partition ${JSON.stringify(item)}`);
    }
    return { topic: tp['topic'], partition: tp['partition'] };
  });
}

function readUserData(value: unknown, what: string): Buffer | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw inconsistent(what, 'userData is not base64 text');
  return Buffer.from(value, 'base64');
}

function inconsistent(what: string, reason: string, cause?: unknown): LogError {
  return new LogError(
    'INCONSISTENT_GROUP_PROTOCOL',
    `undecodable consumer ${what}: ${reason}`,
    {},
    { cause },
  );
}
