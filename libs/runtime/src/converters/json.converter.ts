import {
  ConfigField,
  DataError,
  parseJson,
  schemalessValue,
  withoutJsonDecimals,
  type ConnectHeader,
  type ParsedJson,
  type Converter,
  type Schema,
  type SchemaAndValue,
} from '@sluice/connect-api';
import { IsBoolean, IsInt, Min } from 'class-validator';
import { parsePluginConfig } from '../transforms/config-exception.js';
import { IsInIgnoringCase } from '../transforms/config-validators.js';
import { isPlainObject } from '../transforms/field-map.js';
import { surfaced } from './field-path-error.js';
import { ConnectJsonReader } from './json-reader.js';
import { envelopeHead, splitEnvelope } from './json-envelope.js';
import { ConnectJsonWriter, type DecimalFormat } from './json-writer.js';

export class JsonConverterConfig {
  @ConfigField({
    doc: 'Embed the schema with each value as {"schema": ..., "payload": ...}, and expect it when reading.',
    importance: 'HIGH',
  })
  @IsBoolean()
  'schemas.enable' = true;

  @ConfigField({
    doc: 'How many schemas to keep parsed, so records sharing a schema share one Schema object.',
  })
  @IsInt()
  @Min(0)
  'schemas.cache.size' = 1000;

  @ConfigField({
    doc: 'How Decimals are written: BASE64 (the unscaled bytes, Kafka’s default) or NUMERIC (a JSON number). Both are read.',
  })
  @IsInIgnoringCase(['BASE64', 'NUMERIC'])
  'decimal.format' = 'BASE64';

  @ConfigField({ doc: 'Write and read a null field that has a default as its default value.' })
  @IsBoolean()
  'replace.null.with.default' = true;
}

const ENVELOPE_REQUIRED =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. ' +
  'If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

/**
 * Kafka Connect's JsonConverter, byte for byte: with schemas.enable (the default) every value is
 * written in an envelope holding Kafka's JSON description of its schema, so any Kafka Connect
 * consumer can read it and vice versa; without, values are plain JSON and read back schemaless.
 * A null value (with no schema) is a null message, i.e. a tombstone, both ways.
 *
 * Works with its defaults before configure() is called.
 */
export class JsonConverter implements Converter {
  private schemasEnabled = true;
  /** Payloads are written as with the default decimal.format and replace.null.with.default. */
  private defaultPayloads = true;
  private writer = new ConnectJsonWriter('BASE64', true);
  private reader = new ConnectJsonReader(1000, true);
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /**
   * The bytes before the payload in the last envelope read, and their schema: records of a topic
   * mostly repeat them, and then only the payload is decoded and parsed (schemas of change events
   * are kilobytes, their payloads a few hundred bytes).
   */
  private recent: { head: Buffer; schemaText: string; schema: Schema | null } | null = null;

  configClass(): typeof JsonConverterConfig {
    return JsonConverterConfig;
  }

  configure(config: Readonly<Record<string, unknown>>, _isKey: boolean): void {
    const c = parsePluginConfig('JsonConverter', JsonConverterConfig, config);
    this.schemasEnabled = c['schemas.enable'];
    const replaceNull = c['replace.null.with.default'];
    const decimalFormat = c['decimal.format'].toUpperCase() as DecimalFormat;
    this.defaultPayloads = decimalFormat === 'BASE64' && replaceNull;
    this.writer = new ConnectJsonWriter(decimalFormat, replaceNull);
    this.reader = new ConnectJsonReader(c['schemas.cache.size'], replaceNull);
  }

  fromConnectData(
    topic: string,
    _headers: readonly ConnectHeader[],
    schema: Schema | null,
    value: unknown,
  ): Buffer | null {
    const text = this.written(topic, schema, value, (s, v) =>
      this.schemasEnabled ? this.writer.envelope(s, v) : this.writer.value(s, v),
    );
    return text === null ? null : Buffer.from(text, 'utf8');
  }

  /** With schemas, the envelope as parts: its head, the same for every record of a schema, as bytes. */
  fromConnectDataText(
    topic: string,
    _headers: readonly ConnectHeader[],
    schema: Schema | null,
    value: unknown,
  ): string | readonly (string | Buffer)[] | null {
    return this.written(topic, schema, value, (s, v) =>
      this.schemasEnabled ? this.writer.envelopeParts(s, v) : this.writer.value(s, v),
    );
  }

  /**
   * A value as the JSON text it came with: stored as it is. Under a schema, the text is the
   * payload as the default settings write it, so other settings convert the value instead.
   */
  fromConnectJsonText(
    _topic: string,
    json: string,
    schema: Schema | null,
  ): string | readonly (string | Buffer)[] | null {
    if (schema !== null && !this.defaultPayloads) return null;
    return this.schemasEnabled ? this.writer.payloadParts(schema, json) : json;
  }

  /** `write`'s result, null for a null value without a schema; errors name the topic. */
  private written<T>(
    topic: string,
    schema: Schema | null,
    value: unknown,
    write: (schema: Schema | null, value: unknown) => T,
  ): T | null {
    if (schema === null && (value === null || value === undefined)) return null;
    try {
      return write(schema, value);
    } catch (err) {
      throw surfaced(err, `Converting Kafka Connect data to JSON for topic ${topic} failed`);
    }
  }

  toConnectData(topic: string, _headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue {
    if (value === null || value.length === 0) return { schema: null, value: null };
    try {
      if (this.schemasEnabled) {
        const repeated = this.withRecentSchema(value);
        if (repeated) return repeated;
      }
    } catch (err) {
      throw surfaced(err, `Converting JSON to Kafka Connect data for topic ${topic} failed`);
    }
    let text: string;
    try {
      text = this.decoder.decode(value);
    } catch (err) {
      throw notJson(topic, err);
    }
    try {
      if (this.schemasEnabled) {
        const parts = splitEnvelope(text, this.reader.recentSchemaText);
        const converted = parts && this.fromEnvelopeParts(parts.schema, parts.payload);
        if (converted) return converted;
      }
      const parsed = parseOrThrow(topic, text);
      const json = parsed.value;
      if (!this.schemasEnabled) return this.fromPayload(null, parsed, text);
      if (
        !isPlainObject(json) ||
        Object.keys(json).length !== 2 ||
        !('schema' in json) ||
        !('payload' in json)
      )
        throw new DataError(ENVELOPE_REQUIRED);
      const schema = this.reader.schema(json['schema']);
      const payload = json['payload'];
      if (schema === null)
        return { schema: null, value: parsed.lossless ? withoutJsonDecimals(payload) : payload };
      return { schema, value: this.reader.value(schema, payload) };
    } catch (err) {
      throw surfaced(err, `Converting JSON to Kafka Connect data for topic ${topic} failed`);
    }
  }

  /**
   * The usual compact envelope: the schema is looked up by its text, only the payload is parsed.
   * Null when a part is not JSON on its own (say, a field after the payload), for the caller to
   * parse the whole text and report precisely what is wrong.
   */
  private fromEnvelopeParts(schemaText: string, payloadText: string): SchemaAndValue | null {
    let schema: Schema | null;
    let payload: ParsedJson;
    try {
      schema = this.reader.schemaFromText(schemaText);
      payload = parseJson(payloadText);
    } catch (err) {
      if (err instanceof SyntaxError) return null;
      throw err;
    }
    if (this.recent?.schemaText !== schemaText)
      this.recent = { head: Buffer.from(envelopeHead(schemaText)), schemaText, schema };
    return this.fromPayload(schema, payload, payloadText);
  }

  /**
   * `value` when it is the last envelope's head, its payload and the closing brace: the head's
   * bytes compared, only the payload decoded. Null for anything else (then read whole, which also
   * reports what is wrong): the head is valid JSON and UTF-8, so with a valid payload so is all.
   */
  private withRecentSchema(value: Buffer): SchemaAndValue | null {
    const recent = this.recent;
    if (recent === null) return null;
    const { head } = recent;
    if (value.length <= head.length || value[value.length - 1] !== 0x7d) return null;
    if (head.compare(value, 0, head.length) !== 0) return null;
    let text: string;
    try {
      text = this.decoder.decode(value.subarray(head.length, value.length - 1));
    } catch {
      return null; // not UTF-8: the whole text's decoding reports it
    }
    let payload: ParsedJson;
    try {
      payload = parseJson(text);
    } catch (err) {
      if (err instanceof SyntaxError) return null;
      throw err;
    }
    return this.fromPayload(recent.schema, payload, text);
  }

  /** A schemaless value keeps its text when that is one line (a sink may write it as it is). */
  private fromPayload(schema: Schema | null, payload: ParsedJson, text: string): SchemaAndValue {
    if (schema !== null) return { schema, value: this.reader.value(schema, payload.value) };
    return {
      schema: null,
      value: schemalessValue(payload),
      json: text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text : undefined,
    };
  }
}

function notJson(topic: string, err: unknown): DataError {
  return new DataError(
    `Converting byte[] to Kafka Connect data failed: the message on topic ${topic} is not valid JSON (${(err as Error).message})`,
    { cause: err },
  );
}

function parseOrThrow(topic: string, text: string): ParsedJson {
  try {
    return parseJson(text);
  } catch (err) {
    throw notJson(topic, err);
  }
}
