import { describe, expect, it } from '@jest/globals';
import { PgTypeRegistry } from './pg-type-registry.js';
import { UNCHANGED_TOAST, type TupleValue } from './pgoutput-message.js';
import { RequiredNullError, TableSchema, type ColumnDescriptor } from './table-schema.js';

const TYPES = [
  [20, 'int8', 'N'],
  [23, 'int4', 'N'],
  [25, 'text', 'S'],
  [701, 'float8', 'N'],
  [16, 'bool', 'B'],
  [1700, 'numeric', 'N'],
] as const;

async function tableOf(
  columns: [string, number, boolean][],
  keyColumns: string[] = [],
): Promise<TableSchema> {
  const types = new PgTypeRegistry(async () =>
    TYPES.map(([oid, name, category]) => ({ oid, schema: 'pg_catalog', name, typtype: 'b', category })),
  );
  await types.loadAll();
  const descriptors: ColumnDescriptor[] = columns.map(([name, typeOid, optional]) => ({
    name,
    typeOid,
    typeMod: -1,
    optional,
    dims: 0,
  }));
  const modes = {
    decimal: 'precise',
    binary: 'bytes',
    time: 'adaptive',
    interval: 'numeric',
    moneyFractionDigits: 2,
    placeholder: '__debezium_unavailable_value',
  } as const;
  return new TableSchema(
    { schema: 'public', table: 't', columns: descriptors, keyColumns, replicaIdentity: 'default' },
    'pg',
    { types, modes },
    () => undefined,
  );
}

describe('TableSchema.image', () => {
  it("writes a row's JSON text in column order, from the server's text where the type allows", async () => {
    const table = await tableOf([
      ['id', 20, false],
      ['1', 23, true],
      ['we"ird \\ name', 25, true],
      ['x', 701, true],
      ['ok', 16, true],
    ]);
    const row: TupleValue[] = ['9223372036854775807', '-5', 'ü "q"\n', 'NaN', 't'];
    const image = table.image(row, 'full');
    // a name like "1" comes first among an object's keys, never in the text
    expect(image.json).toBe(
      '{"id":9223372036854775807,"1":-5,"we\\"ird \\\\ name":"ü \\"q\\"\\n","x":"NaN","ok":true}',
    );
    expect(image.value).toEqual({
      id: 9223372036854775807n,
      1: -5,
      'we"ird \\ name': 'ü "q"\n',
      x: NaN,
      ok: true,
    });
  });

  it('writes placeholders, nulls, the zeros of key-only images and columns a tuple lacks as the struct has them', async () => {
    const table = await tableOf(
      [
        ['id', 23, false],
        ['body', 25, true],
        ['n', 23, false],
        ['added', 25, true],
      ],
      ['id'],
    );
    expect(table.image(['1', UNCHANGED_TOAST, '2'], 'full').json).toBe(
      '{"id":1,"body":"__debezium_unavailable_value","n":2,"added":null}',
    );
    // an unchanged TOASTed value of the old row (REPLICA IDENTITY FULL) is taken from it
    expect(table.image(['1', UNCHANGED_TOAST, '2'], 'full', ['1', 'old body', '2']).json).toBe(
      '{"id":1,"body":"old body","n":2,"added":null}',
    );
    expect(table.image(['1', null, null, null], 'key-only').json).toBe(
      '{"id":1,"body":null,"n":0,"added":null}',
    );
    expect(() => table.image(['1', null, null, null], 'full')).toThrow(RequiredNullError);
    expect(table.relaxed(2).image(['1', null, null, null], 'full').json).toBe(
      '{"id":1,"body":null,"n":null,"added":null}',
    );
  });

  it('gives no text for a table with a column whose value is not a JSON scalar (a Decimal)', async () => {
    const table = await tableOf([
      ['id', 23, false],
      ['price', 1700, true],
    ]);
    const image = table.image(['1', '1.5'], 'full');
    expect(image.json).toBeUndefined();
    expect(image.value['id']).toBe(1);
  });
});
