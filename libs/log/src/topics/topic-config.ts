import { LogError } from '../errors.js';

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export const CLEANUP_POLICIES: readonly CleanupPolicy[] = ['delete', 'compact', 'compact,delete'];

/** A topic's settings, under Kafka's names so that configs carry over. -1 means "no limit". */
export interface TopicConfig {
  'cleanup.policy': CleanupPolicy;
  'retention.ms': number;
  'retention.bytes': number;
  'segment.bytes': number;
  'segment.ms': number;
  'delete.retention.ms': number;
  'min.compaction.lag.ms': number;
  'min.cleanable.dirty.ratio': number;
  'max.message.bytes': number;
  'index.interval.bytes': number;
}

export type TopicConfigInput = Partial<Record<keyof TopicConfig, string | number>>;

const DAY = 24 * 60 * 60 * 1000;

export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  'cleanup.policy': 'delete',
  'retention.ms': 7 * DAY,
  'retention.bytes': -1,
  'segment.bytes': 1024 * 1024 * 1024,
  'segment.ms': 7 * DAY,
  'delete.retention.ms': DAY,
  'min.compaction.lag.ms': 0,
  'min.cleanable.dirty.ratio': 0.5,
  'max.message.bytes': 1024 * 1024 + 12,
  'index.interval.bytes': 4096,
});

interface NumberRule {
  min: number;
  max?: number;
  integer: boolean;
  /** Accepts -1 as "unlimited" in addition to [min, max]. */
  unlimited?: boolean;
}

const MAX_INT32 = 2147483647;

const NUMBER_RULES: Record<Exclude<keyof TopicConfig, 'cleanup.policy'>, NumberRule> = {
  'retention.ms': { min: 0, integer: true, unlimited: true },
  'retention.bytes': { min: 0, integer: true, unlimited: true },
  'segment.bytes': { min: 100, max: MAX_INT32, integer: true },
  'segment.ms': { min: 1, integer: true },
  'delete.retention.ms': { min: 0, integer: true },
  'min.compaction.lag.ms': { min: 0, integer: true },
  'min.cleanable.dirty.ratio': { min: 0, max: 1, integer: false },
  'max.message.bytes': { min: 100, max: MAX_INT32, integer: true },
  'index.interval.bytes': { min: 0, max: MAX_INT32, integer: true },
};

export const TOPIC_CONFIG_KEYS = Object.keys(DEFAULT_TOPIC_CONFIG) as (keyof TopicConfig)[];

function describeRule(rule: NumberRule): string {
  const range = `${rule.integer ? 'an integer' : 'a number'} from ${rule.min}${rule.max === undefined ? ' up' : ` to ${rule.max}`}`;
  return rule.unlimited ? `${range}, or -1 for no limit` : range;
}

/**
 * Parses topic settings (numbers may come as strings, as they do from YAML, REST and the CLI) over
 * `base`. Every bad field is reported at once; the error's details name the first.
 */
export function parseTopicConfig(
  input: Record<string, unknown> = {},
  base: Readonly<TopicConfig> = DEFAULT_TOPIC_CONFIG,
): TopicConfig {
  const config: TopicConfig = { ...base };
  const problems: { field: string; allowed: string[]; message: string }[] = [];

  for (const [field, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    if (field === 'cleanup.policy') {
      const value = typeof raw === 'string' ? raw.replace(/\s+/g, '') : raw;
      const normalized = value === 'delete,compact' ? 'compact,delete' : value;
      if (!CLEANUP_POLICIES.includes(normalized as CleanupPolicy)) {
        problems.push({
          field,
          allowed: [...CLEANUP_POLICIES],
          message: `cleanup.policy ${JSON.stringify(raw)} is not one of ${CLEANUP_POLICIES.join(', ')}`,
        });
      } else {
        config['cleanup.policy'] = normalized as CleanupPolicy;
      }
      continue;
    }
    const rule = NUMBER_RULES[field as keyof typeof NUMBER_RULES];
    if (!rule) {
      problems.push({
        field,
        allowed: TOPIC_CONFIG_KEYS,
        message: `unknown topic config ${JSON.stringify(field)}; known: ${TOPIC_CONFIG_KEYS.join(', ')}`,
      });
      continue;
    }
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!rule.integer || Number.isSafeInteger(value)) &&
      ((value >= rule.min && (rule.max === undefined || value <= rule.max)) ||
        (rule.unlimited && value === -1));
    if (!ok) {
      problems.push({
        field,
        allowed: [describeRule(rule)],
        message: `${field} ${JSON.stringify(raw)} must be ${describeRule(rule)}`,
      });
    } else {
      (config as unknown as Record<string, number>)[field] = value as number;
    }
  }

  if (problems.length > 0) {
    const first = problems[0]!;
    throw new LogError(
      'INVALID_CONFIG',
      `invalid topic config: ${problems.map((p) => p.message).join('; ')}`,
      {
        field: first.field,
        allowed: first.allowed,
      },
    );
  }
  return config;
}

export function isCompacted(config: Readonly<TopicConfig>): boolean {
  return config['cleanup.policy'] !== 'delete';
}

export function deletesByRetention(config: Readonly<TopicConfig>): boolean {
  return config['cleanup.policy'] !== 'compact';
}
