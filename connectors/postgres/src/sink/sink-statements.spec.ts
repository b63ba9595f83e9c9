import { describe, expect, it } from '@jest/globals';
import { addColumnsSql, createStageSql, createTableSql, mergeSql } from './sink-statements.js';

const m = {
  table: '"s"."t"',
  stage: 'pg_temp."st"',
  names: ['id', 'a"b'],
  keyCount: 1,
  deletes: true,
  writes: true,
};

describe('sink statements', () => {
  it('creates tables and stages with quoted names, positional stage columns', () => {
    expect(
      createTableSql(
        '"s"."t"',
        [
          { name: 'id', type: 'bigint', notNull: true },
          { name: 'x y', type: 'text', notNull: false },
        ],
        ['id'],
      ),
    ).toBe('CREATE TABLE IF NOT EXISTS "s"."t" ("id" bigint NOT NULL, "x y" text, PRIMARY KEY ("id"))');
    expect(
      addColumnsSql('"t"', [
        { name: 'n"', type: 'jsonb' },
        { name: 'm', type: 'int' },
      ]),
    ).toBe('ALTER TABLE "t" ADD COLUMN IF NOT EXISTS "n""" jsonb, ADD COLUMN IF NOT EXISTS "m" int');
    expect(createStageSql('pg_temp."st"', ['bigint', 'numeric(10,2)'])).toBe(
      'CREATE TEMP TABLE pg_temp."st" (op "char" NOT NULL, c0 bigint, c1 numeric(10,2)) ON COMMIT DELETE ROWS',
    );
  });

  it('upserts with ON CONFLICT on the key, after deleting d and r rows', () => {
    expect(mergeSql('upsert', m)).toEqual([
      `DELETE FROM "s"."t" AS t USING pg_temp."st" AS s WHERE s.op <> 'w' AND t."id" = s.c0`,
      `INSERT INTO "s"."t" ("id", "a""b") SELECT c0, c1 FROM pg_temp."st" WHERE op <> 'd' ON CONFLICT ("id") DO UPDATE SET "a""b" = EXCLUDED."a""b"`,
    ]);
    expect(mergeSql('upsert', { ...m, names: ['id'], deletes: false })).toEqual([
      `INSERT INTO "s"."t" ("id") SELECT c0 FROM pg_temp."st" WHERE op <> 'd' ON CONFLICT ("id") DO NOTHING`,
    ]);
  });

  it('updates only w rows, and inserts without conflict handling', () => {
    expect(mergeSql('update', { ...m, deletes: false })).toEqual([
      `UPDATE "s"."t" AS t SET "a""b" = s.c1 FROM pg_temp."st" AS s WHERE s.op = 'w' AND t."id" = s.c0`,
    ]);
    expect(mergeSql('insert', { ...m, writes: false })).toEqual([
      `DELETE FROM "s"."t" AS t USING pg_temp."st" AS s WHERE s.op <> 'w' AND t."id" = s.c0`,
    ]);
    expect(mergeSql('insert', { ...m, deletes: false })).toEqual([
      `INSERT INTO "s"."t" ("id", "a""b") SELECT c0, c1 FROM pg_temp."st" WHERE op <> 'd'`,
    ]);
  });
});
