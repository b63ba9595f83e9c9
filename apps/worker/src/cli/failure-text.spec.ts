import { describe, expect, it } from '@jest/globals';
import { withoutFrames } from './failure-text.js';

describe('withoutFrames', () => {
  it('keeps the messages and causes of a trace, not its stack frames', () => {
    const trace = [
      'ConnectError: postgres-sink cannot write record t-0@5: value too long',
      '    at PostgresSinkTask.report (file:///app/sink.js:10:5)',
      '    at async BatchWriter.write (file:///app/batch.js:3:1)',
      'Caused by: error: value too long for type character varying(3)',
      '    at Parser.parseErrorMessage (file:///app/pg.js:1:1)',
    ].join('\n');
    expect(withoutFrames(trace)).toBe(
      'ConnectError: postgres-sink cannot write record t-0@5: value too long\nCaused by: error: value too long for type character varying(3)',
    );
  });
});
