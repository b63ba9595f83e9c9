import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AdminTestApp, eventually, startAdminTestApp } from '../testing/admin-test-app.js';
import type { RecordsPage } from './record-peek.js';

let t: AdminTestApp;

beforeAll(async () => {
  t = await startAdminTestApp();
});

afterAll(async () => {
  await t.close();
});

describe('GET /topics', () => {
  it('lists topics without the internal ones unless internal=true', async () => {
    await t.http.post('/topics').send({ name: 'listed-topic' }).expect(201);
    const res = await t.http.get('/topics').expect(200);
    expect(res.body).toContain('listed-topic');
    expect((res.body as string[]).some((n) => n.startsWith('__'))).toBe(false);
    const all = await t.http.get('/topics?internal=true').expect(200);
    expect(all.body).toEqual(expect.arrayContaining(['listed-topic', '__sluice.configs']));
  });
});

describe('POST /topics', () => {
  it('creates a topic: 201, Location and its description', async () => {
    const res = await t.http
      .post('/topics')
      .send({ name: 'orders', partitions: 3, config: { 'retention.ms': 60000, 'cleanup.policy': 'compact' } })
      .expect(201);
    expect(res.headers['location']).toBe('/topics/orders');
    expect(res.body).toEqual({
      name: 'orders',
      topic_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      internal: false,
      config: expect.objectContaining({ 'retention.ms': 60000, 'cleanup.policy': 'compact' }),
      partitions: [0, 1, 2].map((partition) => ({
        partition,
        start_offset: 0,
        end_offset: 0,
        size_bytes: expect.any(Number),
        segments: expect.any(Number),
      })),
    });
  });

  it('answers 409 when the topic exists', async () => {
    await t.http.post('/topics').send({ name: 'twice' }).expect(201);
    const res = await t.http.post('/topics').send({ name: 'twice' }).expect(409);
    expect(res.body.error_code).toBe(409);
    expect(res.body.message).toMatch(/twice/);
  });

  it('answers 400 naming every bad field', async () => {
    const res = await t.http
      .post('/topics')
      .send({ name: 'bad name!', partitions: 0, config: { 'retention.ms': 'soon' } })
      .expect(400);
    expect(res.body.error_code).toBe(400);
    expect(res.body.message).toMatch(/name: /);
    expect(res.body.message).toMatch(/partitions: must be a positive integer/);
    expect(res.body.message).toMatch(/config\.retention\.ms: /);
    const unknownSetting = await t.http
      .post('/topics')
      .send({ name: 'ok', config: { colour: 'blue' } })
      .expect(400);
    expect(unknownSetting.body.message).toMatch(/config\.colour: /);
    const tooMany = await t.http.post('/topics').send({ name: 'ok', partitions: 1_000_000 }).expect(400);
    expect(tooMany.body.message).toMatch(/partitions/);
    const internal = await t.http.post('/topics').send({ name: '__mine' }).expect(400);
    expect(internal.body.message).toMatch(/name: .*internal/);
    await t.http.post('/topics').send('"orders"').set('Content-Type', 'application/json').expect(400);
    await t.http.get('/topics/ok').expect(404);
  });
});

describe('GET and DELETE /topics/{name}', () => {
  it('describes a topic with offsets per partition; 404 when unknown', async () => {
    await t.http.post('/topics').send({ name: 'described', partitions: 2 }).expect(201);
    await t.log.producer().send({
      topic: 'described',
      records: [
        { value: 'a', partition: 1 },
        { value: 'b', partition: 1 },
      ],
    });
    const res = await t.http.get('/topics/described').expect(200);
    expect(res.body.partitions.map((p: { end_offset: number }) => p.end_offset)).toEqual([0, 2]);
    const missing = await t.http.get('/topics/missing').expect(404);
    expect(missing.body).toEqual({ error_code: 404, message: expect.stringMatching(/missing/) });
  });

  it('deletes a topic (204), then 404; internal topics cannot be deleted', async () => {
    await t.http.post('/topics').send({ name: 'gone' }).expect(201);
    await t.http.delete('/topics/gone').expect(204);
    await t.http.get('/topics/gone').expect(404);
    await t.http.delete('/topics/gone').expect(404);
    const internal = await t.http.delete('/topics/__sluice.configs').expect(400);
    expect(internal.body.message).toMatch(/internal/);
  });
});

describe('GET /topics/{name}/records', () => {
  beforeAll(async () => {
    await t.http.post('/topics').send({ name: 'peek', partitions: 2 }).expect(201);
    const producer = t.log.producer();
    await producer.send({
      topic: 'peek',
      records: [
        {
          key: '{"id":1}',
          value: '{"name":"ada","tags":[1,2]}',
          headers: [{ key: 'h', value: '{"x":true}' }],
          partition: 0,
        },
        { key: 'plain key', value: 'hello world', headers: [{ key: 'h', value: 'text' }], partition: 0 },
        {
          key: null,
          value: Buffer.from([0xff, 0x00, 0xfe]),
          headers: [{ key: 'bin', value: Buffer.from([0x00, 0x01]) }],
          partition: 0,
        },
        { key: 'k', value: null, partition: 0 },
        { key: 'big', value: '{"id":12345678901234567890}', partition: 0 },
        ...Array.from({ length: 20 }, (_, i) => ({ value: `n${i}`, partition: 0 })),
        { value: 'other partition', partition: 1 },
      ],
    });
  });

  it('shows keys, values and headers as JSON, else text, else base64', async () => {
    const res = await t.http.get('/topics/peek/records?limit=5').expect(200);
    const page = res.body as RecordsPage;
    expect(page).toEqual(
      expect.objectContaining({
        topic: 'peek',
        partition: 0,
        start_offset: 0,
        end_offset: 25,
        next_offset: 5,
      }),
    );
    const [json, text, binary, tombstone, big] = page.records;
    expect(json).toEqual({
      offset: 0,
      timestamp: expect.any(Number),
      key: { id: 1 },
      key_format: 'json',
      value: { name: 'ada', tags: [1, 2] },
      value_format: 'json',
      headers: [{ key: 'h', value: { x: true }, format: 'json' }],
    });
    expect(text).toEqual(
      expect.objectContaining({
        key: 'plain key',
        key_format: 'string',
        value: 'hello world',
        value_format: 'string',
      }),
    );
    expect(text?.headers).toEqual([{ key: 'h', value: 'text', format: 'string' }]);
    expect(binary).toEqual(
      expect.objectContaining({
        key: null,
        key_format: null,
        value: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'),
        value_format: 'base64',
      }),
    );
    expect(binary?.headers).toEqual([{ key: 'bin', value: 'AAE=', format: 'base64' }]);
    expect(tombstone).toEqual(expect.objectContaining({ key: 'k', value: null, value_format: null }));
    expect(big).toEqual(expect.objectContaining({ value_format: 'json' }));
  });

  it('embeds JSON as stored: numbers a double would round stay exact', async () => {
    await t.http.post('/topics').send({ name: 'peek-exact' }).expect(201);
    const stored = '{"id": 12345678901234567890, "price": 0.12345678901234567890, "n": 1.50}';
    await t.log.producer().send({
      topic: 'peek-exact',
      records: [
        { key: '9007199254740993', value: stored, headers: [{ key: 'h', value: '[18446744073709551615]' }] },
      ],
    });
    const res = await t.http.get('/topics/peek-exact/records').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text).toContain(
      `"key":9007199254740993,"key_format":"json","value":${stored},"value_format":"json","headers":[{"key":"h","value":[18446744073709551615],"format":"json"}]`,
    );
    // the rest of the page as before: a JSON parser reads it
    expect((res.body as RecordsPage).records).toHaveLength(1);
  });

  it("hides the runtime's own headers unless internal_headers=true", async () => {
    await t.http.post('/topics').send({ name: 'peek-marked' }).expect(201);
    await t.log.producer().send({
      topic: 'peek-marked',
      records: [
        {
          value: 'v',
          headers: [
            { key: 'user', value: 'u' },
            { key: '__sluice.source.offset', value: '{"c":"x","t":0,"p":{},"o":{}}' },
          ],
        },
      ],
    });
    const hidden = (await t.http.get('/topics/peek-marked/records').expect(200)).body as RecordsPage;
    expect(hidden.records[0]?.headers).toEqual([{ key: 'user', value: 'u', format: 'string' }]);
    const shown = (await t.http.get('/topics/peek-marked/records?internal_headers=true').expect(200))
      .body as RecordsPage;
    expect(shown.records[0]?.headers.map((h) => h.key)).toEqual(['user', '__sluice.source.offset']);
  });

  it('pages with offset and limit, and stops at the end offset', async () => {
    const second = (await t.http.get('/topics/peek/records?offset=5&limit=10').expect(200))
      .body as RecordsPage;
    expect(second.records.map((r) => r.offset)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(second.next_offset).toBe(15);
    const last = (await t.http.get('/topics/peek/records?offset=20&limit=1000').expect(200))
      .body as RecordsPage;
    expect(last.records.map((r) => r.value)).toEqual(['n15', 'n16', 'n17', 'n18', 'n19']);
    expect(last.next_offset).toBe(25);
    const past = (await t.http.get('/topics/peek/records?offset=99').expect(200)).body as RecordsPage;
    expect(past.records).toEqual([]);
    const other = (await t.http.get('/topics/peek/records?partition=1').expect(200)).body as RecordsPage;
    expect(other.records.map((r) => r.value)).toEqual(['other partition']);
  });

  it('defaults to 100 records from the start of partition 0', async () => {
    const page = (await t.http.get('/topics/peek/records').expect(200)).body as RecordsPage;
    expect(page.records).toHaveLength(25);
    expect(page.records[0]?.offset).toBe(0);
  });

  it('answers 400 naming bad parameters, 404 for an unknown topic or partition', async () => {
    const tooMany = await t.http.get('/topics/peek/records?limit=1001').expect(400);
    expect(tooMany.body.message).toMatch(/limit: must be an integer from 1 to 1000/);
    const bad = await t.http.get('/topics/peek/records?limit=0&partition=-1&offset=x').expect(400);
    expect(bad.body.message).toMatch(/partition: /);
    expect(bad.body.message).toMatch(/offset: /);
    expect(bad.body.message).toMatch(/limit: /);
    await t.http.get('/topics/nope/records').expect(404);
    const partition = await t.http.get('/topics/peek/records?partition=2').expect(404);
    expect(partition.body.message).toBe('Partition 2 of topic peek not found');
  });

  it('serves no records of internal topics: the configs topic holds connector secrets as written', async () => {
    const res = await t.http.get('/topics/__sluice.configs/records').expect(403);
    expect(res.body).toEqual({
      error_code: 403,
      message: expect.stringMatching(/internal to Sluice.*\/connectors/),
    });
  });

  it('reads what a source connector wrote', async () => {
    await t.http
      .post('/connectors')
      .send({
        name: 'writer',
        config: {
          'connector.class': 'counting-source',
          topic: 'written',
          count: '3',
          // converter settings apply only with the connector's own converter, as in Kafka Connect
          'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'key.converter.schemas.enable': 'false',
          'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'value.converter.schemas.enable': 'false',
        },
      })
      .expect(201);
    const page = await eventually(
      async () => (await t.http.get('/topics/written/records')).body as RecordsPage,
      (p) => p.records?.length === 3,
    );
    expect(page.records.map((r) => [r.key, r.value])).toEqual([
      ['k0', { task: 0, n: 0 }],
      ['k1', { task: 0, n: 1 }],
      ['k2', { task: 0, n: 2 }],
    ]);
    // the source offset marks the runtime writes for its recovery are not shown
    for (const r of page.records)
      expect(r.headers).toEqual([{ key: 'origin', value: 'counting-source', format: 'string' }]);
  });
});

describe('POST /topics/{name}/records', () => {
  it('writes records and answers where each landed, once durable', async () => {
    await t.http.post('/topics').send({ name: 'produced', partitions: 1 }).expect(201);
    const res = await t.http
      .post('/topics/produced/records')
      .send({
        records: [{ value: 'plain' }, { key: 'k', value: { json: true }, headers: { source: 'cli' } }],
      })
      .expect(200);
    expect(res.body).toEqual({
      offsets: [
        { partition: 0, offset: 0 },
        { partition: 0, offset: 1 },
      ],
    });
    const page = await t.http.get('/topics/produced/records?partition=0&offset=0&limit=10').expect(200);
    const records = (page.body as RecordsPage).records;
    expect(records.map((r) => r.value)).toEqual(['plain', { json: true }]);
    expect(records[1]!.key).toBe('k');
    expect(records[1]!.headers).toEqual([expect.objectContaining({ key: 'source', value: 'cli' })]);
  });

  it('refuses a bad body with 400 and an unknown topic with 404', async () => {
    await t.http.post('/topics').send({ name: 'produced-bad' }).expect(201);
    const bad = await t.http
      .post('/topics/produced-bad/records')
      .send({ records: [{ nope: 1 }] })
      .expect(400);
    expect(bad.body).toEqual({
      error_code: 400,
      message: expect.stringContaining('records[0] must be an object with a value'),
    });
    await t.http
      .post('/topics/missing-topic/records')
      .send({ records: [{ value: 'x' }] })
      .expect(404);
  });
});
