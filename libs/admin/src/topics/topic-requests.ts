import { BadRequestException } from '@nestjs/common';
import { isInternalTopic, isLogError, parseTopicConfig, validateTopicName, type NewTopic } from '@sluice/log';
import { booleanParam } from '../connectors/connector-requests.js';

/*
 * Bodies and parameters of the /topics endpoints. Every problem is reported at once, each naming
 * its field (name, partitions, config.<setting>, partition, offset, limit).
 */

export const MAX_PEEK_LIMIT = 1000;
export const DEFAULT_PEEK_LIMIT = 100;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(problems: string[]): BadRequestException {
  return new BadRequestException(`Invalid request: ${problems.join('; ')}`);
}

/** POST /topics: {name, partitions?, config?}. */
export function newTopicOf(body: unknown): NewTopic {
  if (!isObject(body)) throw invalid(['the body must be a JSON object with name, partitions and config']);
  const problems: string[] = [];
  const { name, partitions, config } = body;
  try {
    validateTopicName(name);
    if (isInternalTopic(name as string))
      problems.push(`name: topics whose names start with "__" are internal to Sluice`);
  } catch (err) {
    problems.push(`name: ${(err as Error).message}`);
  }
  if (
    partitions !== undefined &&
    (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1)
  ) {
    problems.push(`partitions: must be a positive integer, not ${JSON.stringify(partitions)}`);
  }
  let settings: Record<string, unknown> = {};
  if (config !== undefined && config !== null) {
    if (!isObject(config)) {
      problems.push('config: must be an object of topic settings');
    } else {
      settings = config;
      try {
        parseTopicConfig(config);
      } catch (err) {
        const field = isLogError(err) ? err.details.field : undefined;
        problems.push(`config${field ? `.${field}` : ''}: ${(err as Error).message}`);
      }
    }
  }
  if (problems.length > 0) throw invalid(problems);
  return {
    name: name as string,
    ...(partitions === undefined ? {} : { partitions: partitions as number }),
    config: settings,
  };
}

export interface PeekRequest {
  partition: number;
  /** Where to start; default: the partition's first offset. */
  offset: number | undefined;
  limit: number;
  /** Show the runtime's own headers (its source offset marks) too. */
  internalHeaders: boolean;
}

function integerParam(raw: unknown): number | undefined | null {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (typeof text !== 'string' || !/^\d{1,15}$/.test(text.trim())) return null;
  return Number(text.trim());
}

/** GET /topics/{name}/records?partition=&offset=&limit=&internal_headers= */
export function peekRequestOf(query: {
  partition?: unknown;
  offset?: unknown;
  limit?: unknown;
  internal_headers?: unknown;
}): PeekRequest {
  const problems: string[] = [];
  const partition = integerParam(query.partition);
  const offset = integerParam(query.offset);
  const limit = integerParam(query.limit);
  if (partition === null) problems.push('partition: must be a non-negative integer');
  if (offset === null) problems.push('offset: must be a non-negative integer');
  if (limit === null || (limit !== undefined && (limit < 1 || limit > MAX_PEEK_LIMIT))) {
    problems.push(`limit: must be an integer from 1 to ${MAX_PEEK_LIMIT}`);
  }
  if (problems.length > 0) throw invalid(problems);
  return {
    partition: partition ?? 0,
    offset: offset ?? undefined,
    limit: limit ?? DEFAULT_PEEK_LIMIT,
    internalHeaders: booleanParam(query.internal_headers),
  };
}
