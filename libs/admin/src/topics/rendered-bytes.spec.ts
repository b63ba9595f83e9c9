import { describe, expect, it } from '@jest/globals';
import { renderBytes } from './rendered-bytes.js';

describe('renderBytes', () => {
  it('parses JSON of every kind', () => {
    expect(renderBytes(Buffer.from('{"a":[1,true,null]}'))).toEqual({
      value: { a: [1, true, null] },
      format: 'json',
    });
    expect(renderBytes(Buffer.from('42'))).toEqual({ value: 42, format: 'json' });
    expect(renderBytes(Buffer.from('"quoted"'))).toEqual({ value: 'quoted', format: 'json' });
    expect(renderBytes(Buffer.from(' [1] \n'))).toEqual({ value: [1], format: 'json' });
  });

  it('shows other UTF-8 as text, whitespace and non-ASCII included', () => {
    expect(renderBytes(Buffer.from('hello'))).toEqual({ value: 'hello', format: 'string' });
    expect(renderBytes(Buffer.from('zürich ✓\ttab\nline'))).toEqual({
      value: 'zürich ✓\ttab\nline',
      format: 'string',
    });
    expect(renderBytes(Buffer.from(''))).toEqual({ value: '', format: 'string' });
    expect(renderBytes(Buffer.from('{not json'))).toEqual({ value: '{not json', format: 'string' });
  });

  it('keeps numbers a double would round as exact text', () => {
    expect(renderBytes(Buffer.from('{"id":9007199254740993}'))).toEqual({
      value: '{"id":9007199254740993}',
      format: 'string',
    });
    // long digit runs inside strings are safe to parse
    expect(renderBytes(Buffer.from('{"id":"9007199254740993"}'))).toEqual({
      value: { id: '9007199254740993' },
      format: 'json',
    });
  });

  it('shows invalid UTF-8 and control bytes as base64', () => {
    expect(renderBytes(Buffer.from([0xc3, 0x28]))).toEqual({ value: 'wyg=', format: 'base64' });
    expect(renderBytes(Buffer.from([0x00, 0x01, 0x02]))).toEqual({ value: 'AAEC', format: 'base64' });
  });

  it('shows null as null', () => {
    expect(renderBytes(null)).toEqual({ value: null, format: null });
  });
});
