import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AdminTestApp, startAdminTestApp } from '../testing/admin-test-app.js';

let t: AdminTestApp;

beforeAll(async () => {
  t = await startAdminTestApp({ secretFields: ['custom.private', /^vault\./] });
  await t.http
    .post('/connectors')
    .send({
      name: 'secretive',
      config: {
        'connector.class': 'counting-source',
        topic: 'secretive-out',
        'api.key': 'declared-secret',
        'db.password': 'named-secret',
        'oauth.token': 'token-secret',
        'service.credentials': 'cred-secret',
        'client.secret.value': 'secret-secret',
        'custom.private': 'option-secret',
        'vault.path': 'pattern-secret',
        'ssl.keystore.password': '${file:/etc/sluice/secrets.properties:keystore}',
        'sasl.password': 'prefix-${env:PW}',
        transforms: 'tag',
        'transforms.tag.type': 'tag-header',
        'transforms.tag.tag': 'visible',
        'transforms.tag.signing.key': 'transform-secret',
      },
    })
    .expect((res) => {
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    });
});

afterAll(async () => {
  await t.close();
});

const SECRETS = [
  'declared-secret',
  'named-secret',
  'token-secret',
  'cred-secret',
  'secret-secret',
  'option-secret',
  'pattern-secret',
  'prefix-',
  'transform-secret',
];

function expectNoSecret(body: unknown): void {
  const text = JSON.stringify(body);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('secret redaction', () => {
  it('hides PASSWORD settings, secret-looking names and configured ones in GET config', async () => {
    const res = await t.http.get('/connectors/secretive/config').expect(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        topic: 'secretive-out',
        'api.key': '[hidden]',
        'db.password': '[hidden]',
        'oauth.token': '[hidden]',
        'service.credentials': '[hidden]',
        'client.secret.value': '[hidden]',
        'custom.private': '[hidden]',
        'vault.path': '[hidden]',
        'sasl.password': '[hidden]',
        'transforms.tag.tag': 'visible',
        'transforms.tag.signing.key': '[hidden]',
      }),
    );
    expectNoSecret(res.body);
  });

  it('shows values that are only ${provider:...} references', async () => {
    const res = await t.http.get('/connectors/secretive/config').expect(200);
    expect(res.body['ssl.keystore.password']).toBe('${file:/etc/sluice/secrets.properties:keystore}');
  });

  it('hides them in every config-bearing answer: info, expand=info, tasks, PUT, PATCH', async () => {
    expectNoSecret((await t.http.get('/connectors/secretive').expect(200)).body);
    expectNoSecret((await t.http.get('/connectors?expand=info').expect(200)).body);
    const tasks = await t.http.get('/connectors/secretive/tasks').expect(200);
    expect(tasks.body[0].config['api.key']).toBe('[hidden]');
    expectNoSecret(tasks.body);
    const patched = await t.http.patch('/connectors/secretive/config').send({ count: '2' }).expect(200);
    expectNoSecret(patched.body);
  });

  it('keeps stored secrets when a config comes back with "[hidden]" (read-modify-write)', async () => {
    const config = (await t.http.get('/connectors/secretive/config').expect(200)).body as Record<
      string,
      string
    >;
    const put = await t.http
      .put('/connectors/secretive/config')
      .send({ ...config, count: '3' })
      .expect(200);
    expectNoSecret(put.body);
    const stored = await t.herder.connectorConfig('secretive');
    expect(stored['api.key']).toBe('declared-secret');
    expect(stored['db.password']).toBe('named-secret');
    expect(stored['count']).toBe('3');
    await t.http
      .patch('/connectors/secretive/config')
      .send({ 'api.key': '[hidden]', 'db.password': 'rotated' })
      .expect(200);
    const patched = await t.herder.connectorConfig('secretive');
    expect(patched['api.key']).toBe('declared-secret');
    expect(patched['db.password']).toBe('rotated');
  });

  it('does not log connector configs', () => {
    const all = t.logLines.join('\n');
    for (const secret of SECRETS) expect(all).not.toContain(secret);
  });
});
