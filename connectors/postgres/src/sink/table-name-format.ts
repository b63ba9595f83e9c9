import type { TableName } from './sql-identifier.js';

/**
 * `table.name.format`: the target table of a record, e.g. `${topic}`, `archive.${source.table}`,
 * `${source.schema}.${source.table}`. A literal dot in the template (outside the placeholders)
 * separates schema and table, on the first one only; dots inside substituted values never split,
 * so a topic named `server1.public.users` becomes one table of that name (in the current schema)
 * rather than a schema guessed from the topic.
 */
export interface TableNameContext {
  topic: string;
  /** From a Debezium envelope's source block; null for plain records (and tombstones). */
  sourceSchema: string | null;
  sourceTable: string | null;
}

export const PLACEHOLDERS = ['topic', 'source.schema', 'source.table'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
type Part = { literal: string } | { placeholder: Placeholder };

export class TableNameFormatError extends Error {
  override name = 'TableNameFormatError';
}

export interface TableNameFormat {
  /** The table for a record; null when a placeholder has no value (no envelope source block). */
  resolve(context: TableNameContext): TableName | null;
  /** Uses ${source.schema} or ${source.table}. */
  readonly needsSource: boolean;
  /** The schema when it is a literal (for checking privileges ahead); null when none or templated. */
  readonly literalSchema: string | null;
  /** The schema part holds a placeholder, so it is known only per record. */
  readonly templatedSchema: boolean;
}

function parseParts(text: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('${', i);
    if (open < 0) {
      parts.push({ literal: text.slice(i) });
      break;
    }
    if (open > i) parts.push({ literal: text.slice(i, open) });
    const close = text.indexOf('}', open);
    if (close < 0) throw new TableNameFormatError(`unterminated placeholder in ${text}`);
    const name = text.slice(open + 2, close);
    if (!(PLACEHOLDERS as readonly string[]).includes(name))
      throw new TableNameFormatError(
        `unknown placeholder \${${name}} in ${text}; known: ${PLACEHOLDERS.map((p) => `\${${p}}`).join(', ')}`,
      );
    parts.push({ placeholder: name as Placeholder });
    i = close + 1;
  }
  return parts;
}

/** Splits the parts on the first literal dot. */
function splitSchema(parts: Part[]): { schema: Part[] | null; table: Part[] } {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!('literal' in part)) continue;
    const dot = part.literal.indexOf('.');
    if (dot < 0) continue;
    const schema = [...parts.slice(0, i), { literal: part.literal.slice(0, dot) }];
    const table = [{ literal: part.literal.slice(dot + 1) }, ...parts.slice(i + 1)];
    return { schema, table };
  }
  return { schema: null, table: parts };
}

function render(parts: Part[], context: TableNameContext): string | null {
  let out = '';
  for (const part of parts) {
    if ('literal' in part) {
      out += part.literal;
      continue;
    }
    const value =
      part.placeholder === 'topic'
        ? context.topic
        : part.placeholder === 'source.schema'
          ? context.sourceSchema
          : context.sourceTable;
    if (value === null || value === '') return null;
    out += value;
  }
  return out;
}

export function compileTableNameFormat(text: string): TableNameFormat {
  if (text.trim() === '') throw new TableNameFormatError('table.name.format is empty');
  const parts = parseParts(text);
  const { schema, table } = splitSchema(parts);
  const schemaParts = schema?.filter((p) => !('literal' in p) || p.literal !== '') ?? null;
  const tableParts = table.filter((p) => !('literal' in p) || p.literal !== '');
  if (tableParts.length === 0) throw new TableNameFormatError(`${text} names no table after the dot`);
  if (schemaParts !== null && schemaParts.length === 0)
    throw new TableNameFormatError(`${text} names no schema before the dot`);
  const needsSource = parts.some((p) => 'placeholder' in p && p.placeholder !== 'topic');
  const literalSchema =
    schemaParts !== null && schemaParts.every((p) => 'literal' in p)
      ? schemaParts.map((p) => (p as { literal: string }).literal).join('')
      : null;
  // The common `${topic}` needs no rendering work per record.
  const onlyTopic = schemaParts === null && tableParts.length === 1 && 'placeholder' in tableParts[0]!;
  const onlyTopicPlaceholder = onlyTopic && (tableParts[0] as { placeholder: Placeholder }).placeholder;
  return {
    needsSource,
    literalSchema,
    templatedSchema: schemaParts !== null && literalSchema === null,
    resolve(context) {
      if (onlyTopicPlaceholder === 'topic') return { schema: null, table: context.topic };
      const tableName = render(tableParts, context);
      if (tableName === null) return null;
      if (schemaParts === null) return { schema: null, table: tableName };
      const schemaName = render(schemaParts, context);
      return schemaName === null ? null : { schema: schemaName, table: tableName };
    },
  };
}
