import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error.js';
import { hasProviderReferences, resolveConfig } from './config-providers.js';
import { parseProperties } from './properties-format.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-providers-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
};

async function resolveError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('resolves several env references per value and leaves other values alone', async () => {
    const templated = {
      'connection.url': 'postgres://${env:DB_USER}:${env:DB_PASS}@${env:DB_HOST}/app',
      'plain.value': 'no references, $ and {} and ${incomplete',
    };
    const resolved = await resolveConfig(templated, {
      env: { DB_USER: 'app', DB_PASS: 's3cret', DB_HOST: 'db:5432' },
    });
    expect(resolved).toEqual({
      'connection.url': 'postgres://app:s3cret@db:5432/app',
      'plain.value': 'no references, $ and {} and ${incomplete',
    });
    // the templated form is what gets persisted: it must come out unchanged
    expect(templated['connection.url']).toContain('${env:DB_PASS}');
  });

  it('reads keys from properties files, as Kafka FileConfigProvider', async () => {
    const file = write(
      'db.properties',
      '# comment\n! also a comment\nuser = app\npassword:pa\\=ss\\u0021\nlong = one \\\n    two\nspaced value\n',
    );
    const resolved = await resolveConfig({
      user: `\${file:${file}:user}`,
      password: `\${file:${file}:password}`,
      long: `\${file:${file}:long}`,
      spaced: `\${file:${file}:spaced}`,
    });
    expect(resolved).toEqual({ user: 'app', password: 'pa=ss!', long: 'one two', spaced: 'value' });
  });

  it('reads keys from YAML and JSON files, nested keys by dotted path', async () => {
    const yamlFile = write('secrets.yaml', 'db:\n  password: y-pass\n  port: 5432\nflat.key: f\n');
    const jsonFile = write('secrets.json', '{"api": {"token": "j-token"}}');
    const resolved = await resolveConfig({
      a: `\${file:${yamlFile}:db.password}`,
      b: `\${file:${yamlFile}:db.port}`,
      c: `\${file:${yamlFile}:flat.key}`,
      d: `\${file:${jsonFile}:api.token}`,
    });
    expect(resolved).toEqual({ a: 'y-pass', b: '5432', c: 'f', d: 'j-token' });
  });

  it('reads a whole file, trimmed, when no key is given; relative paths from baseDir', async () => {
    write('mounted/token', '  tok-123\n');
    const resolved = await resolveConfig({ token: 'Bearer ${file:mounted/token}' }, { baseDir: dir });
    expect(resolved).toEqual({ token: 'Bearer tok-123' });
  });

  it('keeps $${...} as a literal ${...} and does not resolve inside it', async () => {
    const resolved = await resolveConfig(
      { template: 'literal $${env:HOME} and ${env:X}', lone: 'price $$5' },
      { env: { X: 'x', HOME: '/root' } },
    );
    expect(resolved).toEqual({ template: 'literal ${env:HOME} and x', lone: 'price $$5' });
  });

  it('leaves references to unknown providers as written (as Kafka does)', async () => {
    const resolved = await resolveConfig({ a: '${vault:secret/db:password}', b: '${noColon}' }, { env: {} });
    expect(resolved).toEqual({ a: '${vault:secret/db:password}', b: '${noColon}' });
    // names an object has of its own kind are no providers either
    const inherited = { a: '${toString:x}', b: '${constructor:y}', c: '${__proto__:z}' };
    expect(await resolveConfig(inherited, { env: {} })).toEqual(inherited);
  });

  it('resolves once: a resolved value that looks like a reference stays literal', async () => {
    const resolved = await resolveConfig({ a: '${env:A}' }, { env: { A: '${file:/etc/passwd}' } });
    expect(resolved).toEqual({ a: '${file:/etc/passwd}' });
  });

  it('accepts extra providers', async () => {
    const resolved = await resolveConfig(
      { a: '${vault:db:password}' },
      { providers: { vault: { get: (p, k) => `${p}/${k}` } } },
    );
    expect(resolved).toEqual({ a: 'db/password' });
  });

  it('names every failing config key at once and never the resolved values', async () => {
    const file = write('partial.properties', 'present=TOP-SECRET-1\n');
    const yamlFile = write('broken.yaml', 'password: TOP-SECRET-2\n  bad: [\n');
    const error = await resolveError(
      resolveConfig(
        {
          ok: '${env:SECRET}',
          'missing.env': 'x-${env:NOPE}-${env:SECRET}',
          'missing.key': `\${file:${file}:absent}`,
          'missing.file': `\${file:${path.join(dir, 'nope.properties')}:k}`,
          'broken.yaml': `\${file:${yamlFile}:password}`,
        },
        { env: { SECRET: 'TOP-SECRET-0' } },
      ),
    );
    expect(error.problems.map((p) => p.field)).toEqual([
      'missing.env',
      'missing.key',
      'missing.file',
      'broken.yaml',
    ]);
    expect(error.problems[0]!.message).toContain('NOPE is not set');
    expect(error.problems[1]!.message).toContain('"absent" not found');
    expect(error.problems[2]!.message).toContain('ENOENT');
    expect(error.problems[3]!.message).toMatch(/cannot parse .* \(line \d+\)/);
    expect(error.message).not.toMatch(/TOP-SECRET/);
    expect(JSON.stringify(error.problems)).not.toMatch(/TOP-SECRET/);
  });

  it('confines file references to allowedPaths', async () => {
    const inside = write('allowed/a.properties', 'k=v\n');
    const outside = write('other/b.properties', 'k=v\n');
    const options = { allowedPaths: [path.join(dir, 'allowed')] };
    await expect(resolveConfig({ a: `\${file:${inside}:k}` }, options)).resolves.toEqual({ a: 'v' });
    for (const escape of [outside, path.join(dir, 'allowed', '..', 'other', 'b.properties')]) {
      const error = await resolveError(resolveConfig({ b: `\${file:${escape}:k}` }, options));
      expect(error.problems[0]!.message).toContain('outside the allowed paths');
    }
    // nor through a symbolic link inside them
    fs.symlinkSync(path.join(dir, 'other'), path.join(dir, 'allowed', 'link'));
    const linked = await resolveError(
      resolveConfig({ c: `\${file:${path.join(dir, 'allowed', 'link', 'b.properties')}:k}` }, options),
    );
    expect(linked.problems[0]!.message).toContain('outside the allowed paths');
  });
});

describe('hasProviderReferences', () => {
  it.each([
    ['${env:A}', true],
    ['x ${file:/a:b} y', true],
    ['$${env:A}', false],
    ['${vault:a}', false],
    ['${noColon}', false],
    ['plain', false],
  ])('%s → %s', (value, expected) => {
    expect(hasProviderReferences(value)).toBe(expected);
  });

  it('knows about configured providers', () => {
    expect(hasProviderReferences('${vault:a}', ['vault'])).toBe(true);
  });
});

describe('parseProperties', () => {
  it('follows java.util.Properties', () => {
    const props = parseProperties(
      'a=1\r\n  b : 2\nc 3\nd\ne=\nf=x=y\nkey\\ with\\:colon=v\n# gone=1\nlast=one\\\\\nnext=2\nlast=two\n',
    );
    expect(Object.fromEntries(props)).toEqual({
      a: '1',
      b: '2',
      c: '3',
      d: '',
      e: '',
      f: 'x=y',
      'key with:colon': 'v',
      last: 'two',
      next: '2',
    });
  });
});
