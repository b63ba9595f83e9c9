import { copyField, pgText, type ColumnCodec } from './pg-text-encoder.js';
import type { RowShape } from './row-change.js';
import type { StagedRow } from './write-plan.js';

/**
 * Text gathered before it becomes bytes: a batch of batch.size (up to a million) wide rows is more
 * text than one JavaScript string can hold (about 512 MiB), so it is turned into bytes in parts.
 */
const PART_CHARS = 16 * 1024 * 1024;

/** COPY text rows: the op (staging only), then each column's value. */
export function encodeCopyRows(
  rows: readonly StagedRow[],
  shape: RowShape,
  codecs: readonly ColumnCodec[],
  withOp: boolean,
  partChars = PART_CHARS,
): Buffer {
  const width = shape.names.length;
  const schemas = shape.schemas;
  const parts: Buffer[] = [];
  let text = '';
  for (const row of rows) {
    const values = row.values;
    let line = withOp ? row.op : '';
    for (let i = 0; i < width; i++) {
      const field = copyField(pgText(values[i], schemas[i] ?? null, codecs[i]!));
      line += withOp || i > 0 ? `\t${field}` : field;
    }
    text += `${line}\n`;
    if (text.length >= partChars) {
      parts.push(Buffer.from(text, 'utf8'));
      text = '';
    }
  }
  if (parts.length === 0) return Buffer.from(text, 'utf8');
  parts.push(Buffer.from(text, 'utf8'));
  return Buffer.concat(parts);
}
