/*
 * Which tables a connector captures, with Debezium's semantics so configs carry over:
 * table.include.list / table.exclude.list are comma-separated regular expressions matched against
 * the whole "<schema>.<table>" (anchored, case-insensitive); schema.include.list /
 * schema.exclude.list the same against the schema name. Include and exclude of one kind are
 * mutually exclusive. System schemas are never captured.
 */

const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'pg_toast']);

export interface TableFilterConfig {
  readonly 'table.include.list': string;
  readonly 'table.exclude.list': string;
  readonly 'schema.include.list': string;
  readonly 'schema.exclude.list': string;
}

/**
 * Splits a comma-separated regex list. A comma inside {m,n} or escaped as "\," belongs to the
 * expression; blanks around entries are dropped.
 */
export function splitRegexList(list: string): string[] {
  const out: string[] = [];
  let current = '';
  let braces = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (c === '\\' && list[i + 1] === ',') {
      current += ',';
      i++;
    } else if (c === '\\' && i + 1 < list.length) {
      current += c + list[i + 1];
      i++;
    } else if (c === '{') {
      braces++;
      current += c;
    } else if (c === '}') {
      braces = Math.max(0, braces - 1);
      current += c;
    } else if (c === ',' && braces === 0) {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Compiles one entry as Debezium does: the whole name must match, ignoring case. */
export function compileEntry(entry: string): RegExp {
  return new RegExp(`^(?:${entry})$`, 'i');
}

/** Problems with the lists, by setting: bad expressions and include/exclude used together. */
export function filterConfigErrors(config: TableFilterConfig): { field: string; messages: string[] }[] {
  const errors: { field: string; messages: string[] }[] = [];
  for (const field of [
    'table.include.list',
    'table.exclude.list',
    'schema.include.list',
    'schema.exclude.list',
  ] as const) {
    const messages: string[] = [];
    for (const entry of splitRegexList(config[field])) {
      try {
        compileEntry(entry);
      } catch (err) {
        messages.push(
          `${field}: ${JSON.stringify(entry)} is not a valid regular expression: ${(err as Error).message}`,
        );
      }
    }
    if (messages.length > 0) errors.push({ field, messages });
  }
  if (config['table.include.list'].trim() && config['table.exclude.list'].trim())
    errors.push({
      field: 'table.exclude.list',
      messages: ['table.exclude.list cannot be used together with table.include.list: keep one of them'],
    });
  if (config['schema.include.list'].trim() && config['schema.exclude.list'].trim())
    errors.push({
      field: 'schema.exclude.list',
      messages: ['schema.exclude.list cannot be used together with schema.include.list: keep one of them'],
    });
  return errors;
}

export class TableFilter {
  private readonly tableIncludes: RegExp[];
  private readonly tableExcludes: RegExp[];
  private readonly schemaIncludes: RegExp[];
  private readonly schemaExcludes: RegExp[];
  private readonly cache = new Map<string, boolean>();
  /** The table.include.list entries as written, for checking that each names at least one table. */
  readonly includeEntries: readonly string[];

  constructor(config: TableFilterConfig) {
    this.includeEntries = splitRegexList(config['table.include.list']);
    this.tableIncludes = this.includeEntries.map(compileEntry);
    this.tableExcludes = splitRegexList(config['table.exclude.list']).map(compileEntry);
    this.schemaIncludes = splitRegexList(config['schema.include.list']).map(compileEntry);
    this.schemaExcludes = splitRegexList(config['schema.exclude.list']).map(compileEntry);
  }

  captures(schema: string, table: string): boolean {
    const id = `${schema}.${table}`;
    let hit = this.cache.get(id);
    if (hit === undefined) {
      hit = this.decide(schema, id);
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(id, hit);
    }
    return hit;
  }

  private decide(schema: string, id: string): boolean {
    if (SYSTEM_SCHEMAS.has(schema) || schema.startsWith('pg_temp_') || schema.startsWith('pg_toast_temp_'))
      return false;
    if (this.schemaIncludes.length > 0 && !this.schemaIncludes.some((r) => r.test(schema))) return false;
    if (this.schemaExcludes.some((r) => r.test(schema))) return false;
    if (this.tableIncludes.length > 0 && !this.tableIncludes.some((r) => r.test(id))) return false;
    if (this.tableExcludes.some((r) => r.test(id))) return false;
    return true;
  }
}

/**
 * message.key.columns: "<table regex>:<column>,<column>;<table regex>:<column>" (Debezium's
 * format). The first entry whose regex matches "<schema>.<table>" names the table's key columns.
 */
export class MessageKeyColumns {
  private readonly entries: { table: RegExp; columns: string[] }[];

  constructor(setting: string) {
    this.entries = parseMessageKeyColumns(setting).map((e) => ({
      table: compileEntry(e.table),
      columns: e.columns,
    }));
  }

  columnsFor(schema: string, table: string): string[] | null {
    const id = `${schema}.${table}`;
    for (const e of this.entries) if (e.table.test(id)) return e.columns;
    return null;
  }
}

export function parseMessageKeyColumns(setting: string): { table: string; columns: string[] }[] {
  const out: { table: string; columns: string[] }[] = [];
  for (const part of setting.split(';')) {
    const entry = part.trim();
    if (!entry) continue;
    const colon = entry.lastIndexOf(':');
    if (colon <= 0 || colon === entry.length - 1)
      throw new Error(
        `message.key.columns entry ${JSON.stringify(entry)} is not "<table regex>:<column>,..."`,
      );
    const table = entry.slice(0, colon).trim();
    compileEntry(table);
    const columns = entry
      .slice(colon + 1)
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c.length > 0);
    if (columns.length === 0)
      throw new Error(`message.key.columns entry ${JSON.stringify(entry)} names no column`);
    out.push({ table, columns });
  }
  return out;
}
