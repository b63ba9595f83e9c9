import type { ConfigClass } from './config-field.js';
import type { ConnectRecord } from './connect-record.js';

/**
 * A single message transform. Pure: apply() returns a new record, or null to drop it, and never
 * changes its input. configure() is called once with the transform's own settings (the
 * `transforms.<alias>.` prefix removed) before any apply().
 */
export interface Transformation<R extends ConnectRecord = ConnectRecord> {
  configClass(): ConfigClass;
  configure(config: Readonly<Record<string, unknown>>): void;
  apply(record: R): R | null;
  close?(): void;
}

/** A condition on records, to apply a transform only to some (`transforms.<alias>.predicate`). */
export interface Predicate<R extends ConnectRecord = ConnectRecord> {
  configClass(): ConfigClass;
  configure(config: Readonly<Record<string, unknown>>): void;
  test(record: R): boolean;
  close?(): void;
}
