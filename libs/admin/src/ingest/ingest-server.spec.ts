import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import { type AdminTestApp, eventually, startAdminTestApp } from '../testing/admin-test-app.js';
import type { RecordsPage } from '../topics/record-peek.js';

let t: AdminTestApp;

beforeAll(async () => {
  t = await startAdminTestApp({ auth: { type: 'bearer', token: 'a-very-long-admin-token' } });
  await t.http
    .post('/connectors')
    .set('Authorization', 'Bearer a-very-long-admin-token')
    .send({ name: 'hooks', config: { 'connector.class': 'echo-webhook-source', topic: 'hooks' } })
    .expect(201);
});

afterAll(async () => {
  await t.close();
});

describe('POST /ingest/{connector}', () => {
  it('hands the raw request to the webhook source and answers once its record is durable, without admin auth', async () => {
    const res = await eventually(
      () =>
        t.http
          .post('/ingest/hooks/github/push')
          .set('Content-Type', 'application/json')
          .send('{"ref": "main"}'),
      (r) => r.status === 200,
    );
    expect(res.body).toEqual({ offset: 0 });
    const page = await t.http
      .get('/topics/hooks/records?partition=0&offset=0&limit=10')
      .set('Authorization', 'Bearer a-very-long-admin-token')
      .expect(200);
    const records = (page.body as RecordsPage).records;
    expect(records).toHaveLength(1);
    expect(records[0]!.headers).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'path', value: '/github/push' })]),
    );
  });

  it('logs each answer as the API does, and leaves a path naming no connector to the API', async () => {
    await t.http.post('/ingest/nobody').send({}).expect(404);
    const line = t.logLines.find((l) => l.includes('"url":"/ingest/nobody"'));
    expect(JSON.parse(line!)).toMatchObject({
      logger: 'sluice.rest.requests',
      method: 'POST',
      status: 404,
      ms: expect.any(Number),
    });
    // a name that is not valid percent-encoding: the same error shape
    const bad = await t.http.post('/ingest/hook%ZZ').send({}).expect(400);
    expect(bad.body).toEqual({
      error_code: 400,
      message: 'the connector name in the URL is not valid percent-encoding',
    });
    // /ingest/ without a connector is no webhook: the admin API answers it
    const none = await t.http.post('/ingest/').send({}).expect(404);
    expect(none.body).toMatchObject({ error_code: 404 });
  });

  it("keeps Fastify's server settings: keep-alive outlasting load balancers', no request timeout", () => {
    const server = t.app.getHttpServer() as Server;
    expect(server.keepAliveTimeout).toBe(72_000);
    expect(server.requestTimeout).toBe(0);
  });

  it('passes bodies of any media type through as bytes', async () => {
    const res = await t.http
      .post('/ingest/hooks')
      .set('Content-Type', 'application/x-ndjson')
      .send('{"a": 1}\n');
    expect(res.status).toBe(200);
  });

  it('answers 404 for an unknown connector and 503 while a connector takes no requests', async () => {
    const unknown = await t.http.post('/ingest/nobody/deeper?x=1').send({}).expect(404);
    expect(unknown.body).toEqual({ error_code: 404, message: expect.stringContaining('nobody') });
    await t.http
      .post('/connectors')
      .set('Authorization', 'Bearer a-very-long-admin-token')
      .send({
        name: 'drain',
        config: { 'connector.class': 'collecting-sink', topics: 'hooks', bucket: 'drain' },
      })
      .expect(201);
    const sink = await t.http.post('/ingest/drain').send({}).expect(404);
    expect(sink.body).toEqual({
      error_code: 404,
      message: 'Connector drain is a sink: it takes no webhooks',
    });
    await t.http
      .put('/connectors/hooks/pause')
      .set('Authorization', 'Bearer a-very-long-admin-token')
      .expect(202);
    const paused = await eventually(
      () => t.http.post('/ingest/hooks').send({}),
      (r) => r.status === 503,
    );
    expect(paused.headers['retry-after']).toBe('5');
    expect(paused.body).toEqual({
      error_code: 503,
      message: 'connector hooks is paused: it takes no requests until resumed',
    });
    await t.http
      .post('/connectors')
      .set('Authorization', 'Bearer a-very-long-admin-token')
      .send({ name: 'quiet', config: { 'connector.class': 'counting-source', topic: 'quiet', count: '0' } })
      .expect(201);
    const res = await t.http.post('/ingest/quiet').send({}).expect(503);
    expect(res.headers['retry-after']).toBe('5');
  });

  it("tells senders to retry a paused connector after the connector's own Retry-After", async () => {
    const admin = { Authorization: 'Bearer a-very-long-admin-token' };
    await t.http
      .post('/connectors')
      .set(admin)
      .send({
        name: 'slow-hooks',
        config: {
          'connector.class': 'echo-webhook-source',
          topic: 'slow-hooks',
          'paused.retry.after.seconds': '30',
        },
      })
      .expect(201);
    await eventually(
      () => t.http.post('/ingest/slow-hooks').send({ a: 1 }),
      (r) => r.status === 200,
    );
    await t.http.put('/connectors/slow-hooks/pause').set(admin).expect(202);
    const paused = await eventually(
      () => t.http.post('/ingest/slow-hooks').send({}),
      (r) => r.status === 503,
    );
    expect(paused.headers['retry-after']).toBe('30');
  });
});
