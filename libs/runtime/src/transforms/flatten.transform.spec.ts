import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import { FlattenKey, FlattenValue } from './flatten.transform.js';
import { sourceRecord } from '../testing/record-fixtures.js';

function configured(config: Record<string, unknown> = {}): FlattenValue {
  const t = new FlattenValue();
  t.configure(config);
  return t;
}

describe('Flatten', () => {
  it('flattens nested schemaless maps, keeping arrays', () => {
    const value = { id: 1, address: { city: 'Oslo', geo: { lat: 59.9 } }, tags: ['a'], empty: {}, nil: null };
    expect(configured().apply(sourceRecord({ value }))!.value).toEqual({
      id: 1,
      'address.city': 'Oslo',
      'address.geo.lat': 59.9,
      tags: ['a'],
      nil: null,
    });
    expect(configured({ delimiter: '_' }).apply(sourceRecord({ value }))!.value).toHaveProperty(
      'address_geo_lat',
      59.9,
    );
    expect(configured().apply(sourceRecord({ value: new Map([['a', new Map([['b', 1]])]]) }))!.value).toEqual(
      new Map([['a.b', 1]]),
    );
  });

  it('flattens nested structs into a flat schema, cached', () => {
    const geo = SchemaBuilder.struct().field('lat', Schemas.FLOAT64).field('lon', Schemas.FLOAT64).build();
    const address = SchemaBuilder.struct().optional().field('city', Schemas.STRING).field('geo', geo).build();
    const schema = SchemaBuilder.struct()
      .name('customer')
      .field('id', Schemas.INT32)
      .field('address', address)
      .field('tags', SchemaBuilder.array(Schemas.STRING).build())
      .build();
    const t = configured();
    const a = t.apply(
      sourceRecord({
        valueSchema: schema,
        value: { id: 1, address: { city: 'Oslo', geo: { lat: 1, lon: 2 } }, tags: ['x'] },
      }),
    )!;
    expect(a.valueSchema!.name).toBe('customer');
    expect(a.valueSchema!.fields!.map((f) => [f.name, f.schema.type, f.schema.optional])).toEqual([
      ['id', 'int32', false],
      ['address.city', 'string', true],
      ['address.geo.lat', 'float64', true],
      ['address.geo.lon', 'float64', true],
      ['tags', 'array', false],
    ]);
    expect(a.value).toEqual({
      id: 1,
      'address.city': 'Oslo',
      'address.geo.lat': 1,
      'address.geo.lon': 2,
      tags: ['x'],
    });
    const b = t.apply(sourceRecord({ valueSchema: schema, value: { id: 2, address: null, tags: [] } }))!;
    expect(b.valueSchema).toBe(a.valueSchema);
    expect(b.value).toEqual({
      id: 2,
      'address.city': null,
      'address.geo.lat': null,
      'address.geo.lon': null,
      tags: [],
    });
  });

  it('takes defaults from a parent struct default', () => {
    const inner = SchemaBuilder.struct().field('x', Schemas.INT32).optional().defaultValue({ x: 5 }).build();
    const schema = SchemaBuilder.struct().field('p', inner).build();
    const out = configured().apply(sourceRecord({ valueSchema: schema, value: { p: { x: 1 } } }))!;
    expect(out.valueSchema!.fields![0]!.schema.defaultValue).toBe(5);
  });

  it('reports colliding names', () => {
    const schema = SchemaBuilder.struct()
      .field('a.b', Schemas.INT32)
      .field('a', SchemaBuilder.struct().field('b', Schemas.INT32).build())
      .build();
    expect(() =>
      configured().apply(sourceRecord({ valueSchema: schema, value: { 'a.b': 1, a: { b: 2 } } })),
    ).toThrow(/collide/);
  });

  it('works on keys and passes tombstones through', () => {
    const t = new FlattenKey();
    t.configure({});
    expect(t.apply(sourceRecord({ key: { a: { b: 1 } } }))!.key).toEqual({ 'a.b': 1 });
    const tombstone = sourceRecord({ value: null });
    expect(configured().apply(tombstone)).toBe(tombstone);
    expect(() => configured().apply(sourceRecord({ value: 5 }))).toThrow(/Only Map objects/);
  });
});
