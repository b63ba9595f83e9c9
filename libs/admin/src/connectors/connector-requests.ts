import { BadRequestException, NotFoundException } from '@nestjs/common';
import type { ConnectorOffset, SignalRequest } from '@sluice/runtime';

/*
 * Request bodies and parameters of the connector endpoints, checked and turned into the herder's
 * types. Every problem of a body is reported at once, as a 400.
 */

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  return `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`;
}

/**
 * A connector config: a JSON object whose values are strings. Numbers and booleans are taken as
 * their text, as Kafka Connect's JSON mapping does; other values are refused.
 */
export function configMapOf(body: unknown, what = 'Connector configuration'): Record<string, string> {
  if (!isObject(body))
    throw new BadRequestException(`${what} must be a JSON object of strings, not ${kindOf(body)}`);
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    else problems.push(`${key} must be a string, not ${kindOf(value)}`);
  }
  if (problems.length > 0) throw new BadRequestException(`${what} is invalid: ${problems.join('; ')}`);
  return out;
}

/** PATCH /connectors/{name}/config: like a config, and null removes a key. */
export function configPatchOf(body: unknown): Record<string, string | null> {
  if (!isObject(body)) {
    throw new BadRequestException(`Connector configuration patch must be a JSON object, not ${kindOf(body)}`);
  }
  const nulls = Object.keys(body).filter((k) => body[k] === null);
  const rest = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
  const patch: Record<string, string | null> = configMapOf(rest, 'Connector configuration patch');
  for (const key of nulls) patch[key] = null;
  return patch;
}

/** Kafka Connect's initial_state of POST /connectors (KIP-980). */
export type InitialState = 'RUNNING' | 'PAUSED' | 'STOPPED';

export interface CreateConnectorRequest {
  name: string;
  config: Record<string, string>;
  initialState: InitialState;
}

export function createConnectorRequestOf(body: unknown): CreateConnectorRequest {
  if (!isObject(body)) {
    throw new BadRequestException(
      `The request must be a JSON object with name and config, not ${kindOf(body)}`,
    );
  }
  const problems: string[] = [];
  const name = typeof body['name'] === 'string' ? body['name'].trim() : '';
  if (name === '') problems.push('name must be a non-empty string');
  let config: Record<string, string> = {};
  if (body['config'] === undefined || body['config'] === null) {
    problems.push('config must be provided');
  } else {
    try {
      config = configMapOf(body['config']);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  let initialState: InitialState = 'RUNNING';
  const requested = body['initial_state'];
  if (requested !== undefined && requested !== null) {
    const upper = typeof requested === 'string' ? requested.trim().toUpperCase() : '';
    if (upper === 'RUNNING' || upper === 'PAUSED' || upper === 'STOPPED') initialState = upper;
    else
      problems.push(
        `initial_state must be one of RUNNING, PAUSED, STOPPED, not ${JSON.stringify(requested)}`,
      );
  }
  if (problems.length > 0)
    throw new BadRequestException(`Invalid connector creation request: ${problems.join('; ')}`);
  return { name, config, initialState };
}

/** PATCH /connectors/{name}/offsets: {"offsets": [{"partition": {...}, "offset": {...} | null}]}. */
export function connectorOffsetsOf(body: unknown): ConnectorOffset[] {
  const offsets = isObject(body) ? body['offsets'] : undefined;
  if (!Array.isArray(offsets) || offsets.length === 0) {
    throw new BadRequestException('Partitions / offsets need to be provided for an alter offsets request');
  }
  const problems: string[] = [];
  const out: ConnectorOffset[] = [];
  offsets.forEach((entry: unknown, i) => {
    if (!isObject(entry)) {
      problems.push(`offsets[${i}] must be an object with partition and offset, not ${kindOf(entry)}`);
      return;
    }
    const { partition, offset } = entry;
    if (!isObject(partition))
      problems.push(`offsets[${i}].partition must be an object, not ${kindOf(partition)}`);
    if (offset !== null && !isObject(offset)) {
      problems.push(`offsets[${i}].offset must be an object or null, not ${kindOf(offset)}`);
    }
    if (isObject(partition) && (offset === null || isObject(offset))) out.push({ partition, offset });
  });
  if (problems.length > 0) throw new BadRequestException(`Invalid offsets: ${problems.join('; ')}`);
  return out;
}

/** A boolean query parameter as JAX-RS reads one: "true" (any case) is true, anything else false. */
export function booleanParam(value: unknown, fallback = false): boolean {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'string') return fallback;
  return first.trim().toLowerCase() === 'true';
}

/** A task id from the path; like JAX-RS, one that is not an integer finds nothing (404). */
export function taskIdOf(connector: string, raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundException(`Task ${connector}-${raw} not found`);
  return Number(raw);
}

/** POST /connectors/{name}/signals: {type, data?, id?}, as Debezium's signal table rows. */
export function signalRequestOf(body: unknown): SignalRequest {
  if (!isObject(body))
    throw new BadRequestException(`A signal must be a JSON object with type and data, not ${kindOf(body)}`);
  const problems: string[] = [];
  const { type, data, id } = body;
  if (typeof type !== 'string' || type.trim() === '') problems.push('type must be a non-empty string');
  if (data !== undefined && !isObject(data)) problems.push(`data must be a JSON object, not ${kindOf(data)}`);
  if (id !== undefined && (typeof id !== 'string' || id === ''))
    problems.push('id must be a non-empty string');
  if (problems.length > 0) throw new BadRequestException(`The signal is invalid: ${problems.join('; ')}`);
  return {
    type: (type as string).trim(),
    ...(data !== undefined ? { data: data as Record<string, unknown> } : {}),
    ...(id !== undefined ? { id: id as string } : {}),
  };
}
