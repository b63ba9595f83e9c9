import type { Logger } from '../../logger.js';
import { deletesByRetention, isCompacted } from '../../topics/topic-config.js';
import { LogCompactor } from './log-compactor.js';
import type { PartitionLog } from './partition-log.js';

export interface LogCleanerOptions {
  partitions: () => readonly PartitionLog[];
  logger: Logger;
  /** 0: never on a timer, only runOnce(). */
  intervalMs: number;
  now?: () => number;
}

/** The background pass that applies retention (cleanup.policy delete) and compaction (compact). */
export class LogCleaner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly compactor: LogCompactor;
  private readonly now: () => number;

  constructor(private readonly options: LogCleanerOptions) {
    this.compactor = new LogCompactor(options.logger);
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.timer.unref();
  }

  /** One pass over every partition; a pass already running is joined, not doubled. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    for (const partition of this.options.partitions()) {
      try {
        const now = this.now();
        if (deletesByRetention(partition.config)) await partition.applyRetention(now);
        if (isCompacted(partition.config)) await this.compactor.maybeCompact(partition, now);
      } catch (err) {
        // a partition closed or deleted mid-pass, or a damaged segment: log it, clean the rest
        this.options.logger.warn(
          { err, topic: partition.topic, partition: partition.partition },
          `log cleaner skipped ${partition.topic}-${partition.partition}: ${(err as Error).message}`,
        );
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
