import { DataError } from '@sluice/connect-api';
import { runCopyScript } from './copy-script.js';
import { pgErrorKind } from './pg-error-kind.js';
import { encodeCopyRows } from './copy-rows.js';
import type { InsertMode } from './postgres-sink.config.js';
import type { RowChange } from './row-change.js';
import type { SinkOffsetsStore, WrittenOffset } from './sink-offsets-store.js';
import type { SinkSession, StageTable } from './sink-session.js';
import { copyIntoStageSql, copyIntoTableSql, mergeSql, truncateSql } from './sink-statements.js';
import { quoteTable } from './sql-identifier.js';
import type { TableCatalog } from './table-catalog.js';
import { planBatch, type PlanStep } from './write-plan.js';

export interface WriteFailure {
  change: RowChange;
  error: Error;
}

/** Called with the records that could not be written, inside the transaction, before COMMIT. */
export type FailureReporter = (failures: readonly WriteFailure[]) => Promise<void>;

type PreparedStep =
  | { kind: 'sql'; sql: string }
  | { kind: 'copy'; copySql: string; payload: Buffer; stage: StageTable | null; statements: string[] };

export interface BatchWriterOptions {
  mode: InsertMode;
  catalog: TableCatalog;
  /** exactly.once: where the consumed offsets go, in the same transaction. */
  offsets: SinkOffsetsStore | null;
}

/**
 * Writes one batch of changes in one transaction (see write-plan.ts for how changes fold into
 * statements and sink-statements.ts for the statements). When the batch fails on its data (a
 * constraint, a value Postgres refuses), it is written again change by change, each under a
 * savepoint, so the bad records are found and reported while the rest commit. Transient and fatal
 * errors are thrown as they are: the caller reconnects and retries, or fails.
 */
export class BatchWriter {
  constructor(private readonly o: BatchWriterOptions) {}

  async write(
    session: SinkSession,
    changes: readonly RowChange[],
    offsets: readonly WrittenOffset[],
    report: FailureReporter,
  ): Promise<void> {
    try {
      const script = this.script(await this.prepare(session, planBatch(changes, this.o.mode)));
      const store = this.o.offsets;
      await this.atomically(session, async () => {
        if (!store) {
          await runCopyScript(session.client, ['BEGIN', ...script.statements, 'COMMIT'], script.payloads);
          return;
        }
        // the offsets are parameters: a statement of their own, in the same transaction
        await runCopyScript(session.client, ['BEGIN', ...script.statements], script.payloads);
        await store.write(session.client, session.currentSchema, offsets);
        await session.client.query('COMMIT');
      });
      return;
    } catch (err) {
      if (pgErrorKind(err) !== 'data') throw err;
      this.o.catalog.invalidate();
    }
    await this.rowByRow(session, changes, offsets, report);
  }

  private async rowByRow(
    session: SinkSession,
    changes: readonly RowChange[],
    offsets: readonly WrittenOffset[],
    report: FailureReporter,
  ): Promise<void> {
    const failures: WriteFailure[] = [];
    const items: { change: RowChange; steps: PreparedStep[] }[] = [];
    for (const change of changes) {
      if (change.kind === 'skip') continue;
      try {
        items.push({ change, steps: await this.prepare(session, planBatch([change], this.o.mode)) });
      } catch (err) {
        if (pgErrorKind(err) !== 'data') throw err;
        failures.push({ change, error: err as Error });
      }
    }
    const client = session.client;
    await this.atomically(session, async () => {
      await client.query('BEGIN');
      // a deferred constraint would only fail at COMMIT, past every row's savepoint
      await client.query('SET CONSTRAINTS ALL IMMEDIATE');
      for (const { change, steps } of items) {
        const script = this.script(steps);
        try {
          await runCopyScript(
            client,
            ['SAVEPOINT sluice_row', ...script.statements, 'RELEASE SAVEPOINT sluice_row'],
            script.payloads,
          );
        } catch (err) {
          if (pgErrorKind(err) !== 'data') throw err;
          await client.query('ROLLBACK TO SAVEPOINT sluice_row');
          failures.push({ change, error: err as Error });
        }
      }
      await this.o.offsets?.write(client, session.currentSchema, offsets);
      // before COMMIT: with errors.tolerance=none the report throws and nothing of the batch lands
      if (failures.length > 0) await report(failures);
      await client.query('COMMIT');
    });
  }

  /** Runs `body`, which opens and ends a transaction; rolls back if it throws. */
  private async atomically(session: SinkSession, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      try {
        // outside a transaction (the COMMIT itself failed) this only warns
        await session.client.query('ROLLBACK');
      } catch (rollbackError) {
        session.markBroken(rollbackError as Error);
      }
      throw err;
    } finally {
      session.stagesEmptied();
    }
  }

  /** DDL and staging tables (autocommit), and the COPY payloads: everything before BEGIN. */
  private async prepare(session: SinkSession, steps: readonly PlanStep[]): Promise<PreparedStep[]> {
    const out: PreparedStep[] = [];
    for (const step of steps) {
      const table = quoteTable({
        schema: step.table.schema ?? session.currentSchema,
        table: step.table.table,
      });
      if (step.kind === 'truncate') {
        // a source table truncated before any of its rows reached the sink: nothing to empty
        if (await this.o.catalog.exists(session.client, session.currentSchema, step.table))
          out.push({ kind: 'sql', sql: truncateSql(table) });
        continue;
      }
      const { shape, rows } = step;
      if (shape.names.length === 0) throw new DataError('the record has no fields to write');
      const info = await this.o.catalog.ensure(
        session.client,
        session.currentSchema,
        step.table,
        shape,
        rows,
        step.writes > 0,
      );
      if (!info) continue;
      const columns = shape.names.map((n) => info.columns.get(n)!);
      const codecs = columns.map((c) => c.codec);
      if (this.o.mode === 'insert' && step.deletes === 0) {
        // nothing to fold or delete: straight into the table, the fastest path there is
        out.push({
          kind: 'copy',
          copySql: copyIntoTableSql(table, shape.names),
          payload: encodeCopyRows(rows, shape, codecs, false),
          stage: null,
          statements: [],
        });
        continue;
      }
      const stage = await session.stage(columns.map((c) => c.type));
      out.push({
        kind: 'copy',
        copySql: copyIntoStageSql(stage.sql),
        payload: encodeCopyRows(rows, shape, codecs, true),
        stage,
        statements: mergeSql(this.o.mode, {
          table,
          stage: stage.sql,
          names: shape.names,
          keyCount: shape.keyCount,
          deletes: step.deletes > 0,
          writes: step.writes > 0,
        }),
      });
    }
    return out;
  }

  /** The steps' statements and COPY payloads, in order; a staging table is emptied before reuse. */
  private script(steps: readonly PreparedStep[]): { statements: string[]; payloads: Buffer[] } {
    const statements: string[] = [];
    const payloads: Buffer[] = [];
    for (const step of steps) {
      if (step.kind === 'sql') {
        statements.push(step.sql);
        continue;
      }
      if (step.stage) {
        if (step.stage.dirty) statements.push(`DELETE FROM ${step.stage.sql}`);
        step.stage.dirty = true;
      }
      statements.push(step.copySql, ...step.statements);
      payloads.push(step.payload);
    }
    return { statements, payloads };
  }
}
