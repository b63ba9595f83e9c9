import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { parseTopicConfig } from '../../topics/topic-config.js';
import {
  appendBatch,
  readAll,
  recordingLogger,
  tempDir,
  values,
  type RecordingLogger,
} from '../../testing/log-test-support.js';
import { FileLogStorage } from './file-log-storage.js';

const open: FileLogStorage[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function openStorage(dir: string, log: RecordingLogger = recordingLogger()): Promise<FileLogStorage> {
  const storage = new FileLogStorage({ dir, cleanerIntervalMs: 0, logger: log.logger });
  await storage.open();
  open.push(storage);
  return storage;
}

/** Closes cleanly, then removes the clean-shutdown marker as a crash would have left it. */
async function closeAsIfCrashed(storage: FileLogStorage): Promise<void> {
  await storage.close();
  open.splice(open.indexOf(storage), 1);
  fs.rmSync(path.join(storage.dir, '.clean-shutdown'));
}

function segmentFile(dir: string, topic: string, base = 0): string {
  return path.join(dir, topic, '0', `${String(base).padStart(20, '0')}.log`);
}

async function withRecords(
  dir: string,
  count: number,
  config: Record<string, unknown> = {},
): Promise<FileLogStorage> {
  const storage = await openStorage(dir);
  await storage.createTopic('t', 1, parseTopicConfig(config));
  for (let i = 0; i < count; i++) await appendBatch(storage, 't', 0, [`r${i}-a`, `r${i}-b`]);
  return storage;
}

describe('segment recovery', () => {
  it('cuts a torn last batch, logs path and offset, and appends on from there', async () => {
    const dir = tempDir();
    await closeAsIfCrashed(await withRecords(dir, 5));
    const file = segmentFile(dir, 't');
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 7);

    const log = recordingLogger();
    const storage = await openStorage(dir, log);
    expect(values(await readAll(storage, 't', 0))).toEqual([
      'r0-a',
      'r0-b',
      'r1-a',
      'r1-b',
      'r2-a',
      'r2-b',
      'r3-a',
      'r3-b',
    ]);
    const warning = log.warnings().find((w) => String(w['msg']).includes('truncating'));
    expect(warning).toMatchObject({ path: file, offset: 8 });
    expect(fs.statSync(file).size).toBe(warning!['position']);
    expect(await appendBatch(storage, 't', 0, ['after'])).toEqual({ baseOffset: 8, lastOffset: 8 });
    expect(values(await readAll(storage, 't', 0, 8))).toEqual(['after']);
  });

  it('cuts garbage written after the last batch', async () => {
    const dir = tempDir();
    await closeAsIfCrashed(await withRecords(dir, 3));
    fs.appendFileSync(segmentFile(dir, 't'), Buffer.alloc(100, 0xab));
    const storage = await openStorage(dir);
    expect((await readAll(storage, 't', 0)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('cuts at a batch whose CRC does not match, never returning it', async () => {
    const dir = tempDir();
    await closeAsIfCrashed(await withRecords(dir, 4));
    const file = segmentFile(dir, 't');
    const data = fs.readFileSync(file);
    const batchSize = data.readInt32BE(8) + 12;
    data[2 * batchSize + 70] = data[2 * batchSize + 70]! ^ 0xff; // inside the third batch's records
    fs.writeFileSync(file, data);
    const log = recordingLogger();
    const storage = await openStorage(dir, log);
    expect(values(await readAll(storage, 't', 0))).toEqual(['r0-a', 'r0-b', 'r1-a', 'r1-b']);
    expect(log.warnings()[0]).toMatchObject({ path: file, offset: 4, position: 2 * batchSize });
  });

  it('reports a corrupt batch in a sealed segment on read, with path and position, without crashing', async () => {
    const dir = tempDir();
    const storage = await withRecords(dir, 30, { 'segment.bytes': 500 });
    await storage.close();
    open.pop();
    const file = segmentFile(dir, 't');
    const data = fs.readFileSync(file);
    data[data.length - 5] = data[data.length - 5]! ^ 0x01;
    fs.writeFileSync(file, data);
    const reopened = await openStorage(dir);
    await expect(readAll(reopened, 't', 0)).rejects.toMatchObject({
      code: 'CORRUPT_RECORD',
      details: { path: file, position: expect.any(Number) },
    });
    // later segments stay readable
    const { endOffset } = await reopened.offsets('t', 0);
    expect((await readAll(reopened, 't', 0, endOffset - 2)).length).toBe(2);
  });

  it('reports a batch length that leads to a cut-short header as corrupt instead of reading on for ever', async () => {
    const dir = tempDir();
    // index entries past the first batch: reopening trusts the segment without walking it
    const storage = await withRecords(dir, 30, { 'segment.bytes': 500, 'index.interval.bytes': 200 });
    await storage.close();
    open.pop();
    const file = segmentFile(dir, 't');
    const data = fs.readFileSync(file);
    // the first batch's length (after its 8-byte base offset) now ends 30 bytes before the file
    data.writeInt32BE(data.length - 30 - 12, 8);
    fs.writeFileSync(file, data);
    const reopened = await openStorage(dir);
    await expect(readAll(reopened, 't', 0, 2)).rejects.toMatchObject({
      code: 'CORRUPT_RECORD',
      details: { path: file, position: data.length - 30 },
    });
  });

  it('rebuilds missing or damaged index files', async () => {
    const dir = tempDir();
    const storage = await withRecords(dir, 40, { 'segment.bytes': 600, 'index.interval.bytes': 50 });
    await storage.close();
    open.pop();
    const partitionDir = path.join(dir, 't', '0');
    const indexes = fs.readdirSync(partitionDir).filter((f) => f.endsWith('.index'));
    fs.rmSync(path.join(partitionDir, indexes[0]!));
    fs.writeFileSync(path.join(partitionDir, indexes[1]!), Buffer.alloc(13, 0xff));
    const reopened = await openStorage(dir);
    const all = await readAll(reopened, 't', 0, 0, 1);
    expect(all.map((r) => r.offset)).toEqual(Array.from({ length: 80 }, (_, i) => i));
  });

  it('drops a topic whose creation never finished', async () => {
    const dir = tempDir();
    const storage = await openStorage(dir);
    await storage.close();
    open.pop();
    fs.mkdirSync(path.join(dir, 'half', '0'), { recursive: true });
    const reopened = await openStorage(dir);
    expect(await reopened.listTopics()).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'half'))).toBe(false);
  });
});
