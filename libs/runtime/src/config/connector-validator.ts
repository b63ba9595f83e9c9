import {
  describeConfig,
  configPrefixes,
  parseConfig,
  topicsPattern,
  topicNameProblem,
  type ConfigClass,
  type ConfigFieldInfo,
  type Connector,
  type PluginDescriptor,
} from '@sluice/connect-api';
import type { ConfigInfos } from '../herder/herder.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { type FieldError, fieldErrorsOf } from './connector-config-error.js';
import { CommonConnectorConfig, SinkConnectorConfig, SourceConnectorConfig } from './connector-config.js';
import { createConverter, type ConverterDefaults } from './converter-factory.js';
import { stageSettings, TransformationChain } from './transformation-chain.js';
import { unknownSettings, type UnknownSetting } from './unknown-settings.js';
import { isRuntimeTopic, runtimeTopicProblem } from '../storage/internal-topics.js';

export type ConnectorPlugin = Extract<PluginDescriptor, { type: 'source' | 'sink' }>;

export interface ValidationOutcome {
  plugin: ConnectorPlugin | null;
  errors: FieldError[];
  infos: ConfigInfos;
  /** Settings nothing reads (typos, settings of another connector): worth a warning, not an error. */
  unknown: UnknownSetting[];
}

/**
 * Checks a whole connector config: the common settings, the connector's own (its config class and
 * its validate()), transforms, predicates and converters; every problem at once. `config` is the
 * resolved form (providers applied); the answer's values are those of `shown`, the config as
 * written (its references, not what they gave), when given.
 */
export async function validateConnectorConfig(
  registry: PluginRegistry,
  config: Readonly<Record<string, string>>,
  converterDefaults: ConverterDefaults,
  shown: Readonly<Record<string, string>> = config,
): Promise<ValidationOutcome> {
  const errors: FieldError[] = [];
  const className = config['connector.class']?.trim() ?? '';
  const plugin = className ? (registry.findOf(className, ['source', 'sink']) ?? null) : null;
  if (!className) {
    errors.push({ field: 'connector.class', messages: ['connector.class is required'] });
  } else if (!plugin) {
    errors.push({
      field: 'connector.class',
      messages: [
        `Failed to find any class that implements Connector and which name matches ${className}, available connectors are: ${registry.names(['source', 'sink']).join(', ')}`,
      ],
    });
  }
  const commonClass: ConfigClass =
    plugin?.type === 'sink'
      ? SinkConnectorConfig
      : plugin?.type === 'source'
        ? SourceConnectorConfig
        : CommonConnectorConfig;
  const common = parseConfig(commonClass, config);
  if (!common.ok)
    errors.push(
      ...common.errors.filter(
        (e) => e.field !== 'connector.class' || !errors.some((x) => x.field === e.field),
      ),
    );

  if (plugin?.type === 'sink') {
    const topics = (config['topics'] ?? '').trim();
    const regex = (config['topics.regex'] ?? '').trim();
    if (!topics && !regex)
      errors.push({ field: 'topics', messages: ['Must configure one of topics or topics.regex'] });
    if (topics && regex)
      errors.push({ field: 'topics.regex', messages: ['topics and topics.regex are mutually exclusive'] });
    if (regex) {
      try {
        topicsPattern(regex);
      } catch (err) {
        errors.push({
          field: 'topics.regex',
          messages: [`topics.regex is not a valid regular expression: ${(err as Error).message}`],
        });
      }
    }
    const named = topics
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    const badTopics = named.map(topicNameProblem).filter((p): p is string => p !== null);
    // they hold every connector's config, secrets included, and the runtime's own state
    badTopics.push(...named.filter(isRuntimeTopic).map(runtimeTopicProblem));
    if (badTopics.length > 0) errors.push({ field: 'topics', messages: badTopics });
    const dlq = (config['errors.deadletterqueue.topic.name'] ?? '').trim();
    const badDlq = dlq
      ? (topicNameProblem(dlq) ?? (isRuntimeTopic(dlq) ? runtimeTopicProblem(dlq) : null))
      : null;
    if (badDlq) errors.push({ field: 'errors.deadletterqueue.topic.name', messages: [badDlq] });
    if (dlq && named.includes(dlq)) {
      errors.push({
        field: 'errors.deadletterqueue.topic.name',
        messages: ['The DLQ topic cannot be one of the topics the connector reads'],
      });
    }
  }

  let connector: Connector | null = null;
  if (plugin) {
    connector = plugin.create();
    const own = parseConfig(connector.configClass(), config);
    if (!own.ok) errors.push(...own.errors);
    else if (connector.validate) {
      try {
        errors.push(...(await connector.validate(config)).errors);
      } catch (err) {
        errors.push(...fieldErrorsOf(err, 'connector.class'));
      }
    }
  }

  try {
    TransformationChain.fromConfig(registry, config).close();
  } catch (err) {
    errors.push(...fieldErrorsOf(err, 'transforms'));
  }
  for (const which of ['key', 'value'] as const) {
    try {
      createConverter(registry, config, which, converterDefaults);
    } catch (err) {
      errors.push(...fieldErrorsOf(err, `${which}.converter`));
    }
  }
  const classes = [commonClass, connector?.configClass()];
  const stages = stageSettings(registry, config);
  return {
    plugin,
    errors: dedupe(errors),
    infos: configInfos(className || 'unknown', classes, shown, errors),
    unknown: connector
      ? unknownSettings(config, new Set([...fieldsOf(classes).map((f) => f.name), ...stages.names]), [
          ...configPrefixes(connector.configClass()),
          ...stages.prefixes,
        ])
      : [],
  };
}

function dedupe(errors: FieldError[]): FieldError[] {
  const byField = new Map<string, Set<string>>();
  for (const e of errors) {
    const set = byField.get(e.field) ?? new Set<string>();
    for (const m of e.messages) set.add(m);
    byField.set(e.field, set);
  }
  return [...byField].map(([field, messages]) => ({ field, messages: [...messages] }));
}

function definitionOf(f: ConfigFieldInfo): ConfigInfos['configs'][number]['definition'] {
  return {
    name: f.name,
    type: f.type,
    required: f.required,
    default_value:
      f.required || f.defaultValue === undefined
        ? null
        : Array.isArray(f.defaultValue)
          ? f.defaultValue.join(',')
          : String(f.defaultValue),
    importance: f.importance,
    documentation: f.doc,
    group: f.group,
    width: 'NONE',
    display_name: f.displayName,
    dependents: [],
    order: f.order,
  };
}

/** Settings of config classes in Kafka Connect's ConfigKeyInfo shape (GET .../config). */
export function configDefinitions(
  classes: readonly (ConfigClass | undefined)[],
): ConfigInfos['configs'][number]['definition'][] {
  return fieldsOf(classes).map(definitionOf);
}

/** The settings of config classes, the first class declaring a name winning. */
function fieldsOf(classes: readonly (ConfigClass | undefined)[]): ConfigFieldInfo[] {
  const seen = new Map<string, ConfigFieldInfo>();
  for (const c of classes)
    if (c) for (const f of describeConfig(c)) if (!seen.has(f.name)) seen.set(f.name, f);
  return [...seen.values()];
}

function configInfos(
  name: string,
  classes: readonly (ConfigClass | undefined)[],
  config: Readonly<Record<string, string>>,
  errors: FieldError[],
): ConfigInfos {
  const fields = fieldsOf(classes);
  const definitions = fields.map(definitionOf);
  const recommended = new Map(fields.map((f) => [f.name, f.recommendedValues]));
  const known = new Set(definitions.map((d) => d.name));
  const configs: ConfigInfos['configs'] = definitions.map((definition) => ({
    definition,
    value: {
      name: definition.name,
      value:
        definition.type === 'PASSWORD' && config[definition.name]
          ? '[hidden]'
          : (config[definition.name] ?? definition.default_value),
      recommended_values: recommended.get(definition.name) ?? [],
      errors: errors.filter((e) => e.field === definition.name).flatMap((e) => e.messages),
      visible: true,
    },
  }));
  // errors on settings no class declares (transforms.x.y, key.converter.z) still need a home
  for (const e of errors) {
    if (known.has(e.field)) continue;
    known.add(e.field);
    configs.push({
      definition: {
        name: e.field,
        type: 'STRING',
        required: false,
        default_value: null,
        importance: 'MEDIUM',
        documentation: '',
        group: null,
        width: 'NONE',
        display_name: e.field,
        dependents: [],
        order: configs.length,
      },
      value: {
        name: e.field,
        value: config[e.field] ?? null,
        recommended_values: [],
        errors: errors.filter((x) => x.field === e.field).flatMap((x) => x.messages),
        visible: true,
      },
    });
  }
  const groups = [...new Set(definitions.map((d) => d.group).filter((g): g is string => g !== null))];
  return { name, error_count: errors.reduce((n, e) => n + e.messages.length, 0), groups, configs };
}
