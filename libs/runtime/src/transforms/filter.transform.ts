import type { ConnectRecord, Transformation } from '@sluice/connect-api';
import { parsePluginConfig } from './config-exception.js';

/** Filter has no settings of its own: what it drops is chosen by its predicate. */
export class FilterConfig {}

/**
 * Drops every record it is applied to. Useful only with a predicate
 * (`transforms.<alias>.predicate`), e.g. with RecordIsTombstone to drop deletes, or negated
 * TopicNameMatches to keep only some topics.
 */
export class Filter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  configClass(): typeof FilterConfig {
    return FilterConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    parsePluginConfig('Filter', FilterConfig, config);
  }

  apply(_record: R): R | null {
    return null;
  }
}
