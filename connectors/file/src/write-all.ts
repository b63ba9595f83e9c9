/** What writevAll needs of a FileHandle. */
export interface VectorWriter {
  writev(buffers: Buffer[]): Promise<{ bytesWritten: number }>;
}

/**
 * Writes every byte of `buffers`, in order. writev may write fewer bytes than asked without an
 * error (a disk filling up partway: the error comes with the next call), and the caller's count
 * of what the file holds would then run ahead of it; the rest is written again until all of it is
 * in, or the error that stopped it is thrown.
 */
export async function writevAll(handle: VectorWriter, buffers: readonly Buffer[]): Promise<void> {
  let rest = buffers.filter((b) => b.length > 0);
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest);
    if (bytesWritten <= 0) throw new Error('the file took none of the bytes written to it');
    rest = after(rest, bytesWritten);
  }
}

/** `buffers` without their first `count` bytes. */
function after(buffers: readonly Buffer[], count: number): Buffer[] {
  let skip = count;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  if (i === buffers.length) return [];
  return [buffers[i]!.subarray(skip), ...buffers.slice(i + 1)];
}
