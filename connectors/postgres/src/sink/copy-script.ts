import type pg from 'pg';

/** The parts of node-postgres' connection a COPY FROM STDIN needs (not in its type declarations). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

const CHUNK = 1 << 20;

/**
 * Statements sent as one simple-protocol Query, with the data of each `COPY ... FROM STDIN` among
 * them in hand: a whole batch (BEGIN, COPY, merge, COMMIT) is one round trip, where a query per
 * statement waited for the task's event loop between each (a sink converts the next records
 * meanwhile). As a node-postgres Submittable: the client calls submit() when the connection is
 * free, handleCopyInResponse() each time the server reaches a COPY, then handleReadyForQuery() or
 * handleError() (the server skips the statements after a failing one; node-postgres then forgets
 * this query, so an error ends it). Each payload goes out in CopyData messages of 1 MiB.
 */
class CopyScript implements pg.Submittable {
  private next = 0;
  private done = false;

  constructor(
    private readonly text: string,
    private readonly payloads: readonly Buffer[],
    private readonly finish: (err: Error | null) => void,
  ) {}

  submit(connection: pg.Connection): void {
    (connection as unknown as CopyConnection).query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    const data = this.payloads[this.next++];
    if (data === undefined) {
      connection.sendCopyFail('the script has more COPY statements than payloads');
      return;
    }
    for (let at = 0; at < data.length; at += CHUNK)
      connection.sendCopyFromChunk(data.subarray(at, Math.min(at + CHUNK, data.length)));
    connection.endCopyFrom();
  }

  handleReadyForQuery(): void {
    this.end(null);
  }

  handleError(err: Error): void {
    this.end(err);
  }

  // answers the sink has no use for (command tags, rows); the client calls them all the same
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private end(err: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.finish(err);
  }
}

/**
 * Runs `statements` (no parameters: only quoted identifiers in them) as one Query; the i-th
 * `COPY ... FROM STDIN` (text format) among them reads `payloads[i]`.
 */
export function runCopyScript(
  client: pg.Client,
  statements: readonly string[],
  payloads: readonly Buffer[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    client.query(new CopyScript(statements.join(';\n'), payloads, (err) => (err ? reject(err) : resolve())));
  });
}
