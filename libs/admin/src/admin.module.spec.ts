import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AdminTestApp, startAdminTestApp } from './testing/admin-test-app.js';

describe('AdminModule', () => {
  let t: AdminTestApp;

  beforeAll(async () => {
    t = await startAdminTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers GET / with version, commit and cluster id', async () => {
    const res = await t.http.get('/').expect(200);
    expect(res.body).toEqual({ version: '0.1.0-test', commit: 'abc123', kafka_cluster_id: 'test-cluster' });
  });

  it('serves the metrics registry as Prometheus text', async () => {
    await t.http
      .post('/connectors')
      .send({
        name: 'metered',
        config: { 'connector.class': 'counting-source', topic: 'metered-out', count: '2' },
      })
      .expect(201);
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/# TYPE sluice_task_state gauge/);
    expect(res.text).toMatch(/sluice_task_state\{connector="metered",task="0",state="RUNNING"\} 1/);
  });

  it('answers /health with UP while the log answers', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toEqual({ status: 'UP', log: { topics: expect.any(Number) } });
  });

  it('serves an OpenAPI document describing the endpoints', async () => {
    const res = await t.http.get('/openapi.json').expect(200);
    const doc = res.body as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/',
      '/connectors',
      '/connectors/{name}',
      '/connectors/{name}/config',
      '/connectors/{name}/status',
      '/connectors/{name}/restart',
      '/connectors/{name}/pause',
      '/connectors/{name}/resume',
      '/connectors/{name}/stop',
      '/connectors/{name}/tasks',
      '/connectors/{name}/tasks/{task}/status',
      '/connectors/{name}/tasks/{task}/restart',
      '/connectors/{name}/topics',
      '/connectors/{name}/topics/reset',
      '/connectors/{name}/offsets',
      '/connector-plugins',
      '/connector-plugins/{plugin}/config',
      '/connector-plugins/{plugin}/config/validate',
      '/admin/loggers',
      '/admin/loggers/{name}',
      '/topics',
      '/topics/{name}',
      '/topics/{name}/records',
      '/metrics',
      '/health',
      '/ingest/{connector}',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(Object.keys(doc.paths['/connectors']!)).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/connectors']!['post']!.responses)).toEqual(
      expect.arrayContaining(['201', '400', '409', '401']),
    );
  });

  it('logs requests without their Authorization header or body', async () => {
    await t.http
      .put('/connectors/logged/config')
      .set('Authorization', 'Bearer very-private-token')
      .send({ 'connector.class': 'counting-source', topic: 'logged-out', 'api.key': 'body-secret' })
      .expect(201);
    const requestLines = t.logLines.filter((l) => l.includes('"logger":"sluice.rest.requests"'));
    const line = requestLines.find((l) => l.includes('/connectors/logged/config'));
    expect(JSON.parse(line!)).toEqual(
      expect.objectContaining({
        method: 'PUT',
        url: '/connectors/logged/config',
        status: 201,
        ms: expect.any(Number),
      }),
    );
    const all = t.logLines.join('\n');
    expect(all).not.toContain('very-private-token');
    expect(all).not.toContain('body-secret');
    expect(all.toLowerCase()).not.toContain('authorization');
  });

  it('answers the request log level through /admin/loggers', async () => {
    await t.http.put('/admin/loggers/sluice.rest').send({ level: 'WARN' }).expect(200);
    const before = t.logLines.length;
    await t.http.get('/').expect(200);
    expect(t.logLines.slice(before).some((l) => l.includes('"url":"/"'))).toBe(false);
    await t.http.put('/admin/loggers/sluice.rest').send({ level: 'INFO' }).expect(200);
  });

  // last: it closes the log under the app
  it('answers /health with 503 DOWN once the log no longer answers', async () => {
    await t.herder.stop();
    await t.log.close();
    const res = await t.http.get('/health').expect(503);
    expect(res.body).toEqual({ status: 'DOWN', error: expect.stringMatching(/not open/) });
  });
});

describe('AdminModule.forRootAsync', () => {
  it('mounts the same API from a factory', async () => {
    const t = await startAdminTestApp({ viaAsync: true, auth: { type: 'bearer', token: 'x' } });
    try {
      await t.http.get('/').expect(401);
      const res = await t.http.get('/').set('Authorization', 'Bearer x').expect(200);
      expect(res.body.version).toBe('0.1.0-test');
      await t.http.get('/health').expect(200);
    } finally {
      await t.close();
    }
  });
});
