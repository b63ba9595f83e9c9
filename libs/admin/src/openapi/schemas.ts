import type { SchemaObject } from '@nestjs/swagger';

/*
 * JSON schemas of the API's bodies for the OpenAPI document. The controllers speak the herder's
 * plain types; these describe the same shapes for clients (Kafka Connect's, plus Sluice's topics).
 */

const str: SchemaObject = { type: 'string' };
const int: SchemaObject = { type: 'integer' };

export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { error_code: int, message: str },
  required: ['error_code', 'message'],
};

export const CONFIG_MAP_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: str,
  description: 'Connector settings by Kafka Connect name; secret values are returned as "[hidden]".',
};

export const CONFIG_PATCH_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: { type: 'string', nullable: true },
  description: 'Settings to change; null removes a setting.',
};

const TASK_ID_SCHEMA: SchemaObject = { type: 'object', properties: { connector: str, task: int } };
const CONNECTOR_TYPE_SCHEMA: SchemaObject = { type: 'string', enum: ['source', 'sink', 'unknown'] };
const STATE_SCHEMA: SchemaObject = {
  type: 'string',
  enum: ['UNASSIGNED', 'RUNNING', 'PAUSED', 'STOPPED', 'FAILED', 'RESTARTING'],
};

export const CONNECTOR_INFO_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    name: str,
    config: CONFIG_MAP_SCHEMA,
    tasks: { type: 'array', items: TASK_ID_SCHEMA },
    type: CONNECTOR_TYPE_SCHEMA,
  },
};

export const CREATE_CONNECTOR_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    name: str,
    config: CONFIG_MAP_SCHEMA,
    initial_state: { type: 'string', enum: ['RUNNING', 'PAUSED', 'STOPPED'] },
  },
  required: ['name', 'config'],
};

export const TASK_STATE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { id: int, state: STATE_SCHEMA, worker_id: str, trace: str },
};

export const CONNECTOR_STATUS_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    name: str,
    connector: { type: 'object', properties: { state: STATE_SCHEMA, worker_id: str, trace: str } },
    tasks: { type: 'array', items: TASK_STATE_SCHEMA },
    type: CONNECTOR_TYPE_SCHEMA,
  },
};

export const CONNECTOR_LIST_SCHEMA: SchemaObject = {
  oneOf: [
    { type: 'array', items: str },
    {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { info: CONNECTOR_INFO_SCHEMA, status: CONNECTOR_STATUS_SCHEMA },
      },
    },
  ],
  description: 'Names; with ?expand=status and/or ?expand=info, an object of expansions by name.',
};

export const TASK_INFO_LIST_SCHEMA: SchemaObject = {
  type: 'array',
  items: { type: 'object', properties: { id: TASK_ID_SCHEMA, config: CONFIG_MAP_SCHEMA } },
};

export const ACTIVE_TOPICS_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: { type: 'object', properties: { topics: { type: 'array', items: str } } },
};

export const CONNECTOR_OFFSETS_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    offsets: {
      type: 'array',
      items: {
        type: 'object',
        properties: { partition: { type: 'object' }, offset: { type: 'object', nullable: true } },
        required: ['partition', 'offset'],
      },
    },
  },
  required: ['offsets'],
};

export const MESSAGE_SCHEMA: SchemaObject = { type: 'object', properties: { message: str } };

export const PLUGIN_INFO_LIST_SCHEMA: SchemaObject = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      class: str,
      type: { type: 'string', enum: ['source', 'sink', 'transformation', 'predicate', 'converter'] },
      version: str,
      name: { type: 'string', description: 'Sluice short name, accepted in connector.class.' },
    },
  },
};

const CONFIG_KEY_INFO_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    name: str,
    type: str,
    required: { type: 'boolean' },
    default_value: { type: 'string', nullable: true },
    importance: str,
    documentation: str,
    group: { type: 'string', nullable: true },
    width: str,
    display_name: str,
    dependents: { type: 'array', items: str },
    order: int,
  },
};

export const CONFIG_KEY_INFO_LIST_SCHEMA: SchemaObject = { type: 'array', items: CONFIG_KEY_INFO_SCHEMA };

export const CONFIG_INFOS_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    name: str,
    error_count: int,
    groups: { type: 'array', items: str },
    configs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          definition: CONFIG_KEY_INFO_SCHEMA,
          value: {
            type: 'object',
            properties: {
              name: str,
              value: { type: 'string', nullable: true },
              recommended_values: { type: 'array', items: str },
              errors: { type: 'array', items: str },
              visible: { type: 'boolean' },
            },
          },
        },
      },
    },
  },
};

export const SERVER_INFO_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { version: str, commit: str, kafka_cluster_id: { type: 'string', nullable: true } },
};

const LEVEL_SCHEMA: SchemaObject = {
  type: 'string',
  enum: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'OFF'],
};

export const LOGGER_LEVEL_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { level: LEVEL_SCHEMA, last_modified: { type: 'integer', nullable: true } },
};

export const LOGGER_LEVELS_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: LOGGER_LEVEL_SCHEMA,
};

export const SET_LOGGER_LEVEL_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { level: LEVEL_SCHEMA },
  required: ['level'],
};

export const STRING_LIST_SCHEMA: SchemaObject = { type: 'array', items: str };

export const NEW_TOPIC_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    name: str,
    partitions: { type: 'integer', minimum: 1, default: 1 },
    config: {
      type: 'object',
      additionalProperties: { oneOf: [str, { type: 'number' }] },
      description: 'Kafka topic settings: cleanup.policy, retention.ms, retention.bytes, segment.bytes, ...',
    },
  },
  required: ['name'],
};

export const TOPIC_DESCRIPTION_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    name: str,
    topic_id: str,
    internal: { type: 'boolean' },
    config: { type: 'object' },
    partitions: {
      type: 'array',
      items: {
        type: 'object',
        properties: { partition: int, start_offset: int, end_offset: int, size_bytes: int, segments: int },
      },
    },
  },
};

const RENDERED_SCHEMA: SchemaObject = {
  description:
    'JSON when the bytes parse as JSON, else a UTF-8 string, else base64 (see the *_format field).',
  nullable: true,
};
const FORMAT_SCHEMA: SchemaObject = { type: 'string', enum: ['json', 'string', 'base64'], nullable: true };

export const RECORDS_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    topic: str,
    partition: int,
    start_offset: int,
    end_offset: int,
    next_offset: { type: 'integer', description: 'Where the next page starts.' },
    records: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          offset: int,
          timestamp: int,
          key: RENDERED_SCHEMA,
          key_format: FORMAT_SCHEMA,
          value: RENDERED_SCHEMA,
          value_format: FORMAT_SCHEMA,
          headers: {
            type: 'array',
            items: {
              type: 'object',
              properties: { key: str, value: RENDERED_SCHEMA, format: FORMAT_SCHEMA },
            },
          },
        },
      },
    },
  },
};

export const HEALTH_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['UP', 'DOWN'] },
    log: { type: 'object', properties: { topics: int } },
    error: str,
  },
};
