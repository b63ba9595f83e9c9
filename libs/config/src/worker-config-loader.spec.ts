import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error.js';
import { envNameFor, loadWorkerConfig } from './worker-config-loader.js';

function file(text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'worker-yaml-')), 'worker.yaml');
  fs.writeFileSync(f, text);
  return f;
}

describe('worker.yaml', () => {
  it('has defaults for everything', () => {
    const { config } = loadWorkerConfig(null, {});
    expect(config).toMatchObject({
      mode: 'standalone',
      rest: { host: '127.0.0.1', port: 8083, auth: { type: 'none' } },
      log: { dir: './data/log', durability: 'fsync' },
      connectors: { dir: './config/connectors' },
      // file connectors may touch nothing until roots are given
      files: { roots: [] },
      converters: { 'value.converter': 'org.apache.kafka.connect.json.JsonConverter' },
      producer: { 'compression.type': 'lz4' },
    });
  });

  it('reads the contract of the README and keeps defaults for what it leaves out', () => {
    const { config } = loadWorkerConfig(
      file(
        'mode: standalone\nrest:\n  port: 9000\nlog:\n  dir: /var/lib/sluice\nfiles:\n  roots: [/data, /srv]\nconverters:\n  value.converter: string\n  value.converter.schemas.enable: false\n',
      ),
      {},
    );
    expect(config.rest).toMatchObject({ host: '127.0.0.1', port: 9000 });
    expect(config.log.dir).toBe('/var/lib/sluice');
    expect(config.files.roots).toEqual(['/data', '/srv']);
    expect(config.converters['value.converter']).toBe('string');
    expect(config.converters['value.converter.schemas.enable']).toBe(false);
  });

  it('lets environment variables override any key', () => {
    const env = {
      SLUICE_REST_PORT: '9100',
      SLUICE_LOG_DIR: '/tmp/elsewhere',
      SLUICE_LOG_FLUSH_INTERVAL_MS: '250',
      SLUICE_FILES_ROOTS: '/a, /b',
      SLUICE_CONVERTERS_VALUE_CONVERTER: 'bytes',
      SLUICE_PRODUCER_COMPRESSION_TYPE: 'gzip',
    };
    const { config } = loadWorkerConfig(file('rest:\n  port: 9000\n'), env);
    expect(config.rest.port).toBe(9100);
    expect(config.log.dir).toBe('/tmp/elsewhere');
    expect(config.log['flush.interval.ms']).toBe(250);
    expect(config.files.roots).toEqual(['/a', '/b']);
    expect(config.converters['value.converter']).toBe('bytes');
    expect(config.producer['compression.type']).toBe('gzip');
    expect(envNameFor('log.flush.interval.ms')).toBe('SLUICE_LOG_FLUSH_INTERVAL_MS');
  });

  it('takes the bearer token from SLUICE_REST_AUTH_TOKEN, and a short reference to a long one', () => {
    const fromEnv = loadWorkerConfig(file('rest:\n  auth:\n    type: bearer\n'), {
      SLUICE_REST_AUTH_TOKEN: 'a-token-of-26-characters!!',
    });
    expect(fromEnv.config.rest.auth.token).toBe('a-token-of-26-characters!!');
    // its length is the resolved value's, checked when the worker starts
    const referenced = loadWorkerConfig(file('rest:\n  auth:\n    type: bearer\n    token: ${env:T}\n'), {});
    expect(referenced.config.rest.auth.token).toBe('${env:T}');
  });

  it('reports every problem at once with file, line and field', () => {
    const f = file(
      'rest:\n  port: 99999\nlog:\n  durability: sometimes\ncolour: blue\nproducer:\n  compression.type: snappy\n',
    );
    let error: ConfigError | undefined;
    try {
      loadWorkerConfig(f, {});
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'colour', file: f, line: 5 }),
        expect.objectContaining({ field: 'rest.port', file: f, line: 2 }),
        expect.objectContaining({ field: 'log.durability', file: f, line: 4 }),
        expect.objectContaining({ field: 'producer.compression.type', file: f, line: 7 }),
      ]),
    );
  });

  it('blames a bad value from an environment variable on the variable, not on a line of the file', () => {
    const f = file('rest:\n  host: 127.0.0.1\n  port: 8083\n');
    let error: ConfigError | undefined;
    try {
      loadWorkerConfig(f, { SLUICE_REST_PORT: '80a' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error!.problems.length).toBeGreaterThan(0);
    for (const problem of error!.problems) {
      expect(problem).toMatchObject({
        field: 'rest.port',
        message: expect.stringContaining('set by the environment variable SLUICE_REST_PORT'),
      });
      expect(problem).not.toHaveProperty('line');
    }
  });

  it('refuses misspelt keys inside sections, naming the ones known there, and takes converter options', () => {
    const f = file(
      'rest:\n  prot: 9000\n  auth:\n    type: bearer\n    tokn: abcdefabcdefabcdefabcdef\nfiles:\n  root: [/data]\nconverters:\n  value.converter.schemas.enable: false\n  vlaue.converter: string\n',
    );
    let error: ConfigError | undefined;
    try {
      loadWorkerConfig(f, {});
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error!.problems.map((p) => [p.field, p.line, p.message])).toEqual(
      expect.arrayContaining([
        ['rest.prot', 2, 'unknown key; known here: host, port, auth'],
        ['rest.auth.tokn', 5, 'unknown key; known here: type, token, users'],
        ['files.root', 7, 'unknown key; known here: roots, secrets'],
        [
          'converters.vlaue.converter',
          10,
          expect.stringMatching(/^unknown key; known here: key.converter, value.converter/),
        ],
      ]),
    );
    expect(error!.problems.map((p) => p.field)).not.toContain('converters.value.converter.schemas.enable');
  });

  it('names the line of a YAML syntax error', () => {
    expect(() => loadWorkerConfig(file('rest:\n  port: [unclosed\n'), {})).toThrow(ConfigError);
    let thrown: unknown;
    try {
      loadWorkerConfig(file('rest:\n  port: 9000\n    host: 0.0.0.0\n'), {});
    } catch (err) {
      thrown = err;
    }
    expect((thrown as ConfigError).problems).toEqual([
      expect.objectContaining({
        field: '(yaml)',
        line: 3,
        message: expect.stringMatching(/^indented deeper than line 2,/),
      }),
    ]);
  });
});
