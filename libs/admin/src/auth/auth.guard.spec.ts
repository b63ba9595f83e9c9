import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AdminTestApp, startAdminTestApp } from '../testing/admin-test-app.js';

describe('bearer auth', () => {
  let t: AdminTestApp;

  beforeAll(async () => {
    t = await startAdminTestApp({ auth: { type: 'bearer', token: 'let-me-in' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers 401 with a challenge and the error body without a token', async () => {
    const res = await t.http.get('/connectors').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="Sluice"');
    expect(res.body).toEqual({ error_code: 401, message: 'Authentication required' });
  });

  it('answers 401 for a wrong token or another scheme', async () => {
    const wrong = await t.http.get('/connectors').set('Authorization', 'Bearer let-me-out').expect(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="Sluice", error="invalid_token"');
    expect(wrong.body).toEqual({ error_code: 401, message: 'Invalid credentials' });
    await t.http.get('/connectors').set('Authorization', 'Basic bGV0LW1lLWluOg==').expect(401);
    await t.http.get('/connectors').set('Authorization', 'let-me-in').expect(401);
  });

  it('answers 200 with the token, on every resource', async () => {
    const auth = { Authorization: 'Bearer let-me-in' };
    expect((await t.http.get('/connectors').set(auth).expect(200)).body).toEqual([]);
    await t.http.get('/').set(auth).expect(200);
    await t.http.get('/topics').set(auth).expect(200);
    await t.http.get('/metrics').set(auth).expect(200);
    await t.http.get('/admin/loggers').set(auth).expect(200);
    await t.http.get('/openapi.json').set(auth).expect(200);
  });

  it('guards writes, topics, metrics, loggers and the OpenAPI document too', async () => {
    await t.http.post('/connectors').send({ name: 'x', config: {} }).expect(401);
    await t.http.post('/topics').send({ name: 'x' }).expect(401);
    await t.http.get('/metrics').expect(401);
    await t.http.put('/admin/loggers/root').send({ level: 'DEBUG' }).expect(401);
    const docs = await t.http.get('/openapi.json').expect(401);
    expect(docs.body).toEqual({ error_code: 401, message: 'Authentication required' });
    expect(docs.headers['www-authenticate']).toBe('Bearer realm="Sluice"');
    expect((await t.http.get('/topics')).status).toBe(401);
  });

  it('leaves /health open', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toEqual({ status: 'UP', log: { topics: expect.any(Number) } });
  });
});

describe('basic auth', () => {
  let t: AdminTestApp;
  const basic = (user: string, password: string): string =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  beforeAll(async () => {
    t = await startAdminTestApp({
      auth: { type: 'basic', users: { admin: 's3cret:with:colons', ops: 'other' } },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers 401 with a Basic challenge without credentials', async () => {
    const res = await t.http.get('/connectors').expect(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="Sluice", charset="UTF-8"');
    expect(res.body).toEqual({ error_code: 401, message: 'Authentication required' });
  });

  it('answers 401 for a wrong password, an unknown user, or a token', async () => {
    await t.http.get('/connectors').set('Authorization', basic('admin', 'nope')).expect(401);
    await t.http.get('/connectors').set('Authorization', basic('ops', 's3cret:with:colons')).expect(401);
    await t.http.get('/connectors').set('Authorization', basic('root', '')).expect(401);
    await t.http.get('/connectors').set('Authorization', 'Bearer s3cret:with:colons').expect(401);
  });

  it('answers 200 for each configured user', async () => {
    await t.http.get('/connectors').set('Authorization', basic('admin', 's3cret:with:colons')).expect(200);
    await t.http.get('/connectors').set('Authorization', basic('ops', 'other')).expect(200);
  });

  it('leaves /health open', async () => {
    await t.http.get('/health').expect(200);
  });
});
