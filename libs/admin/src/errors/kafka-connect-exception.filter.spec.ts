import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AdminTestApp, startAdminTestApp } from '../testing/admin-test-app.js';

let t: AdminTestApp;

beforeAll(async () => {
  t = await startAdminTestApp();
});

afterAll(async () => {
  await t.close();
});

describe('error answers', () => {
  it('answers an unknown route with 404 in the error shape', async () => {
    const res = await t.http.get('/no/such/route').expect(404);
    expect(res.body).toEqual({ error_code: 404, message: 'Cannot GET /no/such/route' });
  });

  it('answers a URL that does not decode with 400 in the error shape', async () => {
    const res = await t.http.get('/connectors/%E0%A4%A').expect(400);
    expect(res.body).toEqual({ error_code: 400, message: expect.stringContaining('/connectors/%E0%A4%A') });
  });

  it('answers a body that is not JSON with 400', async () => {
    const res = await t.http
      .post('/connectors')
      .set('Content-Type', 'application/json')
      .send('{"name": "x",\n "config": {')
      .expect(400);
    expect(res.body).toEqual({
      error_code: 400,
      message: expect.stringMatching(/^The body is not valid JSON: line 2, column 13: /),
    });
  });

  it("answers a form (curl's default type) with 415, not as a body without a config", async () => {
    const res = await t.http
      .post('/connectors')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('name=x')
      .expect(415);
    expect(res.body).toEqual({ error_code: 415, message: expect.any(String) });
  });

  it('answers a known path asked with another method with 405 and Allow, an unknown path with 404', async () => {
    const list = await t.http.delete('/connectors').expect(405);
    expect(list.body).toEqual({ error_code: 405, message: 'HTTP 405 Method Not Allowed' });
    expect(list.headers['allow']?.split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
    const pause = await t.http.post('/connectors/any/pause').expect(405);
    expect(pause.headers['allow']).toBe('PUT');
    await t.http.patch('/connectors/any').expect(405);
    const unknown = await t.http.get('/nothing/here').expect(404);
    expect(unknown.body.error_code).toBe(404);
  });

  it('answers a body of another media type with 415', async () => {
    const res = await t.http
      .post('/connectors')
      .set('Content-Type', 'application/xml')
      .send('<a/>')
      .expect(415);
    expect(res.body).toEqual({ error_code: 415, message: expect.any(String) });
  });

  it('refuses prototype poisoning in JSON bodies', async () => {
    const res = await t.http
      .put('/connectors/poison/config')
      .set('Content-Type', 'application/json')
      .send('{"__proto__": {"polluted": "yes"}, "connector.class": "counting-source"}')
      .expect(400);
    expect(res.body.error_code).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('answers a POST that needs a body but has none with 400', async () => {
    const res = await t.http.post('/connectors').set('Content-Type', 'application/json').send('').expect(400);
    expect(res.body).toEqual({ error_code: 400, message: expect.stringMatching(/name and config/) });
  });
});
