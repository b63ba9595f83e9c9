import type pg from 'pg';

/** The parts of node-postgres' connection a COPY needs (not in its type declarations). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

const CHUNK = 1 << 20;

/**
 * A COPY as a node-postgres Submittable, so the references need no extra dependency: FROM STDIN
 * sends `data` once the server asks for it; TO STDOUT counts the bytes the server streams back.
 */
class CopyQuery implements pg.Submittable {
  private rows = 0;
  private done = false;
  bytes = 0;

  constructor(
    private readonly text: string,
    private readonly data: Buffer | null,
    private readonly finish: (err: Error | null, rows: number) => void,
  ) {}

  submit(connection: pg.Connection): void {
    (connection as unknown as CopyConnection).query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    const data = this.data ?? Buffer.alloc(0);
    for (let at = 0; at < data.length; at += CHUNK)
      connection.sendCopyFromChunk(data.subarray(at, Math.min(at + CHUNK, data.length)));
    connection.endCopyFrom();
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    this.bytes += msg.chunk.length;
  }

  handleCommandComplete(msg: { text?: string }): void {
    const m = /^COPY (\d+)/.exec(msg.text ?? '');
    if (m) this.rows = Number(m[1]);
  }

  handleReadyForQuery(): void {
    this.end(null);
  }

  handleError(err: Error): void {
    this.end(err);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}

  private end(err: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.finish(err, this.rows);
  }
}

/** `COPY ... FROM STDIN` (text format) with `data`; resolves to the rows copied. */
export function copyFrom(client: pg.Client, text: string, data: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    client.query(new CopyQuery(text, data, (err, rows) => (err ? reject(err) : resolve(rows))));
  });
}

/** `COPY (...) TO STDOUT`, the data read and dropped; resolves to the rows copied. */
export function copyTo(client: pg.Client, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    client.query(new CopyQuery(text, null, (err, rows) => (err ? reject(err) : resolve(rows))));
  });
}
