import { describe, expect, it } from '@jest/globals';
import { RecordFramer, type Frame } from './record-framer.js';

function frames(framer: RecordFramer, ...chunks: string[]): Frame[] {
  const out: Frame[] = [];
  for (const chunk of chunks) {
    framer.feed(Buffer.from(chunk));
    for (let f = framer.next(); f; f = framer.next()) out.push(f);
  }
  return out;
}

const show = (f: Frame): unknown =>
  f.kind === 'record' ? [f.bytes.toString(), f.size, f.lines] : ['oversize', f.size];

describe('RecordFramer', () => {
  it('cuts lines and keeps the unfinished one for later', () => {
    const framer = new RecordFramer(false, 100);
    expect(frames(framer, 'a\nbb', 'b\n\nc').map(show)).toEqual([
      ['a', 2, 1],
      ['bbb', 4, 1],
      ['', 1, 1],
    ]);
    expect(framer.pendingBytes).toBe(1);
    expect(framer.takeRemainder()).toMatchObject({
      frame: { kind: 'record', size: 1 },
      unterminatedQuote: false,
    });
    expect(framer.takeRemainder()).toBeNull();
  });

  it('keeps line breaks inside quoted csv fields and counts them', () => {
    const framer = new RecordFramer(true, 100);
    expect(frames(framer, 'a,"x\n', 'y""\n",b\nc,"open').map(show)).toEqual([['a,"x\ny""\n",b', 13, 3]]);
    expect(framer.takeRemainder()).toMatchObject({ unterminatedQuote: true });
  });

  it('drops a record longer than the limit while it streams past', () => {
    const framer = new RecordFramer(false, 4);
    expect(frames(framer, 'abc', 'defgh', 'ij\nok\n').map(show)).toEqual([
      ['oversize', 11],
      ['ok', 3, 1],
    ]);
    expect(frames(framer, '12345\n').map(show)).toEqual([['oversize', 6]]);
  });

  it('refuses input before the previous chunk is consumed', () => {
    const framer = new RecordFramer(false, 10);
    framer.feed(Buffer.from('a\nb\n'));
    expect(() => framer.feed(Buffer.from('c'))).toThrow(/before the previous chunk/);
  });
});
