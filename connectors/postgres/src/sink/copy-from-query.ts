import type pg from 'pg';

/** The parts of node-postgres' connection a COPY FROM STDIN needs (not in its type declarations). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

const CHUNK = 1 << 20;

/**
 * `COPY ... FROM STDIN` with the data in hand, as a node-postgres Submittable: the client calls
 * submit() when the connection is free, handleCopyInResponse() once the server is ready for data,
 * then handleCommandComplete()/handleReadyForQuery() or handleError(). The whole batch is already
 * one Buffer, so there is no stream to pump; it goes out in CopyData messages of 1 MiB.
 * (pg-copy-streams does the same for streams; one small class spares the dependency.)
 */
class CopyFromQuery implements pg.Submittable {
  private rows = 0;
  private done = false;

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
    private readonly finish: (err: Error | null, rows: number) => void,
  ) {}

  submit(connection: pg.Connection): void {
    (connection as unknown as CopyConnection).query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (let at = 0; at < this.data.length; at += CHUNK)
      connection.sendCopyFromChunk(this.data.subarray(at, Math.min(at + CHUNK, this.data.length)));
    connection.endCopyFrom();
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

  // the server sends none of these for COPY FROM; the client may still call them
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private end(err: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.finish(err, this.rows);
  }
}

/** Runs `COPY <target> FROM STDIN` (text format) with `data`; resolves to the rows copied. */
export function copyFrom(client: pg.Client, text: string, data: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    client.query(new CopyFromQuery(text, data, (err, rows) => (err ? reject(err) : resolve(rows))));
  });
}
