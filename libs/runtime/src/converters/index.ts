import type { Converter, PluginDescriptor } from '@sluice/connect-api';
import { ByteArrayConverter } from './byte-array.converter.js';
import { JsonConverter } from './json.converter.js';
import { StringConverter } from './string.converter.js';

export { ByteArrayConverter, ByteArrayConverterConfig } from './byte-array.converter.js';
export { JsonConverter, JsonConverterConfig } from './json.converter.js';
export { StringConverter, StringConverterConfig } from './string.converter.js';
export type { DecimalFormat } from './json-writer.js';

function converter(
  name: string,
  className: string,
  aliases: string[],
  description: string,
  create: () => Converter,
): PluginDescriptor {
  return { type: 'converter', name, className, aliases, version: '0.1.0', description, create };
}

/** The built-in converters, under Kafka Connect's class names and short names. */
export const CONVERTER_PLUGINS: PluginDescriptor[] = [
  converter(
    'json',
    'org.apache.kafka.connect.json.JsonConverter',
    ['JsonConverter'],
    'JSON, with or without a schema envelope (schemas.enable)',
    () => new JsonConverter(),
  ),
  converter(
    'string',
    'org.apache.kafka.connect.storage.StringConverter',
    ['StringConverter'],
    'Text in a configurable encoding',
    () => new StringConverter(),
  ),
  converter(
    'bytes',
    'org.apache.kafka.connect.converters.ByteArrayConverter',
    ['ByteArrayConverter'],
    'Raw bytes, passed through',
    () => new ByteArrayConverter(),
  ),
];
