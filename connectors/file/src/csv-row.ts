/*
 * One CSV row (RFC 4180) to fields and back.
 *
 *   row    = field *("," field) [CR]
 *   field  = quoted / bare
 *   quoted = DQUOTE *(any char but DQUOTE / 2DQUOTE) DQUOTE     (may hold commas, CR and LF)
 *   bare   = *(any char but "," and LF)
 *
 * Lenient where RFC 4180 is silent or strict in ways real files ignore: a quote inside a bare
 * field is taken literally (`5" disk`); a CRLF or a lone CR at the end of the row is dropped.
 * Text after a closing quote (`"a"b`) is an error: the writer meant something we cannot know.
 */

export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError';
}

export function parseCsvRow(row: string): string[] {
  const text = row.endsWith('\r') ? row.slice(0, -1) : row;
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 0x22) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) throw new CsvSyntaxError(`unterminated quoted field ${fields.length + 1}`);
        value += text.slice(from, quote);
        if (text.charCodeAt(quote + 1) === 0x22) {
          value += '"';
          from = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text.charCodeAt(i) !== 0x2c) {
        throw new CsvSyntaxError(`unexpected text after the closing quote of field ${fields.length}`);
      }
      i++;
    } else {
      const comma = text.indexOf(',', i);
      if (comma < 0) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, comma));
      i = comma + 1;
    }
  }
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One row, without the line break. A lone empty field is written `""` so the row is not blank. */
export function formatCsvRow(fields: readonly string[]): string {
  if (fields.length === 1 && fields[0] === '') return '""';
  return fields.map((f) => (NEEDS_QUOTES.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}
