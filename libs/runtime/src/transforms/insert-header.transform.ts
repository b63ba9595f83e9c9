import {
  ConfigField,
  Schemas,
  withRecord,
  type ConnectHeader,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@sluice/connect-api';
import { IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';

export class InsertHeaderConfig {
  @ConfigField({ doc: 'Name of the header to add.', required: true })
  @IsString()
  header = '';

  @ConfigField({
    doc: 'Value of the header, read as a literal: true/false is a boolean, an integer the smallest int type holding it, a decimal number a float64, anything else a string.',
    required: true,
  })
  @IsString()
  'value.literal' = '';
}

/**
 * Kafka's Values.parseString for the simple literals: booleans, integers (as the smallest of
 * int8..int64 holding them), decimal numbers (float64), else the text as a string. Kafka also
 * reads dates, arrays and maps from the text; those stay strings here.
 */
export function parseLiteral(text: string): { schema: Schema; value: unknown } {
  const trimmed = text.trim();
  if (/^(true|false)$/i.test(trimmed))
    return { schema: Schemas.BOOLEAN, value: trimmed.toLowerCase() === 'true' };
  if (/^[+-]?\d+$/.test(trimmed)) {
    const n = BigInt(trimmed);
    if (n >= -128n && n <= 127n) return { schema: Schemas.INT8, value: Number(n) };
    if (n >= -32768n && n <= 32767n) return { schema: Schemas.INT16, value: Number(n) };
    if (n >= -2147483648n && n <= 2147483647n) return { schema: Schemas.INT32, value: Number(n) };
    if (n >= -(2n ** 63n) && n < 2n ** 63n)
      return { schema: Schemas.INT64, value: Number.isSafeInteger(Number(n)) ? Number(n) : n };
  }
  if (/^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/.test(trimmed))
    return { schema: Schemas.FLOAT64, value: Number(trimmed) };
  return { schema: Schemas.STRING, value: text };
}

/** Adds a header with a fixed value to every record (after any header of the same name). */
export class InsertHeader<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private header: ConnectHeader | null = null;

  configClass(): typeof InsertHeaderConfig {
    return InsertHeaderConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    const c = parsePluginConfig('InsertHeader', InsertHeaderConfig, config);
    const { schema, value } = parseLiteral(c['value.literal']);
    this.header = Object.freeze({ key: c.header, value, schema });
  }

  apply(record: R): R | null {
    if (!this.header) throw notConfigured('InsertHeader');
    return withRecord(record, { headers: [...record.headers, this.header] });
  }
}
