/*
 * Cuts a byte stream into records. A record ends at a line feed; in csv mode only at a line feed
 * outside a quoted field (RFC 4180 lets quoted fields hold line breaks). Scanning works on bytes:
 * in UTF-8 the bytes of `"`, `,` and LF never occur inside a multi-byte character, so no decoding
 * is needed to find record ends, and chunks may split characters anywhere.
 *
 * Pull model: next() returns the next complete record or null; feed() adds a chunk once next()
 * has returned null. The unfinished tail waits for more bytes (a line without its newline yet).
 * Memory is bounded by maxRecordBytes: a longer record is dropped while it streams past and
 * reported as `oversize` once its end arrives.
 *
 * CSV scan states (only whether we are inside quotes matters for framing):
 *
 *   fieldStart --'"'--> quoted --'"'--> quoteInQuoted --'"'--> quoted   (an escaped quote)
 *       |                 ^                 |
 *       +--other--> unquoted                +--',' / other--> fieldStart / unquoted
 *   LF ends the record in every state but `quoted`.
 */

export type Frame =
  | { kind: 'record'; bytes: Buffer; size: number; lines: number }
  | { kind: 'oversize'; size: number; lines: number };

type CsvState = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted';

const LF = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;
const EMPTY = Buffer.alloc(0);

export class RecordFramer {
  private chunk: Buffer = EMPTY;
  private at = 0;
  /** Bytes of the current record from earlier chunks (copied: chunks are not kept alive). */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** The current record outgrew maxRecordBytes: its bytes are dropped, only counted. */
  private oversized = false;
  private state: CsvState = 'fieldStart';
  /** Line feeds inside quoted fields of the current record. */
  private innerLines = 0;

  constructor(
    private readonly csv: boolean,
    private readonly maxRecordBytes: number,
  ) {}

  /** Bytes held for the unfinished record (counted even when dropped). */
  get pendingBytes(): number {
    return this.partBytes + (this.chunk.length - this.at);
  }

  /** True when every fed byte has been scanned (next() would need more input). */
  get drained(): boolean {
    return this.at >= this.chunk.length;
  }

  /** Adds input; only valid once next() returned null. */
  feed(chunk: Buffer): void {
    if (!this.drained) throw new Error('feed() before the previous chunk was consumed');
    this.chunk = chunk;
    this.at = 0;
  }

  next(): Frame | null {
    if (this.drained) return null;
    const end = this.csv ? this.scanCsv() : this.chunk.indexOf(LF, this.at);
    if (end < 0) {
      this.keep(this.chunk.subarray(this.at));
      this.at = this.chunk.length;
      return null;
    }
    const tail = this.chunk.subarray(this.at, end);
    this.at = end + 1;
    const size = this.partBytes + tail.length + 1;
    const lines = this.innerLines + 1;
    const frame: Frame = this.oversized
      ? { kind: 'oversize', size, lines }
      : size - 1 > this.maxRecordBytes
        ? { kind: 'oversize', size, lines }
        : {
            kind: 'record',
            bytes: this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]),
            size,
            lines,
          };
    this.resetRecord();
    return frame;
  }

  /**
   * The unfinished record as if its line feed had come (a file that is complete without a final
   * newline), or null if nothing is pending. `quoted`: it ends inside an open quoted field.
   */
  takeRemainder(): { frame: Frame; unterminatedQuote: boolean } | null {
    this.keep(this.chunk.subarray(this.at));
    this.chunk = EMPTY;
    this.at = 0;
    if (this.partBytes === 0) return null;
    const size = this.partBytes;
    const lines = this.innerLines + 1;
    const unterminatedQuote = this.csv && this.state === 'quoted';
    const frame: Frame =
      this.oversized || size > this.maxRecordBytes
        ? { kind: 'oversize', size, lines }
        : { kind: 'record', bytes: Buffer.concat(this.parts), size, lines };
    this.resetRecord();
    return { frame, unterminatedQuote };
  }

  /** Forgets everything (the file was truncated). */
  reset(): void {
    this.chunk = EMPTY;
    this.at = 0;
    this.resetRecord();
  }

  private resetRecord(): void {
    this.parts = [];
    this.partBytes = 0;
    this.oversized = false;
    this.state = 'fieldStart';
    this.innerLines = 0;
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.partBytes += bytes.length;
    if (this.oversized) return;
    if (this.partBytes > this.maxRecordBytes) {
      this.oversized = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(bytes));
  }

  /** Index of the record-ending LF in the current chunk, or -1; advances the csv state. */
  private scanCsv(): number {
    const chunk = this.chunk;
    let state = this.state;
    for (let i = this.at; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (state) {
        case 'quoted':
          if (b === QUOTE) state = 'quoteInQuoted';
          else if (b === LF) this.innerLines++;
          break;
        case 'fieldStart':
          if (b === QUOTE) state = 'quoted';
          else if (b === LF) {
            this.state = 'fieldStart';
            return i;
          } else if (b !== COMMA) state = 'unquoted';
          break;
        default:
          // unquoted, or just after a closing quote (a doubled quote reopens the field)
          if (b === LF) {
            this.state = 'fieldStart';
            return i;
          }
          if (b === COMMA) state = 'fieldStart';
          else if (b === QUOTE && state === 'quoteInQuoted') state = 'quoted';
          else state = 'unquoted';
      }
    }
    this.state = state;
    return -1;
  }
}
