import { describe, expect, it } from '@jest/globals';
import { renderBytes } from './rendered-bytes.js';

describe('renderBytes', () => {
  it('keeps JSON of every kind as its text', () => {
    expect(renderBytes(Buffer.from('{"a":[1,true,null]}'))).toEqual({
      json: '{"a":[1,true,null]}',
      format: 'json',
    });
    expect(renderBytes(Buffer.from('42'))).toEqual({ json: '42', format: 'json' });
    expect(renderBytes(Buffer.from('"quoted"'))).toEqual({ json: '"quoted"', format: 'json' });
    expect(renderBytes(Buffer.from(' [1] \n'))).toEqual({ json: '[1]', format: 'json' });
    expect(renderBytes(Buffer.from('{\n  "a": 1\n}'))).toEqual({ json: '{\n  "a": 1\n}', format: 'json' });
  });

  it('keeps numbers a double would round exact', () => {
    expect(renderBytes(Buffer.from('{"id":9007199254740993,"d":0.12345678901234567890}'))).toEqual({
      json: '{"id":9007199254740993,"d":0.12345678901234567890}',
      format: 'json',
    });
    expect(renderBytes(Buffer.from('-18446744073709551615'))).toEqual({
      json: '-18446744073709551615',
      format: 'json',
    });
  });

  it('shows other UTF-8 as a JSON string, whitespace and non-ASCII included', () => {
    expect(renderBytes(Buffer.from('hello'))).toEqual({ json: '"hello"', format: 'string' });
    expect(renderBytes(Buffer.from('zürich ✓\ttab\nline'))).toEqual({
      json: '"zürich ✓\\ttab\\nline"',
      format: 'string',
    });
    expect(renderBytes(Buffer.from(''))).toEqual({ json: '""', format: 'string' });
    expect(renderBytes(Buffer.from('{not json'))).toEqual({ json: '"{not json"', format: 'string' });
    expect(renderBytes(Buffer.from('NaN'))).toEqual({ json: '"NaN"', format: 'string' });
  });

  it('shows invalid UTF-8 and control bytes as base64', () => {
    expect(renderBytes(Buffer.from([0xc3, 0x28]))).toEqual({ json: '"wyg="', format: 'base64' });
    expect(renderBytes(Buffer.from([0x00, 0x01, 0x02]))).toEqual({ json: '"AAEC"', format: 'base64' });
  });

  it('shows null as null', () => {
    expect(renderBytes(null)).toEqual({ json: 'null', format: null });
  });
});
