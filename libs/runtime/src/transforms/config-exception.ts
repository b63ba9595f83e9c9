import {
  ConnectError,
  parseConfig,
  type ConfigClass,
  type ConfigFieldError,
  type RawConfig,
} from '@sluice/connect-api';

/**
 * A plugin (transform, predicate, converter) was given settings it cannot run with. `errors` names
 * every bad field at once, so the REST layer can answer 400 with all of them and the CLI can print
 * them together.
 */
export class ConfigException extends ConnectError {
  override name = 'ConfigException';
  readonly code = 'INVALID_CONFIG';

  constructor(
    readonly plugin: string,
    readonly errors: readonly ConfigFieldError[],
  ) {
    super(`Invalid configuration for ${plugin}: ${errors.flatMap((e) => e.messages).join('; ')}`);
  }
}

/** parseConfig, throwing a ConfigException that lists every field problem when there are any. */
export function parsePluginConfig<T extends object>(
  plugin: string,
  configClass: ConfigClass<T>,
  raw: RawConfig,
): T {
  const result = parseConfig(configClass, raw);
  if (!result.ok) throw new ConfigException(plugin, result.errors);
  return result.config;
}

/** For transforms whose apply() is called before configure(): a programming error, not bad data. */
export function notConfigured(plugin: string): Error {
  return new Error(`${plugin} was used before configure() was called`);
}
