import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AdminTestApp, startAdminTestApp } from '../testing/admin-test-app.js';

let t: AdminTestApp;

beforeAll(async () => {
  t = await startAdminTestApp();
});

afterAll(async () => {
  await t.close();
});

describe('/admin/loggers', () => {
  it('GET lists root and the named loggers with their levels', async () => {
    const res = await t.http.get('/admin/loggers').expect(200);
    expect(res.body['root']).toEqual({ level: 'INFO', last_modified: null });
    expect(res.body['sluice.runtime']).toEqual({ level: 'INFO', last_modified: null });
  });

  it('GET one logger; 404 for an unknown one', async () => {
    const res = await t.http.get('/admin/loggers/sluice.runtime').expect(200);
    expect(res.body).toEqual({ level: 'INFO', last_modified: null });
    const missing = await t.http.get('/admin/loggers/no.such.logger').expect(404);
    expect(missing.body).toEqual({ error_code: 404, message: 'Logger no.such.logger not found.' });
  });

  it('PUT sets a logger and its descendants, answers their names, and reaches the pino loggers', async () => {
    const worker = t.loggers.logger('sluice.runtime.worker');
    const res = await t.http.put('/admin/loggers/sluice.runtime').send({ level: 'DEBUG' }).expect(200);
    expect(res.body).toEqual(['sluice.runtime', 'sluice.runtime.worker']);
    expect(worker.level).toBe('debug');
    expect(t.loggers.logger('sluice.runtime').level).toBe('debug');
    expect(t.loggers.logger('sluice.log').level).toBe('info');
    const one = await t.http.get('/admin/loggers/sluice.runtime.worker').expect(200);
    expect(one.body).toEqual({ level: 'DEBUG', last_modified: expect.any(Number) });
  });

  it('PUT on root sets every logger; OFF silences', async () => {
    const res = await t.http.put('/admin/loggers/root').send({ level: 'warn' }).expect(200);
    expect(res.body).toEqual(expect.arrayContaining(['root', 'sluice.runtime', 'sluice.log']));
    expect(t.loggers.root.level).toBe('warn');
    expect(t.loggers.logger('sluice.log').level).toBe('warn');
    await t.http.put('/admin/loggers/sluice.log').send({ level: 'OFF' }).expect(200);
    expect(t.loggers.logger('sluice.log').level).toBe('silent');
    await t.http.put('/admin/loggers/root').send({ level: 'INFO' }).expect(200);
  });

  it('PUT creates an unknown logger, and answers 204 with scope=cluster', async () => {
    await t.http.put('/admin/loggers/brand.new').send({ level: 'ERROR' }).expect(200);
    expect((await t.http.get('/admin/loggers/brand.new').expect(200)).body.level).toBe('ERROR');
    const cluster = await t.http
      .put('/admin/loggers/brand.new?scope=cluster')
      .send({ level: 'TRACE' })
      .expect(204);
    expect(cluster.text).toBe('');
    expect(t.loggers.logger('brand.new').level).toBe('trace');
  });

  it('PUT answers 400 without a level and 404 for an unknown level, as Kafka Connect does', async () => {
    const missing = await t.http.put('/admin/loggers/root').send({}).expect(400);
    expect(missing.body).toEqual({
      error_code: 400,
      message: "Desired 'level' parameter was not specified in request.",
    });
    const unknown = await t.http.put('/admin/loggers/root').send({ level: 'LOUD' }).expect(404);
    expect(unknown.body).toEqual({ error_code: 404, message: "invalid log level 'LOUD'." });
  });
});
