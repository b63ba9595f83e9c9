import type { ConnectRecord, Predicate } from '@sluice/connect-api';
import { parsePluginConfig } from '../transforms/config-exception.js';

export class RecordIsTombstoneConfig {}

/** True for tombstones: records whose value is null (a delete, in a compacted topic). */
export class RecordIsTombstone<R extends ConnectRecord = ConnectRecord> implements Predicate<R> {
  configClass(): typeof RecordIsTombstoneConfig {
    return RecordIsTombstoneConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    parsePluginConfig('RecordIsTombstone', RecordIsTombstoneConfig, config);
  }

  test(record: R): boolean {
    return record.value === null || record.value === undefined;
  }
}
