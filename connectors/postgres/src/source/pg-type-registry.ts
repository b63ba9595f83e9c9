/** What the task knows about a type from pg_type (and pg_enum). */
export interface PgType {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** pg_type.typtype: b base, c composite, d domain, e enum, p pseudo, r range, m multirange. */
  readonly typtype: string;
  /** pg_type.typcategory: 'A' for arrays. */
  readonly category: string;
  /** For arrays: the element type; else 0. */
  readonly elementOid: number;
  /** For domains: the underlying type and its typmod. */
  readonly baseOid: number;
  readonly baseTypeMod: number;
  /** Array element delimiter (',' except for box). */
  readonly delimiter: string;
  /** For enums: the labels in sort order. */
  readonly enumLabels: readonly string[];
}

/** Runs a catalog query and returns its rows. */
export type CatalogQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

const TYPE_COLUMNS = `
  SELECT t.oid::int8 AS oid, n.nspname AS schema, t.typname AS name, t.typtype::text AS typtype, t.typcategory::text AS category,
         t.typelem::int8 AS element, t.typbasetype::int8 AS base, t.typtypmod AS basemod,
         t.typdelim::text AS delimiter,
         CASE WHEN t.typtype = 'e' THEN
           (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
         END AS labels
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace`;

/**
 * Types by OID, loaded from the catalog: all of them at start, and any that appear later (a new
 * enum, a domain created while streaming) when a relation mentions them. Enum labels are reloaded
 * with the type when refresh() is asked for it (ALTER TYPE ... ADD VALUE).
 */
export class PgTypeRegistry {
  private readonly types = new Map<number, PgType>();

  constructor(private readonly query: CatalogQuery) {}

  async loadAll(): Promise<void> {
    for (const row of await this.query(`${TYPE_COLUMNS} WHERE t.typtype IN ('b','d','e','r','m','c')`, []))
      this.add(row);
  }

  get(oid: number): PgType | undefined {
    return this.types.get(oid);
  }

  /** Loads the types of `oids` not known yet, and what they refer to (elements, domain bases). */
  async ensure(oids: Iterable<number>, refresh: Iterable<number> = []): Promise<void> {
    let missing = new Set<number>([...oids].filter((o) => !this.types.has(o)));
    for (const o of refresh) missing.add(o);
    for (let round = 0; missing.size > 0 && round < 8; round++) {
      const rows = await this.query(`${TYPE_COLUMNS} WHERE t.oid = ANY($1::oid[])`, [[...missing]]);
      const next = new Set<number>();
      for (const row of rows) {
        const t = this.add(row);
        for (const ref of [t.elementOid, t.baseOid]) if (ref !== 0 && !this.types.has(ref)) next.add(ref);
      }
      missing = next;
    }
  }

  private add(row: Record<string, unknown>): PgType {
    const t: PgType = {
      oid: Number(row['oid']),
      schema: String(row['schema']),
      name: String(row['name']),
      typtype: String(row['typtype']),
      category: String(row['category'] ?? ''),
      elementOid: Number(row['element'] ?? 0),
      baseOid: Number(row['base'] ?? 0),
      baseTypeMod: Number(row['basemod'] ?? -1),
      delimiter: String(row['delimiter'] ?? ','),
      enumLabels: Array.isArray(row['labels']) ? (row['labels'] as unknown[]).map(String) : [],
    };
    this.types.set(t.oid, t);
    return t;
  }
}
