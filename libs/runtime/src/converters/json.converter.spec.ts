import { describe, expect, it } from '@jest/globals';
import { DataError, SchemaBuilder, Schemas, type Schema, type SchemaAndValue } from '@sluice/connect-api';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { ConfigException } from '../transforms/config-exception.js';
import { formatDecimal } from './decimal.js';
import { JsonConverter } from './json.converter.js';

const DAY = 86_400_000;

function converter(config: Record<string, unknown> = {}): JsonConverter {
  const c = new JsonConverter();
  c.configure(config, false);
  return c;
}

function write(c: JsonConverter, schema: Schema | null, value: unknown): string | null {
  return c.fromConnectData('t', [], schema, value)?.toString('utf8') ?? null;
}

function read(c: JsonConverter, text: string): SchemaAndValue {
  return c.toConnectData('t', [], Buffer.from(text));
}

const address = SchemaBuilder.struct()
  .name('com.example.Address')
  .optional()
  .field('city', Schemas.STRING)
  .build();
const customer = SchemaBuilder.struct()
  .name('com.example.Customer')
  .version(3)
  .field('id', Schemas.INT32)
  .field('name', Schemas.OPTIONAL_STRING)
  .field('price', Schemas.decimal(2))
  .field('born', Schemas.date(true))
  .field('updated_at', Schemas.timestamp())
  .field('big', Schemas.INT64)
  .field('avatar', Schemas.OPTIONAL_BYTES)
  .field('tags', SchemaBuilder.array(Schemas.STRING).build())
  .field('counts', SchemaBuilder.map(Schemas.STRING, Schemas.INT64).build())
  .field('address', address)
  .build();
const customerValue = {
  id: 42,
  name: 'Ada',
  price: '123.45',
  born: new Date(Date.UTC(2024, 2, 5)),
  updated_at: new Date(1_700_000_000_000),
  big: 9007199254740993n,
  avatar: Buffer.from('hi'),
  tags: ['a', 'b'],
  counts: { x: 1 },
  address: null,
};

describe('JsonConverter with schemas', () => {
  // Kafka writes compact JSON; the fixture is pretty-printed, and none of its strings hold spaces.
  const fixture = readFileSync(
    new URL('./fixtures/kafka-struct-envelope.json', import.meta.url),
    'utf8',
  ).replace(/\s+/g, '');

  it('writes Kafka Connect’s envelope byte for byte', () => {
    expect(write(converter(), customer, customerValue)).toBe(fixture);
  });

  it('hands the runtime the envelope as parts: the schema head as bytes made once, then the payload', () => {
    const c = converter();
    const joined = (parts: ReturnType<typeof c.fromConnectDataText>): string =>
      Buffer.concat(
        (parts as (string | Buffer)[]).map((p) => (typeof p === 'string' ? Buffer.from(p) : p)),
      ).toString();
    const first = c.fromConnectDataText('t', [], customer, customerValue);
    expect(joined(first)).toBe(fixture);
    const second = c.fromConnectDataText('t', [], customer, customerValue) as (string | Buffer)[];
    expect(second[0]).toBe((first as (string | Buffer)[])[0]);
    expect(joined(c.fromConnectDataText('t', [], null, { a: 1 }))).toBe('{"schema":null,"payload":{"a":1}}');
    expect(c.fromConnectDataText('t', [], null, null)).toBeNull();
    // a schemaless value given as its JSON text is stored as it is, in the envelope or bare
    expect(joined(c.fromConnectJsonText('t', '{"price":1.10}', null))).toBe(
      '{"schema":null,"payload":{"price":1.10}}',
    );
    const bare = new JsonConverter();
    bare.configure({ 'schemas.enable': false }, false);
    expect(bare.fromConnectJsonText('t', '{"price":1.10}', null)).toBe('{"price":1.10}');
  });

  it('stores the payload text of a value with a schema in its envelope, unless its settings write payloads otherwise', () => {
    const payload = write(converter(), customer, customerValue)!.slice(
      fixture.indexOf('"payload":') + 10,
      -1,
    );
    const c = converter();
    const parts = c.fromConnectJsonText('t', payload, customer) as (string | Buffer)[];
    expect(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString()).toBe(
      fixture,
    );
    // the head is the one values of that schema are written with
    expect(parts[0]).toBe((c.fromConnectDataText('t', [], customer, customerValue) as Buffer[])[0]);
    const bare = new JsonConverter();
    bare.configure({ 'schemas.enable': false }, false);
    expect(bare.fromConnectJsonText('t', payload, customer)).toBe(payload);
    for (const settings of [{ 'decimal.format': 'NUMERIC' }, { 'replace.null.with.default': false }]) {
      const other = new JsonConverter();
      other.configure(settings, false);
      expect(other.fromConnectJsonText('t', payload, customer)).toBeNull();
      expect(other.fromConnectJsonText('t', '{"a":1}', null)).not.toBeNull();
    }
  });

  it('reads Kafka Connect’s envelope, sharing one Schema object across records', () => {
    const c = converter();
    const first = read(c, fixture);
    expect(first.schema).toEqual(customer);
    expect(first.value).toEqual(customerValue);
    expect(read(c, fixture).schema).toBe(first.schema);
    // The compact form Kafka writes takes the parse-only-the-payload path; same result.
    expect(read(c, fixture.replace(/\s+/g, ''))).toEqual(first);
  });

  it('writes decimals as numbers with decimal.format=NUMERIC, and reads both forms', () => {
    const schema = SchemaBuilder.struct().field('p', Schemas.decimal(3)).build();
    const numeric = converter({ 'decimal.format': 'numeric' });
    const text = write(numeric, schema, { p: '-12345678901234567.5' })!;
    expect(text).toContain('"payload":{"p":-12345678901234567.500}');
    expect(read(numeric, text).value).toEqual({ p: '-12345678901234567.500' });
    expect(read(converter(), text).value).toEqual({ p: '-12345678901234567.500' });
    expect(write(converter(), schema, { p: '1.5' })).toContain('"p":"Bdw="');
  });

  it('embeds defaults and replaces nulls with them', () => {
    const schema = SchemaBuilder.struct()
      .field('n', SchemaBuilder.type('int32').defaultValue(7).build())
      .field('s', SchemaBuilder.type('string').optional().build())
      .build();
    const text = write(converter(), schema, { n: null })!;
    expect(text).toBe(
      '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"default":7,"field":"n"},{"type":"string","optional":true,"field":"s"}],"optional":false},"payload":{"n":7,"s":null}}',
    );
    expect(read(converter(), text).schema).toEqual(schema);
  });

  it('writes a schemaless value in an envelope with a null schema, and null as a tombstone', () => {
    const c = converter();
    expect(write(c, null, { a: [1, 'x'] })).toBe('{"schema":null,"payload":{"a":[1,"x"]}}');
    // the payload's text comes along, for a sink to write as it is, when it is one line
    expect(read(c, '{"schema":null,"payload":{"a":[1,"x"]}}')).toEqual({
      schema: null,
      value: { a: [1, 'x'] },
      json: '{"a":[1,"x"]}',
    });
    expect(read(c, '{"schema":null,"payload":{"a":[1,\n"x"]}}').json).toBeUndefined();
    expect(c.fromConnectData('t', [], null, null)).toBeNull();
    expect(c.toConnectData('t', [], null)).toEqual({ schema: null, value: null });
    expect(write(c, Schemas.OPTIONAL_STRING, null)).toBe(
      '{"schema":{"type":"string","optional":true},"payload":null}',
    );
  });

  it('fails values that do not fit their schema, naming the field', () => {
    const c = converter();
    expect(() => write(c, customer, { ...customerValue, id: 'x' })).toThrow(DataError);
    expect(() => write(c, customer, { ...customerValue, id: 'x' })).toThrow(
      /invalid value for int32: string "x" at field id/,
    );
    expect(() => write(c, customer, { ...customerValue, tags: ['a', 5] })).toThrow(/at field tags\.1/);
    expect(() => write(c, customer, { ...customerValue, price: '1.234' })).toThrow(
      /more digits.*at field price/,
    );
    expect(() => write(c, customer, { ...customerValue, born: new Date(5) })).toThrow(
      /midnight UTC.* at field born/,
    );
    expect(() => write(c, Schemas.INT8, 300)).toThrow(/int8/);
    expect(() => write(c, Schemas.STRING, null)).toThrow(/required field/);
  });

  it('fails messages that are not JSON, or not an envelope', () => {
    const c = converter();
    expect(() => read(c, '{"schema": nope')).toThrow(DataError);
    expect(() => read(c, '{"schema": nope')).toThrow(/message on topic t is not valid JSON/);
    expect(() => c.toConnectData('t', [], Buffer.from([0xff, 0xfe, 0x41]))).toThrow(/not valid JSON/);
    expect(() => read(c, '{"schema":{"type":int32},"payload":1}')).toThrow(/not valid JSON/);
    expect(() => read(c, '{"schema":null,"payload":nope}')).toThrow(/not valid JSON/);
    expect(() => read(c, '{"a":1}')).toThrow(/requires "schema" and "payload" fields/);
    expect(() => read(c, '{"schema":null,"payload":1,"extra":2}')).toThrow(
      /requires "schema" and "payload" fields/,
    );
    expect(() => read(c, '{"schema":{"type":"int33"},"payload":1}')).toThrow(/unknown schema type: int33/);
    expect(() => read(c, '{"schema":{"type":"int32"},"payload":"1"}')).toThrow(
      /expected an integer for int32/,
    );
    expect(() =>
      read(c, '{"schema":{"type":"struct","fields":[{"type":"string","field":"a"}]},"payload":{"a":null}}'),
    ).toThrow(/invalid null value for a required string field at field a/);
  });

  it('reads a record after one with the same schema exactly as a first record, errors included', () => {
    const head =
      '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"a"}],"optional":false},"payload":';
    const outcome = (c: JsonConverter, text: string): unknown => {
      try {
        return read(c, text);
      } catch (err) {
        return `${(err as Error).constructor.name}: ${(err as Error).message}`;
      }
    };
    const payloads = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom('{"a":1}', '{"a":1}}', '{"a":1},"extra":2', '{"a":"x"}', 'nope', '', '{"a":1} '),
    );
    fc.assert(
      fc.property(payloads, fc.constantFrom('}', '', '} ', '}}'), (payload, tail) => {
        const warm = converter();
        read(warm, `${head}{"a":0}}`); // the schema is now the recent one
        const text = `${head}${payload}${tail}`;
        expect(outcome(warm, text)).toEqual(outcome(converter(), text));
      }),
      { numRuns: 300 },
    );
    const warm = converter();
    read(warm, `${head}{"a":0}}`);
    expect(() =>
      warm.toConnectData('t', [], Buffer.concat([Buffer.from(head), Buffer.from([0xff]), Buffer.from('}')])),
    ).toThrow(/not valid JSON/);
  });

  it('names bad settings', () => {
    let error: unknown;
    try {
      converter({ 'schemas.enable': 'maybe', 'decimal.format': 'HEX', 'schemas.cache.size': -1 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigException);
    expect((error as ConfigException).errors.map((e) => e.field).sort()).toEqual([
      'decimal.format',
      'schemas.cache.size',
      'schemas.enable',
    ]);
  });
});

describe('JsonConverter without schemas', () => {
  const c = converter({ 'schemas.enable': false });

  it('writes and reads plain JSON, keeping big integers exact', () => {
    expect(write(c, null, { id: 1, big: 2n ** 60n, raw: Buffer.from('hi'), at: new Date(0) })).toBe(
      '{"id":1,"big":1152921504606846976,"raw":"aGk=","at":"1970-01-01T00:00:00.000Z"}',
    );
    expect(read(c, '{"id":1,"big":1152921504606846976,"f":0.12345678901234567}').value).toEqual({
      id: 1,
      big: 1152921504606846976n,
      f: Number('0.12345678901234567'),
    });
    expect(write(c, Schemas.INT32, 5)).toBe('5');
  });

  it('reads a tombstone as null and fails invalid JSON', () => {
    expect(c.toConnectData('t', [], null)).toEqual({ schema: null, value: null });
    expect(() => read(c, 'not json')).toThrow(/not valid JSON/);
  });

  it('round-trips any JSON value', () => {
    // Integers written out in full beyond 2^53 come back as exact bigints, by design.
    const bigints = (_key: string, v: unknown) =>
      typeof v === 'number' && !Number.isSafeInteger(v) && /^-?\d+$/.test(String(v)) ? BigInt(v) : v;
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const normalized = JSON.parse(JSON.stringify(value), bigints) as unknown;
        expect(read(c, write(c, null, normalized) ?? 'null').value).toEqual(normalized);
      }),
      { numRuns: 200 },
    );
  });
});

/** Any schema Kafka's JSON format can describe, nested a few levels deep. */
const anySchema: fc.Arbitrary<Schema> = fc.letrec<{ schema: Schema }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(
      Schemas.INT8,
      Schemas.INT16,
      Schemas.INT32,
      Schemas.INT64,
      Schemas.FLOAT32,
      Schemas.FLOAT64,
      Schemas.BOOLEAN,
      Schemas.STRING,
      Schemas.BYTES,
      Schemas.OPTIONAL_INT64,
      Schemas.OPTIONAL_STRING,
      Schemas.date(),
      Schemas.time(true),
      Schemas.timestamp(),
    ),
    fc.integer({ min: -2, max: 6 }).map((scale) => Schemas.decimal(scale)),
    tie('schema').map((items) => SchemaBuilder.array(items).build()),
    tie('schema').map((values) => SchemaBuilder.map(Schemas.STRING, values).optional().build()),
    tie('schema').map((values) => SchemaBuilder.map(Schemas.INT32, values).build()),
    fc
      .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 5 }), tie('schema'), fc.boolean()), {
        maxLength: 4,
        selector: ([name]) => name,
      })
      .map((fields) => {
        const builder = SchemaBuilder.struct().name('S').version(1).doc('a struct');
        for (const [name, schema, optional] of fields)
          builder.field(name, optional ? SchemaBuilder.from(schema).optional().build() : schema);
        return builder.build();
      }),
  ),
})).schema;

const schemaAndValue = anySchema.chain((schema) =>
  valueArbitraryFor(schema).map((value) => ({ schema, value })),
);

function valueArbitraryFor(schema: Schema): fc.Arbitrary<unknown> {
  const base = baseValue(schema);
  return schema.optional ? fc.option(base, { nil: null }) : base;
}

function baseValue(schema: Schema): fc.Arbitrary<unknown> {
  switch (schema.name) {
    case 'org.apache.kafka.connect.data.Decimal': {
      const scale = Number(schema.parameters!['scale']);
      return fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((u) => formatDecimal(u, scale));
    }
    case 'org.apache.kafka.connect.data.Date':
      return fc.integer({ min: -100_000, max: 100_000 }).map((d) => new Date(d * DAY));
    case 'org.apache.kafka.connect.data.Time':
      return fc.integer({ min: 0, max: DAY - 1 }).map((ms) => new Date(ms));
    case 'org.apache.kafka.connect.data.Timestamp':
      return fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms));
  }
  switch (schema.type) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'int64':
      return fc
        .bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
        .map((n) => (Number.isSafeInteger(Number(n)) ? Number(n) : n));
    case 'float32':
      return fc.float().map((f) => (Object.is(f, -0) ? 0 : f));
    case 'float64':
      return fc.double().map((f) => (Object.is(f, -0) ? 0 : f));
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 8 });
    case 'bytes':
      return fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b));
    case 'array':
      return fc.array(valueArbitraryFor(schema.valueSchema!), { maxLength: 3 });
    case 'map':
      return schema.keySchema!.type === 'string'
        ? fc.dictionary(fc.string({ maxLength: 4 }), valueArbitraryFor(schema.valueSchema!), {
            maxKeys: 3,
            noNullPrototype: true,
          })
        : fc
            .array(fc.tuple(fc.integer(), valueArbitraryFor(schema.valueSchema!)), { maxLength: 3 })
            .map((entries) => new Map(entries));
    case 'struct': {
      const fields = schema.fields ?? [];
      return fc
        .tuple(...fields.map((f) => valueArbitraryFor(f.schema)))
        .map((values) => Object.fromEntries(fields.map((f, i) => [f.name, values[i]])));
    }
  }
}

describe('JsonConverter round trips', () => {
  it('reads back what it writes, for any schema and value, in both decimal formats', () => {
    const base64 = converter();
    const numeric = converter({ 'decimal.format': 'NUMERIC' });
    fc.assert(
      fc.property(schemaAndValue, fc.boolean(), ({ schema, value }, useNumeric) => {
        const c = useNumeric ? numeric : base64;
        const bytes = c.fromConnectData('t', [], schema, value)!;
        const back = c.toConnectData('t', [], bytes);
        expect(back.schema).toEqual(schema);
        expect(back.value).toEqual(value);
      }),
      { numRuns: 120 },
    );
  });
});
