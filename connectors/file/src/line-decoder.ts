import {
  compactJsonText,
  DataError,
  parseSchemalessJson,
  SchemaBuilder,
  Schemas,
  type Schema,
} from '@sluice/connect-api';
import { CsvSyntaxError, parseCsvRow } from './csv-row.js';
import type { SourceFormat } from './file-source.config.js';
import { isBlank, withoutBom, type CsvHeader, type TailItem } from './tailed-file.js';

export interface DecodedLine {
  readonly key: unknown;
  readonly keySchema: Schema | null;
  readonly value: unknown;
  readonly valueSchema: Schema | null;
  /** The value's JSON text, for a jsonl line that is compact JSON (see compactJsonText). */
  readonly valueJson?: string;
}

type RecordItem = Extract<TailItem, { kind: 'record' }>;

/** The state a decoder keeps per file: a csv file's header. */
export interface DecodeTarget {
  readonly relPath: string;
  csvHeader: CsvHeader | null;
}

/**
 * Turns one line (csv: one record) into a key and value:
 *   text  the line without its line break, as a STRING value; every line is a record, blank too
 *   jsonl the parsed JSON (schemaless); blank lines are skipped, invalid JSON is a DataError
 *   csv   the first non-blank row names the columns; each later row becomes a struct of optional
 *         strings; blank rows are skipped; more values than columns is a DataError, fewer leave
 *         the rest null
 * A UTF-8 byte order mark at the start of a file is dropped.
 */
export class LineDecoder {
  constructor(
    private readonly format: SourceFormat,
    private readonly keyField: string,
  ) {}

  /** The record for `item`, or null when the line is not data (blank, the csv header). */
  decode(target: DecodeTarget, item: RecordItem): DecodedLine | null {
    const bytes = item.start === 0 ? withoutBom(item.bytes) : item.bytes;
    switch (this.format) {
      case 'text': {
        const text = bytes.toString('utf8');
        return {
          key: null,
          keySchema: null,
          value: text.endsWith('\r') ? text.slice(0, -1) : text,
          valueSchema: Schemas.STRING,
        };
      }
      case 'jsonl':
        return isBlank(bytes) ? null : this.decodeJson(target, item, bytes.toString('utf8'));
      case 'csv':
        return isBlank(bytes) ? null : this.decodeCsv(target, item, bytes.toString('utf8'));
    }
  }

  /** A header for the first csv row of a file (used directly when resuming past it). */
  readHeader(target: DecodeTarget, bytes: Buffer, line: number): CsvHeader {
    const text = withoutBom(bytes).toString('utf8');
    const columns = this.parseRow(target, text, line, 'header row');
    const seen = new Set<string>();
    const builder = SchemaBuilder.struct();
    for (const column of columns) {
      if (column === '') throw dataError(target, line, 'the header row has an empty column name');
      if (seen.has(column)) throw dataError(target, line, `the header row names column "${column}" twice`);
      seen.add(column);
      builder.field(column, Schemas.OPTIONAL_STRING);
    }
    return {
      columns,
      schema: builder.build(),
      keyIndex: this.keyField === '' ? -1 : columns.indexOf(this.keyField),
    };
  }

  private decodeJson(target: DecodeTarget, item: RecordItem, text: string): DecodedLine {
    let value: unknown;
    try {
      value = parseSchemalessJson(text);
    } catch (err) {
      throw dataError(target, item.firstLine, `invalid JSON: ${(err as Error).message}`, err);
    }
    let key: unknown = null;
    if (this.keyField !== '' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      key = (value as Record<string, unknown>)[this.keyField] ?? null;
    }
    return { key, keySchema: null, value, valueSchema: null, valueJson: compactJsonText(text) };
  }

  private decodeCsv(target: DecodeTarget, item: RecordItem, text: string): DecodedLine | null {
    if (item.unterminatedQuote) {
      throw dataError(target, item.firstLine, 'the file ends inside a quoted field');
    }
    const header = target.csvHeader;
    if (!header) {
      target.csvHeader = this.readHeader(target, item.bytes, item.firstLine);
      return null;
    }
    const values = this.parseRow(target, text, item.firstLine, 'row');
    if (values.length > header.columns.length) {
      throw dataError(
        target,
        item.firstLine,
        `the row has ${values.length} values but the header names ${header.columns.length} columns`,
      );
    }
    const value: Record<string, string | null> = {};
    header.columns.forEach((column, i) => {
      value[column] = values[i] ?? null;
    });
    const key = header.keyIndex >= 0 ? (values[header.keyIndex] ?? null) : null;
    return {
      key,
      keySchema: header.keyIndex >= 0 ? Schemas.OPTIONAL_STRING : null,
      value,
      valueSchema: header.schema,
    };
  }

  private parseRow(target: DecodeTarget, text: string, line: number, what: string): string[] {
    try {
      return parseCsvRow(text);
    } catch (err) {
      if (err instanceof CsvSyntaxError)
        throw dataError(target, line, `invalid csv ${what}: ${err.message}`, err);
      throw err;
    }
  }
}

export function dataError(
  target: { relPath: string },
  line: number,
  problem: string,
  cause?: unknown,
): DataError {
  return new DataError(
    `${target.relPath} line ${line}: ${problem}`,
    cause === undefined ? undefined : { cause },
  );
}
