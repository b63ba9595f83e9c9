import { ConnectError, RetriableError } from '@sluice/connect-api';
import type pg from 'pg';
import { formatLsn, maxLsn, ZERO_LSN, type Lsn } from './lsn.js';
import { decodePgoutput } from './pgoutput-decoder.js';
import type { PgoutputMessage } from './pgoutput-message.js';
import { toConnectError } from './pg-errors.js';
import { quoteIdent, quoteLiteral } from './pg-session.js';

/** A decoded pgoutput message with the WAL position of the record it came from. */
export interface WalMessage {
  readonly lsn: Lsn;
  readonly message: PgoutputMessage;
}

/** An XLogData's pgoutput message as received, decoded when taken. */
interface ReceivedWal {
  readonly lsn: Lsn;
  readonly data: Buffer;
}

/** What pg's Client calls on an active query; the part of its Connection this file uses. */
interface WireConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  stream: { pause(): void; resume(): void };
}

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;
/** Status updates sent after an acknowledgement are coalesced over this long. */
const ACK_COALESCE_MS = 100;

export interface ReplicationStreamOptions {
  slot: string;
  publication: string;
  /** Where to start: the slot's confirmed position (the server never goes before it anyway). */
  startLsn: Lsn;
  /**
   * What is durable downstream already, when less than startLsn: after a reconnect the stream
   * starts after what was handed out, but the slot may only hear of what is durable.
   */
  acknowledged?: Lsn;
  /** Messages queued before the socket is paused; reading resumes below half of it. */
  maxQueue: number;
  /** Milliseconds between unsolicited status updates (liveness, progress). */
  statusIntervalMs: number;
  /**
   * Milliseconds without any message from the server (while reading) after which the stream fails
   * as retriable, a keepalive being asked for at half of it; 0: never. The walsender's own
   * wal_sender_timeout ends its side; this ends ours, which a lost network leaves open.
   */
  silenceTimeoutMs?: number;
  /** Stream logical decoding messages too (pgoutput's messages option, PostgreSQL 14+). */
  messages: boolean;
}

/**
 * The logical replication stream of one slot over a walsender connection (pg Client with
 * replication=database): START_REPLICATION with pgoutput, XLogData queued as it arrives and
 * decoded as it is taken, keepalives answered, and the slot acknowledged only up to what the caller says is
 * durable (acknowledge()). Nothing is acknowledged on a timer of its own: the periodic status
 * update repeats the last acknowledged position.
 *
 * Backpressure: past maxQueue queued messages the socket is paused; take() resumes it. While
 * paused, the periodic status updates still go out (the server reads them while it waits to
 * write), so a slow consumer is not disconnected for silence.
 *
 * The queue holds the messages' bytes, not their decoded form: under load it stays full, and
 * decoded tuples (objects and strings) waiting there outlived the task thread's nursery and were
 * copied and promoted by every scavenge, where a Buffer's bytes are outside the heap.
 *
 * Lifecycle: construct, start(), then take()/waitForData() from one consumer, acknowledge() at
 * any time, close() once. After close() nothing is sent.
 */
export class ReplicationStream {
  private queue: ReceivedWal[] = [];
  private head = 0;
  private connection: WireConnection | null = null;
  private paused = false;
  private failure: Error | null = null;
  private ended = false;
  private waiter: (() => void) | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private ackTimer: NodeJS.Timeout | null = null;
  private livenessTimer: NodeJS.Timeout | null = null;
  /** A keepalive was asked for since the last message. */
  private pinged = false;
  private closed = false;
  /** End of the WAL the server has sent or told us about (keepalives): its position. */
  serverWalEnd: Lsn = ZERO_LSN;
  /** Start of the last XLogData received. */
  lastReceived: Lsn = ZERO_LSN;
  /** What the slot has been told is durable. */
  acknowledged: Lsn;
  /** When the last message or keepalive arrived. */
  lastMessageAt = Date.now();

  constructor(
    private readonly client: pg.Client,
    private readonly o: ReplicationStreamOptions,
  ) {
    this.acknowledged = o.acknowledged ?? o.startLsn;
  }

  start(): void {
    const options = [
      `proto_version '1'`,
      `publication_names ${quoteLiteral(quoteIdent(this.o.publication))}`,
      ...(this.o.messages ? [`messages 'true'`] : []),
    ].join(', ');
    const sql = `START_REPLICATION SLOT ${quoteIdent(this.o.slot)} LOGICAL ${formatLsn(this.o.startLsn)} (${options})`;
    this.client.on('error', (err: Error) => this.fail(err));
    this.client.on('end', () => this.fail(new Error('the replication connection closed')));
    // a Submittable: pg hands it every message of the query, copyData included
    this.client.query({
      submit: (connection: pg.Connection) => {
        this.connection = connection as unknown as WireConnection;
        this.connection.query(sql);
      },
      handleCopyData: (msg: { chunk: Buffer }) => this.onCopyData(msg.chunk),
      handleError: (err: Error) => this.fail(err),
      handleReadyForQuery: () => this.fail(new Error('the server ended the replication stream')),
      handleCommandComplete: () => undefined,
      handleRowDescription: () => undefined,
      handleDataRow: () => undefined,
      handleEmptyQuery: () => undefined,
      handlePortalSuspended: () => undefined,
      handleCopyInResponse: () => undefined,
    } as unknown as pg.Submittable);
    this.statusTimer = setInterval(() => this.sendStatus(false), this.o.statusIntervalMs);
    this.statusTimer.unref();
    const silence = this.o.silenceTimeoutMs ?? 0;
    if (silence > 0) {
      this.livenessTimer = setInterval(() => this.checkLiveness(silence), Math.max(50, silence / 4));
      this.livenessTimer.unref();
    }
  }

  /** Queued messages, oldest first. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /**
   * Up to `max` queued messages, oldest first. Throws once the queue is empty and the stream
   * failed. A message that does not decode fails the stream: the messages before it are
   * returned, none after it.
   */
  take(max: number): WalMessage[] {
    const available = this.queue.length - this.head;
    if (available === 0) {
      if (this.failure) throw this.failure;
      return [];
    }
    const n = Math.min(max, available);
    const out: WalMessage[] = [];
    for (let i = this.head; i < this.head + n; i++) {
      const received = this.queue[i]!;
      let message: PgoutputMessage;
      try {
        message = decodePgoutput(received.data);
      } catch (err) {
        this.fail(err as Error);
        this.queue = [];
        this.head = 0;
        return out;
      }
      out.push({ lsn: received.lsn, message });
    }
    this.head += n;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.paused && this.queued < this.o.maxQueue / 2) {
      this.paused = false;
      // the server could not be heard while the socket was not read
      this.lastMessageAt = Date.now();
      this.connection?.stream.resume();
    }
    return out;
  }

  /** Resolves when a message is queued, the stream fails, `timeoutMs` passes or `signal` aborts. */
  waitForData(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.queued > 0 || this.failure || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.waiter === done) this.waiter = null;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.waiter = done;
    });
  }

  /**
   * The slot may release WAL up to `lsn`: everything before it is durable downstream. Positions
   * only move forward; the update goes out within ACK_COALESCE_MS.
   */
  acknowledge(lsn: Lsn): void {
    if (lsn <= this.acknowledged) return;
    this.acknowledged = lsn;
    if (this.ackTimer || this.closed) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.sendStatus(false);
    }, ACK_COALESCE_MS);
    this.ackTimer.unref();
  }

  /** Asks the server for a keepalive (which brings its current WAL end). */
  requestKeepalive(): void {
    this.sendStatus(true);
  }

  get error(): Error | null {
    return this.failure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // the last acknowledged position goes out before the connection does
    if (this.ackTimer) {
      clearTimeout(this.ackTimer);
      this.ackTimer = null;
      this.sendStatus(false);
    }
    this.closed = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    this.stopLiveness();
    this.ended = true;
    this.waiter?.();
  }

  private onCopyData(chunk: Buffer): void {
    // after a failure nothing more is taken: what follows a message that did not decode is dropped
    if (this.closed || this.failure) return;
    this.lastMessageAt = Date.now();
    this.pinged = false;
    const kind = chunk[0];
    if (kind === 0x77 /* w: XLogData */) {
      // w Int64 dataStart, Int64 walEnd, Int64 sendTime, then the pgoutput message
      const lsn = chunk.readBigUInt64BE(1);
      this.lastReceived = lsn;
      this.serverWalEnd = maxLsn(this.serverWalEnd, lsn);
      // a copy: pg reads the socket into a buffer it reuses, which `chunk` is a view of
      this.queue.push({ lsn, data: Buffer.from(chunk.subarray(25)) });
      if (!this.paused && this.queued >= this.o.maxQueue) {
        this.paused = true;
        this.connection?.stream.pause();
      }
      this.wake();
    } else if (kind === 0x6b /* k: keepalive */) {
      // k Int64 walEnd, Int64 sendTime, Byte1 replyRequested
      this.serverWalEnd = maxLsn(this.serverWalEnd, chunk.readBigUInt64BE(1));
      if (chunk[17] === 1) this.sendStatus(false);
      this.wake();
    }
  }

  /** Asks for a keepalive after half the silence allowed, and fails the stream after all of it. */
  private checkLiveness(silenceTimeoutMs: number): void {
    if (this.paused || this.closed || this.failure) return;
    const silent = Date.now() - this.lastMessageAt;
    if (silent >= silenceTimeoutMs) {
      this.fail(
        new RetriableError(
          `replication stream of slot ${this.o.slot}: no message from the server in ${silent} ms (replication.timeout.ms is ${silenceTimeoutMs}); the connection is taken as lost`,
        ),
      );
    } else if (silent >= silenceTimeoutMs / 2 && !this.pinged) {
      this.pinged = true;
      this.sendStatus(true);
    }
  }

  private stopLiveness(): void {
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = null;
  }

  /**
   * Standby status update: r Int64 written, Int64 flushed, Int64 applied, Int64 clock (us since
   * 2000-01-01), Byte1 replyRequested. Flushed is what moves the slot (confirmed_flush_lsn).
   */
  private sendStatus(replyRequested: boolean): void {
    const connection = this.connection;
    if (!connection || this.closed || this.failure) return;
    const buf = Buffer.alloc(34);
    buf[0] = 0x72;
    buf.writeBigUInt64BE(maxLsn(this.lastReceived, this.acknowledged), 1);
    buf.writeBigUInt64BE(this.acknowledged, 9);
    buf.writeBigUInt64BE(this.acknowledged, 17);
    buf.writeBigInt64BE(BigInt(Date.now() - PG_EPOCH_MS) * 1000n, 25);
    buf[33] = replyRequested ? 1 : 0;
    try {
      connection.sendCopyFromChunk(buf);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /**
   * Records the first failure: retriable (a RetriableError) for connection trouble and a server
   * that ended the stream, a ConnectError for the rest (a missing publication, a protocol error).
   */
  private fail(err: Error): void {
    if (this.failure || this.ended) return;
    this.stopLiveness();
    const what = `replication stream of slot ${this.o.slot}`;
    this.failure =
      err instanceof ConnectError
        ? err
        : /ended the replication stream|replication connection closed/.test(err.message)
          ? new RetriableError(`${what}: ${err.message}`, { cause: err })
          : toConnectError(err, what);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
