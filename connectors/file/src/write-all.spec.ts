import { describe, expect, it } from '@jest/globals';
import { writevAll, type VectorWriter } from './write-all.js';

/** A file that takes at most `max` bytes a call, then fails from `failAfter` bytes on. */
function shortFile(max: number, failAfter = Infinity): VectorWriter & { written: Buffer[] } {
  const written: Buffer[] = [];
  let total = 0;
  return {
    written,
    writev: async (buffers: Buffer[]) => {
      if (total >= failAfter) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      const all = Buffer.concat(buffers);
      const taken = all.subarray(0, Math.min(max, all.length, failAfter - total));
      written.push(Buffer.from(taken));
      total += taken.length;
      return { bytesWritten: taken.length };
    },
  };
}

describe('writevAll', () => {
  it('writes the rest of what a short write left, in order', async () => {
    const file = shortFile(4);
    await writevAll(file, [
      Buffer.from('line one\n'),
      Buffer.from(''),
      Buffer.from('two\n'),
      Buffer.from('3\n'),
    ]);
    expect(Buffer.concat(file.written).toString()).toBe('line one\ntwo\n3\n');
    expect(file.written.length).toBeGreaterThan(1);
  });

  it('throws the error that stopped a write partway, after the bytes the file took', async () => {
    const file = shortFile(100, 6);
    await expect(writevAll(file, [Buffer.from('line one\n'), Buffer.from('two\n')])).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    expect(Buffer.concat(file.written).toString()).toBe('line o');
  });
});
