import { describe, expect, it } from '@jest/globals';
import { FileSourceConnector } from './file-source.connector.js';

const partition = { device: '2049', inode: '131075' };
const offset = {
  position: 2048,
  line: 20,
  fingerprint: 'a'.repeat(32),
  fingerprintBytes: 1024,
  path: 'a.jsonl',
};
const alter = (changes: Parameters<FileSourceConnector['alterOffsets']>[1]): Promise<boolean> =>
  new FileSourceConnector().alterOffsets({}, changes);

describe('file-source alterOffsets', () => {
  it('confirms offsets a task can resume from, null offsets, and offsets moved back by hand', async () => {
    expect(
      await alter([
        { partition, offset },
        { partition, offset: null },
        { partition, offset: { ...offset, position: 100, line: 3 } },
      ]),
    ).toBe(true);
  });

  it('refuses every offset no task could resume from, saying what a file offset is', async () => {
    await expect(
      alter([
        { partition: { file: 'a.jsonl' }, offset },
        { partition, offset: { position: 10 } },
        { partition, offset: { ...offset, fingerprintBytes: 2000 } },
      ]),
    ).rejects.toThrow(
      expect.objectContaining({
        name: 'DataError',
        message: expect.stringMatching(
          /offset 0: a file-source partition is \{"device".*offset 1: a file-source offset has position, line, fingerprint and fingerprintBytes.*offset 2: fingerprintBytes 2000 is over 1024/,
        ),
      }),
    );
  });
});
