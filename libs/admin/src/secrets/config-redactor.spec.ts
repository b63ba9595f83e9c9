import { describe, expect, it } from '@jest/globals';
import { HerderError, type ConfigInfos } from '@sluice/runtime';
import { ConfigRedactor, HIDDEN } from './config-redactor.js';

type Definition = ConfigInfos['configs'][number]['definition'];

function definition(name: string, type: string): Definition {
  return {
    name,
    type,
    required: false,
    default_value: null,
    importance: 'MEDIUM',
    documentation: '',
    group: null,
    width: 'NONE',
    display_name: name,
    dependents: [],
    order: 0,
  };
}

function redactor(extra: (string | RegExp)[] = []): { r: ConfigRedactor; calls: string[] } {
  const calls: string[] = [];
  const herder = {
    async pluginConfig(plugin: string): Promise<Definition[]> {
      calls.push(plugin);
      if (plugin === 'db-source') return [definition('host', 'STRING'), definition('conn', 'PASSWORD')];
      if (plugin === 'signer') return [definition('k', 'PASSWORD')];
      throw new HerderError('NOT_FOUND', `Unknown plugin ${plugin}`);
    },
  };
  return { r: new ConfigRedactor(herder, extra), calls };
}

describe('ConfigRedactor', () => {
  it('hides PASSWORD settings of the connector and of its transforms and predicates', async () => {
    const { r } = redactor();
    const out = await r.redact({
      'connector.class': 'db-source',
      host: 'db',
      conn: 'pw',
      transforms: 'sign, other',
      'transforms.sign.type': 'signer',
      'transforms.sign.k': 'pw2',
      'transforms.other.type': 'unknown',
      'transforms.other.k': 'shown',
      predicates: 'p',
      'predicates.p.type': 'signer',
      'predicates.p.k': 'pw3',
    });
    expect(out).toEqual(
      expect.objectContaining({
        host: 'db',
        conn: HIDDEN,
        'transforms.sign.k': HIDDEN,
        'transforms.other.k': 'shown',
        'predicates.p.k': HIDDEN,
      }),
    );
  });

  it('hides secret-looking names whatever the plugin, and configured names and patterns', async () => {
    const { r } = redactor(['x.private', /^vault\./g]);
    const out = await r.redact({
      'connector.class': 'unknown',
      'ssl.key.password': 'a',
      'aws.secret.access.key': 'b',
      'auth.token.value': 'c',
      'gcp.credentials': 'd',
      'gcp.credential': 'e',
      'credentials.file': 'shown',
      'x.private': 'f',
      'vault.a': 'g',
      'vault.b': 'h',
      'http.headers.Authorization': 'Bearer i',
      'http.headers.X-Api-Key': 'j',
      'http.headers.Cookie': 'k',
      'http.headers.X-Request-Source': 'shown',
      plain: 'shown',
      // misspelt secret settings, which no definition names, and client overrides holding secrets
      'auth.basic.pasword': 'l',
      'auth.bearer.tokne': 'm',
      'http.headers.Authorisation': 'n',
      'consumer.override.sasl.jaas.config': 'o',
      'topics.regex': 'shown',
    });
    expect(Object.entries(out).filter(([, v]) => v !== HIDDEN)).toEqual([
      ['connector.class', 'unknown'],
      ['credentials.file', 'shown'],
      ['http.headers.X-Request-Source', 'shown'],
      ['plain', 'shown'],
      ['topics.regex', 'shown'],
    ]);
  });

  it('shows values made only of ${...} references', async () => {
    const { r } = redactor();
    const out = await r.redact({
      'connector.class': 'db-source',
      conn: '${file:/s.properties:conn}',
      password: '${env:A}${env:B}',
      'other.password': 'x${env:A}',
    });
    expect(out).toEqual(
      expect.objectContaining({
        conn: '${file:/s.properties:conn}',
        password: '${env:A}${env:B}',
        'other.password': HIDDEN,
      }),
    );
  });

  it('caches the definitions of known plugins', async () => {
    const { r, calls } = redactor();
    await r.redact({ 'connector.class': 'db-source' });
    await r.redact({ 'connector.class': 'db-source' });
    expect(calls.filter((c) => c === 'db-source')).toHaveLength(1);
  });

  it('restores stored secrets sent back as [hidden], and nothing else', async () => {
    const { r } = redactor();
    const restored = await r.restoreHidden(
      {
        'connector.class': 'db-source',
        conn: HIDDEN,
        host: HIDDEN,
        password: HIDDEN,
        'new.password': HIDDEN,
      },
      { 'connector.class': 'db-source', conn: 'pw', host: 'db', password: 'p' },
    );
    expect(restored).toEqual({
      'connector.class': 'db-source',
      conn: 'pw',
      host: HIDDEN,
      password: 'p',
      'new.password': HIDDEN,
    });
    expect(await r.restoreHidden({ conn: HIDDEN }, undefined)).toEqual({ conn: HIDDEN });
  });

  it('hides the password of a URL in any value, and restores it when the URL comes back as shown', async () => {
    const { r } = redactor();
    const stored = {
      'connector.class': 'db-source',
      'connection.url': 'postgresql://app:s3cr%40t@db.internal:5432/orders?sslmode=require',
      'http.url': 'https://hooks.example.com/in',
      'backup.url': 'mysql://root:${env:ROOT_PW}@db/x',
      'jdbc.url': 'jdbc:postgresql://db/x?user=app&password=hunter2&ssl=true',
      'poll.url': 'https://api.example.com/x?access_token=AT1&client_secret=CS1&key=K1&sig=S1&author=bob',
    };
    const shown = await r.redact(stored);
    expect(shown['connection.url']).toBe(
      `postgresql://app:${HIDDEN}@db.internal:5432/orders?sslmode=require`,
    );
    expect(shown['http.url']).toBe('https://hooks.example.com/in');
    expect(shown['backup.url']).toBe('mysql://root:${env:ROOT_PW}@db/x');
    expect(shown['jdbc.url']).toBe(`jdbc:postgresql://db/x?user=app&password=${HIDDEN}&ssl=true`);
    expect(shown['poll.url']).toBe(
      `https://api.example.com/x?access_token=${HIDDEN}&client_secret=${HIDDEN}&key=${HIDDEN}&sig=${HIDDEN}&author=bob`,
    );
    expect(JSON.stringify(shown)).not.toContain('hunter2');
    expect(JSON.stringify(shown)).not.toContain('s3cr');
    // a read-modify-write round trip keeps the stored password
    expect(await r.restoreHidden({ ...shown, 'http.url': 'https://other/' }, stored)).toEqual({
      ...stored,
      'http.url': 'https://other/',
    });
    // another host, the password left hidden: the stored password goes with it
    const moved = await r.restoreHidden(
      { 'connection.url': `postgresql://app:${HIDDEN}@db2/orders` },
      stored,
    );
    expect(moved['connection.url']).toBe('postgresql://app:s3cr%40t@db2/orders');
    // a new password replaces it
    const changed = await r.restoreHidden({ 'connection.url': 'postgresql://app:new@db/orders' }, stored);
    expect(changed['connection.url']).toBe('postgresql://app:new@db/orders');
  });
});
