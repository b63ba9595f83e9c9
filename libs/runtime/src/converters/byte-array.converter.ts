import {
  DataError,
  Schemas,
  type ConnectHeader,
  type Converter,
  type Schema,
  type SchemaAndValue,
} from '@sluice/connect-api';
import { describeType } from '../transforms/field-map.js';
import { parsePluginConfig } from '../transforms/config-exception.js';

export class ByteArrayConverterConfig {}

/**
 * Kafka Connect's ByteArrayConverter: bytes pass through unchanged both ways, read back with schema
 * OPTIONAL_BYTES. Anything but a Buffer (or Uint8Array) or null is a DataError, as is a schema
 * other than bytes.
 */
export class ByteArrayConverter implements Converter {
  configClass(): typeof ByteArrayConverterConfig {
    return ByteArrayConverterConfig;
  }

  configure(config: Readonly<Record<string, unknown>>, _isKey: boolean): void {
    parsePluginConfig('ByteArrayConverter', ByteArrayConverterConfig, config);
  }

  fromConnectData(
    _topic: string,
    _headers: readonly ConnectHeader[],
    schema: Schema | null,
    value: unknown,
  ): Buffer | null {
    if (schema !== null && schema.type !== 'bytes')
      throw new DataError(`Invalid schema type for ByteArrayConverter: ${schema.type}`);
    if (value === null || value === undefined) return null;
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length);
    throw new DataError(`ByteArrayConverter is not compatible with values of type ${describeType(value)}`);
  }

  toConnectData(_topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    return { schema: Schemas.OPTIONAL_BYTES, value };
  }
}
