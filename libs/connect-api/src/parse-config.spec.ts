import { describe, expect, it } from '@jest/globals';
import { IsIn, IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { ConfigField, describeConfig, secretFields } from './config-field.js';
import { parseConfig } from './parse-config.js';

class ExampleConfig {
  @ConfigField({ doc: 'Where to read.', required: true })
  @IsString()
  @MinLength(1)
  path = '';

  @ConfigField({ doc: 'Lines per poll.' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  'batch.size' = 1000;

  @ConfigField({ doc: 'Line format.' })
  @IsIn(['text', 'jsonl', 'csv'])
  format = 'text';

  @ConfigField({ doc: 'Follow appends.' })
  follow = true;

  @ConfigField({ doc: 'Columns.' })
  columns: string[] = [];

  @ConfigField({ doc: 'Password for the source.', secret: true })
  password = '';
}

describe('config classes', () => {
  it('describes settings with inferred types, defaults and secrets', () => {
    const fields = describeConfig(ExampleConfig);
    expect(fields.map((f) => [f.name, f.type, f.defaultValue, f.required])).toEqual([
      ['path', 'STRING', '', true],
      ['batch.size', 'INT', 1000, false],
      ['format', 'STRING', 'text', false],
      ['follow', 'BOOLEAN', true, false],
      ['columns', 'LIST', [], false],
      ['password', 'PASSWORD', '', false],
    ]);
    expect(secretFields(ExampleConfig)).toEqual(['password']);
  });

  it('converts string values by type and keeps defaults for the rest', () => {
    const result = parseConfig(ExampleConfig, {
      path: '/in',
      'batch.size': '50',
      follow: 'false',
      columns: 'a, b,,c',
      other: 'x',
    });
    expect(result).toMatchObject({
      ok: true,
      config: { path: '/in', 'batch.size': 50, follow: false, columns: ['a', 'b', 'c'], format: 'text' },
    });
  });

  it('reports every bad field at once', () => {
    const result = parseConfig(ExampleConfig, { 'batch.size': 'lots', format: 'xml', follow: 'maybe' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field).sort()).toEqual(['batch.size', 'follow', 'format', 'path']);
    expect(result.errors.find((e) => e.field === 'batch.size')!.messages[0]).toMatch(/must be a number/);
    expect(result.errors.find((e) => e.field === 'format')!.messages[0]).toMatch(/text, jsonl, csv/);
  });

  it('reads integers as Kafka does: digits only, signed, spaces around', () => {
    for (const bad of ['1e3', '0x10', '1.0'])
      expect(parseConfig(ExampleConfig, { path: '/in', 'batch.size': bad })).toEqual({
        ok: false,
        errors: [
          { field: 'batch.size', messages: [expect.stringMatching(/must be an integer written in digits/)] },
        ],
      });
    expect(parseConfig(ExampleConfig, { path: '/in', 'batch.size': ' +25 ' })).toMatchObject({
      ok: true,
      config: { 'batch.size': 25 },
    });
  });
});
