import { describe, expect, it } from '@jest/globals';
import { DataError, Schemas } from '@sluice/connect-api';
import fc from 'fast-check';
import { ByteArrayConverter } from './byte-array.converter.js';

describe('ByteArrayConverter', () => {
  const c = new ByteArrayConverter();
  c.configure({}, false);

  it('passes bytes through both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(c.fromConnectData('t', [], Schemas.BYTES, buffer)).toBe(buffer);
        expect(c.toConnectData('t', [], buffer)).toEqual({ schema: Schemas.OPTIONAL_BYTES, value: buffer });
      }),
      { numRuns: 50 },
    );
    expect(c.fromConnectData('t', [], null, new Uint8Array([1, 2]))).toEqual(Buffer.from([1, 2]));
  });

  it('keeps nulls as nulls', () => {
    expect(c.fromConnectData('t', [], null, null)).toBeNull();
    expect(c.toConnectData('t', [], null)).toEqual({ schema: Schemas.OPTIONAL_BYTES, value: null });
  });

  it('rejects anything but bytes', () => {
    expect(() => c.fromConnectData('t', [], null, 'text')).toThrow(DataError);
    expect(() => c.fromConnectData('t', [], null, 'text')).toThrow(
      /not compatible with values of type string/,
    );
    expect(() => c.fromConnectData('t', [], Schemas.STRING, Buffer.from('x'))).toThrow(/Invalid schema type/);
  });
});
