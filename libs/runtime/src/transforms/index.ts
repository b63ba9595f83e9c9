import type { PluginDescriptor, Transformation } from '@sluice/connect-api';
import { CastKey, CastValue } from './cast.transform.js';
import { DropHeaders } from './drop-headers.transform.js';
import { ExtractFieldKey, ExtractFieldValue } from './extract-field.transform.js';
import { Filter } from './filter.transform.js';
import { FlattenKey, FlattenValue } from './flatten.transform.js';
import { HeaderFromKey, HeaderFromValue } from './header-from.transform.js';
import { HoistFieldKey, HoistFieldValue } from './hoist-field.transform.js';
import { InsertFieldKey, InsertFieldValue } from './insert-field.transform.js';
import { InsertHeader } from './insert-header.transform.js';
import { MaskFieldKey, MaskFieldValue } from './mask-field.transform.js';
import { RegexRouter } from './regex-router.transform.js';
import { ReplaceFieldKey, ReplaceFieldValue } from './replace-field.transform.js';
import { SetSchemaMetadataKey, SetSchemaMetadataValue } from './set-schema-metadata.transform.js';
import { TimestampConverterKey, TimestampConverterValue } from './timestamp-converter.transform.js';
import { TimestampRouter } from './timestamp-router.transform.js';
import { ValueToKey } from './value-to-key.transform.js';

export { Cast, CastConfig, CastKey, CastValue, castValue, parseCastSpec } from './cast.transform.js';
export type { CastSpec, CastType } from './cast.transform.js';
export { ConfigException, parsePluginConfig } from './config-exception.js';
export { DateFormat } from './date-format.js';
export { DropHeaders, DropHeadersConfig } from './drop-headers.transform.js';
export {
  ExtractField,
  ExtractFieldConfig,
  ExtractFieldKey,
  ExtractFieldValue,
} from './extract-field.transform.js';
export { parseFieldPath, type FieldSyntaxVersion } from './field-path.js';
export { Filter, FilterConfig } from './filter.transform.js';
export { Flatten, FlattenConfig, FlattenKey, FlattenValue } from './flatten.transform.js';
export { HeaderFrom, HeaderFromConfig, HeaderFromKey, HeaderFromValue } from './header-from.transform.js';
export { HoistField, HoistFieldConfig, HoistFieldKey, HoistFieldValue } from './hoist-field.transform.js';
export {
  InsertField,
  InsertFieldConfig,
  InsertFieldKey,
  InsertFieldValue,
} from './insert-field.transform.js';
export { InsertHeader, InsertHeaderConfig, parseLiteral } from './insert-header.transform.js';
export { MaskField, MaskFieldConfig, MaskFieldKey, MaskFieldValue } from './mask-field.transform.js';
export type { RecordPart } from './record-part.js';
export { RegexRouter, RegexRouterConfig } from './regex-router.transform.js';
export {
  ReplaceField,
  ReplaceFieldConfig,
  ReplaceFieldKey,
  ReplaceFieldValue,
} from './replace-field.transform.js';
export {
  SetSchemaMetadata,
  SetSchemaMetadataConfig,
  SetSchemaMetadataKey,
  SetSchemaMetadataValue,
} from './set-schema-metadata.transform.js';
export {
  TimestampConverter,
  TimestampConverterConfig,
  TimestampConverterKey,
  TimestampConverterValue,
} from './timestamp-converter.transform.js';
export { TimestampRouter, TimestampRouterConfig } from './timestamp-router.transform.js';
export { ValueToKey, ValueToKeyConfig } from './value-to-key.transform.js';

const VERSION = '0.1.0';
const PACKAGE = 'org.apache.kafka.connect.transforms';

function transform(name: string, description: string, create: () => Transformation): PluginDescriptor {
  return {
    type: 'transformation',
    name,
    className: `${PACKAGE}.${name}`,
    version: VERSION,
    description,
    create,
  };
}

/** A transform with Kafka's `$Key` and `$Value` variants. */
function keyAndValue(
  name: string,
  description: string,
  key: () => Transformation,
  value: () => Transformation,
): PluginDescriptor[] {
  return [
    transform(`${name}$Key`, `${description} (record key)`, key),
    transform(`${name}$Value`, `${description} (record value)`, value),
  ];
}

/** Every built-in single message transform, under Kafka Connect's class names. */
export const TRANSFORM_PLUGINS: PluginDescriptor[] = [
  ...keyAndValue(
    'InsertField',
    'Insert the topic, partition, offset, timestamp or a static value as a field',
    () => new InsertFieldKey(),
    () => new InsertFieldValue(),
  ),
  ...keyAndValue(
    'ReplaceField',
    'Drop, keep and rename fields',
    () => new ReplaceFieldKey(),
    () => new ReplaceFieldValue(),
  ),
  ...keyAndValue(
    'MaskField',
    'Replace fields with an empty value or a replacement',
    () => new MaskFieldKey(),
    () => new MaskFieldValue(),
  ),
  transform('ValueToKey', 'Replace the record key with fields of the value', () => new ValueToKey()),
  ...keyAndValue(
    'ExtractField',
    'Replace the data with one of its fields',
    () => new ExtractFieldKey(),
    () => new ExtractFieldValue(),
  ),
  ...keyAndValue(
    'HoistField',
    'Wrap the data in a struct with one field',
    () => new HoistFieldKey(),
    () => new HoistFieldValue(),
  ),
  ...keyAndValue(
    'Cast',
    'Cast the data or some fields to other primitive types',
    () => new CastKey(),
    () => new CastValue(),
  ),
  ...keyAndValue(
    'Flatten',
    'Flatten nested structs into top-level fields',
    () => new FlattenKey(),
    () => new FlattenValue(),
  ),
  ...keyAndValue(
    'TimestampConverter',
    'Convert timestamps between strings, unix numbers and Date/Time/Timestamp',
    () => new TimestampConverterKey(),
    () => new TimestampConverterValue(),
  ),
  transform(
    'TimestampRouter',
    'Route records to a topic named after the topic and the record timestamp',
    () => new TimestampRouter(),
  ),
  transform('RegexRouter', 'Rename topics with a regex and replacement', () => new RegexRouter()),
  transform('InsertHeader', 'Add a header with a fixed value', () => new InsertHeader()),
  transform('DropHeaders', 'Remove headers by name', () => new DropHeaders()),
  ...keyAndValue(
    'HeaderFrom',
    'Copy or move fields into headers',
    () => new HeaderFromKey(),
    () => new HeaderFromValue(),
  ),
  ...keyAndValue(
    'SetSchemaMetadata',
    'Set the schema name and/or version',
    () => new SetSchemaMetadataKey(),
    () => new SetSchemaMetadataValue(),
  ),
  transform('Filter', 'Drop records (use with a predicate)', () => new Filter()),
];
