import {
  ConfigField,
  DataError,
  withRecord,
  type ConnectRecord,
  type Transformation,
} from '@sluice/connect-api';
import { IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { IsDateFormatPattern } from './config-validators.js';
import { DateFormat } from './date-format.js';

export class TimestampRouterConfig {
  @ConfigField({
    doc: 'Topic name to route to; ${topic} is the original topic and ${timestamp} the formatted record timestamp.',
  })
  @IsString()
  'topic.format' = '${topic}-${timestamp}';

  @ConfigField({ doc: 'SimpleDateFormat pattern (in UTC) for ${timestamp}.' })
  @IsString()
  @IsDateFormatPattern()
  'timestamp.format' = 'yyyyMMdd';
}

/**
 * Routes a record to a topic named after its original topic and its timestamp, e.g. a daily
 * `orders-20240305`, typically so a sink writes one table or index per period. A record without
 * a timestamp cannot be routed and is a DataError.
 */
export class TimestampRouter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private topicFormat: string | null = null;
  private timestampFormat = new DateFormat('yyyyMMdd');

  configClass(): typeof TimestampRouterConfig {
    return TimestampRouterConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    const c = parsePluginConfig('TimestampRouter', TimestampRouterConfig, config);
    this.topicFormat = c['topic.format'];
    this.timestampFormat = new DateFormat(c['timestamp.format']);
  }

  apply(record: R): R | null {
    if (this.topicFormat === null) throw notConfigured('TimestampRouter');
    if (record.timestamp === null)
      throw new DataError(
        `Timestamp missing on record from topic ${record.topic}: cannot route by timestamp`,
      );
    const timestamp = this.timestampFormat.format(new Date(record.timestamp));
    const topic = this.topicFormat.replaceAll('${topic}', record.topic).replaceAll('${timestamp}', timestamp);
    return withRecord(record, { topic });
  }
}
