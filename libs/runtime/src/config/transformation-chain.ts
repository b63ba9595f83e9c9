import {
  configPrefixes,
  describeConfig,
  type ConfigClass,
  type ConnectRecord,
  type Predicate,
  type Transformation,
} from '@sluice/connect-api';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { ConnectorConfigError, fieldErrorsOf, type FieldError } from './connector-config-error.js';
import { listSetting, withPrefix } from './prefixed-config.js';

interface Stage {
  alias: string;
  transform: Transformation;
  predicate: Predicate | null;
  negate: boolean;
}

const STAGE_KEYS = new Set(['type', 'predicate', 'negate']);

/** The settings transforms and predicates read: full names, and prefixes they read any key under. */
export interface StageSettings {
  readonly names: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

/**
 * The settings of the transforms and predicates `config` lists: `<family>.<alias>.` and what
 * the plugin's config class declares. A stage whose type is unknown (an error reported
 * elsewhere) has all its settings taken as read; settings of aliases not listed are not.
 */
export function stageSettings(
  registry: PluginRegistry,
  config: Readonly<Record<string, string>>,
): StageSettings {
  const names = new Set<string>();
  const prefixes: string[] = [];
  const families = [
    { family: 'transforms', kind: 'transformation', keys: [...STAGE_KEYS] },
    { family: 'predicates', kind: 'predicate', keys: ['type'] },
  ] as const;
  for (const { family, kind, keys } of families) {
    for (const alias of listSetting(config[family])) {
      const prefix = `${family}.${alias}.`;
      for (const key of keys) names.add(prefix + key);
      const type = config[`${prefix}type`];
      const plugin = type ? registry.findOf(type, [kind]) : undefined;
      let configClass: ConfigClass | null = null;
      try {
        configClass = plugin?.create().configClass() ?? null;
      } catch {
        // reported by the chain's own validation
      }
      if (configClass === null) {
        prefixes.push(prefix);
        continue;
      }
      for (const field of describeConfig(configClass)) names.add(prefix + field.name);
      for (const own of configPrefixes(configClass)) prefixes.push(prefix + own);
    }
  }
  return { names, prefixes };
}

/**
 * A connector's single message transforms, in order, each optionally guarded by a predicate
 * (`transforms.<alias>.predicate`, `.negate`). apply() returns the transformed record or null when
 * one of them dropped it.
 */
export class TransformationChain<R extends ConnectRecord> {
  private constructor(private readonly stages: Stage[]) {}

  static empty<R extends ConnectRecord>(): TransformationChain<R> {
    return new TransformationChain<R>([]);
  }

  /** Builds and configures the chain; throws ConnectorConfigError with every field error. */
  static fromConfig<R extends ConnectRecord>(
    registry: PluginRegistry,
    config: Readonly<Record<string, string>>,
  ): TransformationChain<R> {
    const errors: FieldError[] = [];
    const predicates = new Map<string, Predicate>();
    for (const alias of listSetting(config['predicates'])) {
      const typeKey = `predicates.${alias}.type`;
      const type = config[typeKey];
      const plugin = type ? registry.findOf(type, ['predicate']) : undefined;
      if (!plugin) {
        errors.push(unknownPlugin(typeKey, type, registry.names(['predicate']), 'predicate'));
        continue;
      }
      const predicate = plugin.create();
      try {
        predicate.configure(withoutKeys(withPrefix(config, `predicates.${alias}.`), ['type']));
        predicates.set(alias, predicate);
      } catch (err) {
        errors.push(...fieldErrorsOf(err, typeKey, `predicates.${alias}.`));
      }
    }
    const stages: Stage[] = [];
    for (const alias of listSetting(config['transforms'])) {
      const prefix = `transforms.${alias}.`;
      const typeKey = `${prefix}type`;
      const type = config[typeKey];
      const plugin = type ? registry.findOf(type, ['transformation']) : undefined;
      if (!plugin) {
        errors.push(unknownPlugin(typeKey, type, registry.names(['transformation']), 'transformation'));
        continue;
      }
      const own = withPrefix(config, prefix);
      let predicate: Predicate | null = null;
      if (own['predicate']) {
        predicate = predicates.get(own['predicate']) ?? null;
        if (!predicate) {
          errors.push({
            field: `${prefix}predicate`,
            messages: [
              `${prefix}predicate names ${own['predicate']}, which is not among predicates (${listSetting(config['predicates']).join(', ') || 'none'})`,
            ],
          });
          continue;
        }
      }
      const negate = (own['negate'] ?? 'false').trim().toLowerCase();
      if (negate !== 'true' && negate !== 'false') {
        errors.push({ field: `${prefix}negate`, messages: [`${prefix}negate must be true or false`] });
        continue;
      }
      const transform = plugin.create();
      try {
        transform.configure(withoutKeys(own, [...STAGE_KEYS]));
        stages.push({ alias, transform, predicate, negate: negate === 'true' });
      } catch (err) {
        errors.push(...fieldErrorsOf(err, typeKey, prefix));
      }
    }
    if (errors.length > 0) throw new ConnectorConfigError(errors);
    return new TransformationChain<R>(stages);
  }

  get length(): number {
    return this.stages.length;
  }

  apply(record: R): R | null {
    let current: R | null = record;
    for (const stage of this.stages) {
      if (stage.predicate && stage.predicate.test(current) === stage.negate) continue;
      current = stage.transform.apply(current) as R | null;
      if (current === null) return null;
    }
    return current;
  }

  close(): void {
    for (const stage of this.stages) {
      stage.transform.close?.();
      stage.predicate?.close?.();
    }
  }
}

function withoutKeys(config: Record<string, string>, keys: string[]): Record<string, string> {
  const out = { ...config };
  for (const k of keys) delete out[k];
  return out;
}

function unknownPlugin(field: string, value: string | undefined, known: string[], what: string): FieldError {
  return {
    field,
    messages: [
      value
        ? `${field}: no ${what} named ${value}; available: ${known.join(', ')}`
        : `${field} is required: the ${what} to use (${known.join(', ')})`,
    ],
  };
}
