import type { ConnectHeader } from './connect-record.js';
import type { Schema } from './schema.js';

export interface SchemaAndValue {
  schema: Schema | null;
  value: unknown;
  /** For a schemaless value: its JSON text on one line, where the converter read the value from it. */
  json?: string;
}

/**
 * Turns keys or values into bytes for the log and back. configure() is called once with the
 * converter's settings (`key.converter.` or `value.converter.` prefix removed) and whether it
 * converts keys.
 */
export interface Converter {
  configure(config: Readonly<Record<string, unknown>>, isKey: boolean): void;
  fromConnectData(
    topic: string,
    headers: readonly ConnectHeader[],
    schema: Schema | null,
    value: unknown,
  ): Buffer | null;
  /**
   * For converters whose bytes are UTF-8 text (JSON, strings): the same result as text, which the
   * runtime writes straight into record batches without a Buffer per record; or as parts (text,
   * and Buffers of UTF-8 text) written one after another, so that text many records repeat (a
   * schema) is encoded once. Optional.
   */
  fromConnectDataText?(
    topic: string,
    headers: readonly ConnectHeader[],
    schema: Schema | null,
    value: unknown,
  ): string | readonly (string | Buffer)[] | null;
  /**
   * For converters that store JSON: what fromConnectDataText gives for a value that `json` is the
   * text of (a record's valueJson, under `schema` or schemaless), without reading the value; null
   * when the converter's settings write that value otherwise (then the value is converted).
   * Optional.
   */
  fromConnectJsonText?(
    topic: string,
    json: string,
    schema: Schema | null,
  ): string | readonly (string | Buffer)[] | null;
  toConnectData(topic: string, headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue;
}
