import fs from 'node:fs';

/*
 * The file calls the log's hot paths make, on raw descriptors through fs's callback API: the
 * FileHandle promise API costs an object and a promise more per call and we make many.
 */

export function readAt(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, offset, length, position, (err, bytesRead) =>
      err ? reject(err) : resolve(bytesRead),
    );
  });
}

/** Reads until `length` bytes are in or the file ends; returns how many were read. */
export async function readFully(
  fd: number,
  buffer: Buffer,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const n = await readAt(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

const MAX_IOVECS = 512;

function writevAt(fd: number, buffers: Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.writev(fd, buffers, position, (err, written) => (err ? reject(err) : resolve(written)));
  });
}

/** Writes every buffer at `position` onwards, coping with short writes and the iovec limit. */
export async function writeAllAt(fd: number, buffers: Buffer[], position: number): Promise<void> {
  let i = 0;
  let pos = position;
  let pending: Buffer[] = [];
  while (i < buffers.length || pending.length > 0) {
    while (pending.length < MAX_IOVECS && i < buffers.length) pending.push(buffers[i++]!);
    let written = await writevAt(fd, pending, pos);
    pos += written;
    // drop what was written; keep the unwritten part of a partly written buffer
    let k = 0;
    while (k < pending.length && written >= pending[k]!.length) written -= pending[k++]!.length;
    pending = pending.slice(k);
    if (written > 0) pending[0] = pending[0]!.subarray(written);
  }
}

export function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

export function ftruncate(fd: number, length: number): Promise<void> {
  return new Promise((resolve, reject) => fs.ftruncate(fd, length, (err) => (err ? reject(err) : resolve())));
}

export function close(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));
}

/** Makes a directory entry change (create, rename, unlink) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `path` with `data` so that a crash leaves either the old or the new content. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await fs.promises.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, path);
}
