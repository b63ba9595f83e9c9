import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ConfigInfos } from '@sluice/runtime';
import { type AdminTestApp, startAdminTestApp } from '../testing/admin-test-app.js';

let t: AdminTestApp;

beforeAll(async () => {
  t = await startAdminTestApp();
});

afterAll(async () => {
  await t.close();
});

describe('GET /connector-plugins', () => {
  it('lists connector plugins with class, type and version', async () => {
    const res = await t.http.get('/connector-plugins').expect(200);
    expect(res.body).toEqual([
      {
        class: 'test.admin.CollectingSinkConnector',
        type: 'sink',
        version: '1.0.0',
        name: 'collecting-sink',
      },
      {
        class: 'test.admin.CountingSourceConnector',
        type: 'source',
        version: '1.0.0',
        name: 'counting-source',
      },
      {
        class: 'test.admin.EchoWebhookSource',
        type: 'source',
        version: '1.0.0',
        name: 'echo-webhook-source',
      },
    ]);
  });

  it('lists every plugin with connectorsOnly=false', async () => {
    const res = await t.http.get('/connector-plugins?connectorsOnly=false').expect(200);
    const types = new Set((res.body as { type: string }[]).map((p) => p.type));
    expect([...types]).toEqual(expect.arrayContaining(['source', 'sink', 'converter']));
  });
});

describe('GET /connector-plugins/{plugin}/config', () => {
  it("answers the plugin's settings, its own and the common ones, in ConfigKeyInfo shape", async () => {
    const res = await t.http.get('/connector-plugins/counting-source/config').expect(200);
    const byName = new Map((res.body as { name: string }[]).map((d) => [d.name, d]));
    expect(byName.get('api.key')).toEqual(expect.objectContaining({ type: 'PASSWORD', required: false }));
    expect(byName.get('topic')).toEqual({
      name: 'topic',
      type: 'STRING',
      required: true,
      default_value: null,
      importance: 'HIGH',
      documentation: 'Topic to write to.',
      group: null,
      width: 'NONE',
      display_name: 'topic',
      dependents: [],
      order: expect.any(Number),
    });
    expect(byName.has('connector.class')).toBe(true);
    expect(byName.has('tasks.max')).toBe(true);
    const byClass = await t.http
      .get('/connector-plugins/test.admin.CountingSourceConnector/config')
      .expect(200);
    expect(byClass.body).toEqual(res.body);
  });

  it('answers 404 for an unknown plugin', async () => {
    const res = await t.http.get('/connector-plugins/no.such.Plugin/config').expect(404);
    expect(res.body).toEqual({ error_code: 404, message: 'Unknown plugin no.such.Plugin' });
  });
});

describe('PUT /connector-plugins/{plugin}/config/validate', () => {
  it('answers ConfigInfos with no errors for a good config, secrets hidden', async () => {
    const res = await t.http
      .put('/connector-plugins/counting-source/config/validate')
      .send({ 'connector.class': 'counting-source', name: 'v', topic: 'out', 'api.key': 'hush' })
      .expect(200);
    const infos = res.body as ConfigInfos;
    expect(infos.name).toBe('counting-source');
    expect(infos.error_count).toBe(0);
    const apiKey = infos.configs.find((c) => c.definition.name === 'api.key');
    expect(apiKey?.value.value).toBe('[hidden]');
    expect(JSON.stringify(infos)).not.toContain('hush');
  });

  it('reports every error per field (still 200, as Kafka Connect does)', async () => {
    const res = await t.http
      .put('/connector-plugins/counting-source/config/validate')
      .send({ name: 'v', count: 'x', 'tasks.max': '0' })
      .expect(200);
    const infos = res.body as ConfigInfos;
    expect(infos.error_count).toBeGreaterThanOrEqual(3);
    const errorsOf = (name: string): string[] =>
      infos.configs.find((c) => c.value.name === name)?.value.errors ?? [];
    expect(errorsOf('topic')).not.toEqual([]);
    expect(errorsOf('count')).not.toEqual([]);
    expect(errorsOf('tasks.max')).not.toEqual([]);
  });

  it('accepts connector.class naming the same plugin by another name', async () => {
    await t.http
      .put('/connector-plugins/counting-source/config/validate')
      .send({ 'connector.class': 'test.admin.CountingSourceConnector', name: 'v', topic: 'out' })
      .expect(200);
  });

  it('answers 400 when connector.class names another plugin, as Kafka Connect checks', async () => {
    const res = await t.http
      .put('/connector-plugins/counting-source/config/validate')
      .send({ 'connector.class': 'collecting-sink', name: 'v' })
      .expect(400);
    expect(res.body).toEqual({
      error_code: 400,
      message: 'Included connector type collecting-sink does not match request type counting-source',
    });
  });

  it('answers 404 for an unknown plugin and 400 for a body that is not a config map', async () => {
    await t.http.put('/connector-plugins/no.such.Plugin/config/validate').send({ name: 'v' }).expect(404);
    await t.http.put('/connector-plugins/counting-source/config/validate').send([1, 2]).expect(400);
  });
});
