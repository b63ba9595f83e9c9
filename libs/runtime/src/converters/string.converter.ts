import {
  ConfigField,
  Schemas,
  writeJson,
  type ConnectHeader,
  type Converter,
  type Schema,
  type SchemaAndValue,
} from '@sluice/connect-api';
import { parsePluginConfig } from '../transforms/config-exception.js';
import { IsInIgnoringCase } from '../transforms/config-validators.js';

/** Java charset names (and Node's) to Node encodings. */
const ENCODINGS: Readonly<Record<string, BufferEncoding>> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'utf-16le': 'utf16le',
  utf16le: 'utf16le',
  'iso-8859-1': 'latin1',
  latin1: 'latin1',
  'us-ascii': 'ascii',
  ascii: 'ascii',
};

export class StringConverterConfig {
  @ConfigField({ doc: 'Character encoding of the bytes: UTF-8, UTF-16LE, ISO-8859-1 or US-ASCII.' })
  @IsInIgnoringCase(Object.keys(ENCODINGS))
  'converter.encoding' = 'UTF-8';
}

/**
 * Kafka Connect's StringConverter: values are written as their text and always read back as
 * strings (schema OPTIONAL_STRING). Non-string values are written as Kafka's toString() would give
 * something useful for: numbers, booleans and bigints as text, Dates in ISO 8601, Buffers decoded
 * in the encoding, and objects and arrays as JSON rather than "[object Object]".
 */
export class StringConverter implements Converter {
  private encoding: BufferEncoding = 'utf8';

  configClass(): typeof StringConverterConfig {
    return StringConverterConfig;
  }

  configure(config: Readonly<Record<string, unknown>>, _isKey: boolean): void {
    const c = parsePluginConfig('StringConverter', StringConverterConfig, config);
    this.encoding = ENCODINGS[c['converter.encoding'].toLowerCase()] ?? 'utf8';
  }

  fromConnectData(
    _topic: string,
    _headers: readonly ConnectHeader[],
    _schema: Schema | null,
    value: unknown,
  ): Buffer | null {
    if (value === null || value === undefined) return null;
    return Buffer.from(this.text(value), this.encoding);
  }

  toConnectData(_topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    return { schema: Schemas.OPTIONAL_STRING, value: value === null ? null : value.toString(this.encoding) };
  }

  private text(value: unknown): string {
    if (typeof value === 'string') return value;
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Uint8Array)
      return Buffer.from(value.buffer, value.byteOffset, value.length).toString(this.encoding);
    if (typeof value === 'object') return writeJson(value);
    return String(value);
  }
}
