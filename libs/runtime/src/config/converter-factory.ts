import type { Converter } from '@sluice/connect-api';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { ConnectorConfigError, fieldErrorsOf } from './connector-config-error.js';
import { withPrefix } from './prefixed-config.js';

/** Worker-wide converter settings, which a connector's own key.converter / value.converter override. */
export interface ConverterDefaults {
  'key.converter': string;
  'value.converter': string;
  /** e.g. { 'key.converter.schemas.enable': 'false' } */
  [setting: string]: string;
}

export const DEFAULT_CONVERTERS: ConverterDefaults = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
};

/**
 * The key or value converter of a connector: its own setting (short or class name) with its
 * `<which>.converter.*` settings, else the worker's.
 */
export function createConverter(
  registry: PluginRegistry,
  config: Readonly<Record<string, string>>,
  which: 'key' | 'value',
  defaults: ConverterDefaults = DEFAULT_CONVERTERS,
): Converter {
  const key = `${which}.converter`;
  const own = config[key]?.trim();
  const source = own ? config : defaults;
  const name = own || defaults[key];
  const plugin = name ? registry.findOf(name, ['converter']) : undefined;
  if (!plugin) {
    throw new ConnectorConfigError([
      {
        field: key,
        messages: [
          `${key}: no converter named ${name}; available: ${registry.names(['converter']).join(', ')}`,
        ],
      },
    ]);
  }
  const converter = plugin.create();
  try {
    converter.configure(withPrefix(source, `${key}.`), which === 'key');
  } catch (err) {
    throw new ConnectorConfigError(fieldErrorsOf(err, key, `${key}.`));
  }
  return converter;
}
