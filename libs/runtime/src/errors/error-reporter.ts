import type { LogRecord, Producer } from '@sluice/log';
import type { ConnectLogger } from '@sluice/connect-api';
import type { ErrorStage } from './error-stage.js';
import { isRuntimeHeader } from '../offsets/source-offset-header.js';

/** A record as read from the log, and where from. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  record: LogRecord;
}

export interface FailedRecordContext {
  stage: ErrorStage;
  error: Error;
  /** The record as read from the log (sinks), when there is one. */
  consumed?: ConsumedRecord;
  /** A description of the record for logs (sources). */
  describe?: () => string;
}

export interface ErrorReporterSettings {
  connector: string;
  taskId: number;
  logEnabled: boolean;
  logIncludeMessages: boolean;
  deadLetterTopic: string | null;
  contextHeaders: boolean;
}

const PREFIX = '__connect.errors.';

/**
 * What happens to a record that failed under errors.tolerance=all: a log line
 * (errors.log.enable) and, for sinks, a copy of the original bytes in the dead letter queue,
 * with Kafka Connect's __connect.errors.* headers when context headers are enabled.
 */
export class ErrorReporter {
  constructor(
    private readonly settings: ErrorReporterSettings,
    private readonly logger: ConnectLogger,
    private readonly producer: Producer | null,
    private readonly ensureTopic: (topic: string) => Promise<void>,
  ) {}

  /** Whether a failure's original bytes are used: a dead letter queue, or logs with the messages. */
  get usesOriginals(): boolean {
    return (
      (this.settings.deadLetterTopic !== null && this.producer !== null) ||
      (this.settings.logEnabled && this.settings.logIncludeMessages)
    );
  }

  async report(failure: FailedRecordContext): Promise<boolean> {
    const { stage, error, consumed } = failure;
    if (this.settings.logEnabled) {
      const where = consumed ? `${consumed.topic}-${consumed.partition}@${consumed.record.offset}` : '';
      const message = this.settings.logIncludeMessages
        ? consumed
          ? ` key=${consumed.record.key?.toString('utf8') ?? 'null'} value=${consumed.record.value?.toString('utf8') ?? 'null'}`
          : failure.describe
            ? ` ${failure.describe()}`
            : ''
        : '';
      this.logger.error(
        { err: error, stage, connector: this.settings.connector, task: this.settings.taskId },
        `Error encountered in task ${this.settings.connector}-${this.settings.taskId} at stage ${stage} ${where}${message}: ${error.message}`,
      );
    }
    const topic = this.settings.deadLetterTopic;
    if (!topic || !consumed || !this.producer) return false;
    await this.ensureTopic(topic);
    // the runtime's own bookkeeping (source offset marks) is not the record's: it does not follow it
    const headers: { key: string; value: Buffer | string | null }[] = consumed.record.headers.filter(
      (h) => !isRuntimeHeader(h.key),
    );
    if (this.settings.contextHeaders) {
      headers.push(
        { key: `${PREFIX}topic`, value: consumed.topic },
        { key: `${PREFIX}partition`, value: String(consumed.partition) },
        { key: `${PREFIX}offset`, value: String(consumed.record.offset) },
        { key: `${PREFIX}connector.name`, value: this.settings.connector },
        { key: `${PREFIX}task.id`, value: String(this.settings.taskId) },
        { key: `${PREFIX}stage`, value: stage },
        { key: `${PREFIX}class.name`, value: stageClass(stage) },
        { key: `${PREFIX}exception.class.name`, value: error.name },
        { key: `${PREFIX}exception.message`, value: error.message },
        { key: `${PREFIX}exception.stacktrace`, value: error.stack ?? error.message },
      );
    }
    await this.producer.send({
      topic,
      records: [
        {
          key: consumed.record.key,
          value: consumed.record.value,
          headers,
          timestamp: consumed.record.timestamp,
        },
      ],
    });
    return true;
  }
}

function stageClass(stage: ErrorStage): string {
  switch (stage) {
    case 'KEY_CONVERTER':
    case 'VALUE_CONVERTER':
    case 'HEADER_CONVERTER':
      return 'converter';
    case 'TRANSFORMATION':
      return 'transformation';
    default:
      return 'task';
  }
}
