import { afterAll, beforeAll } from '@jest/globals';
import type { SourceRecord } from '@sluice/connect-api';
import { PostgresServer } from '../../support/postgres-server.js';
import { OffsetStore, SourceTaskDriver } from './source-test-kit.js';

/**
 * What every source suite sets up alike: one throwaway server per test file (started before its
 * tests, stopped after them together with every driver the file started), numbered databases made
 * on it from a setup script, and drivers over them.
 */
export class SourceTestBed {
  private current: PostgresServer | null = null;
  private databases = 0;
  private readonly drivers: SourceTaskDriver[] = [];

  constructor(private readonly prefix: string) {
    beforeAll(async () => {
      this.current = await PostgresServer.start();
    }, 60_000);
    afterAll(async () => {
      for (const d of this.drivers) await d.stop().catch(() => undefined);
      await this.current?.stop();
    });
  }

  get server(): PostgresServer {
    if (!this.current) throw new Error('the test server starts in beforeAll');
    return this.current;
  }

  /** How many databases this file made so far. */
  get databaseCount(): number {
    return this.databases;
  }

  async database(setup: string): Promise<string> {
    const db = await this.server.createDatabase(`${this.prefix}_${++this.databases}`);
    await this.server.query(setup, [], db);
    return db;
  }

  sql(db: string, text: string): Promise<unknown> {
    return this.server.query(text, [], db);
  }

  /** Stops `driver` when the file ends; returns it. */
  track(driver: SourceTaskDriver): SourceTaskDriver {
    this.drivers.push(driver);
    return driver;
  }

  /** A started driver over `config`, stopped when the file ends. */
  start(
    config: Record<string, string>,
    offsets = new OffsetStore(),
    log: SourceRecord[] = [],
  ): Promise<SourceTaskDriver> {
    return this.track(new SourceTaskDriver(config, offsets, log)).start();
  }
}
