import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LogError } from '../../errors.js';
import { defaultLogger, type Logger } from '../../logger.js';
import { parseTopicConfig, type TopicConfig } from '../../topics/topic-config.js';
import { isInternalTopic, validatePartitionCount, validateTopicName } from '../../topics/topic-name.js';
import type {
  AppendResult,
  FetchRequest,
  FetchResult,
  LogStorage,
  TopicDescription,
} from '../log-storage.js';
import { DEFAULT_DURABILITY, type DurabilityPolicy } from './durability-policy.js';
import { fsyncDir, writeFileAtomic } from './fs-io.js';
import { LogCleaner } from './log-cleaner.js';
import { LogDirLock } from './log-dir-lock.js';
import { PartitionLog } from './partition-log.js';
import { SerialExecutor } from './serial-executor.js';
import { isUnfinishedTopic } from './unfinished-topic.js';

export interface FileLogStorageOptions {
  /** Directory holding every topic; created when missing. */
  dir: string;
  durability?: DurabilityPolicy;
  logger?: Logger;
  /** How often the background cleaner applies retention and compaction; 0 turns it off. */
  cleanerIntervalMs?: number;
  /** The cleaner's clock (retention and delete horizons); Date.now unless a test moves time. */
  cleanerClock?: () => number;
}

interface TopicMeta {
  name: string;
  /** Kafka's topic ID (KIP-516): tells this topic from an earlier one of the same name. */
  id: string;
  partitions: number;
  config: TopicConfig;
  createdAt: number;
}

/** A topic ID as Kafka shows them: 16 random bytes, base64url. */
function newTopicId(): string {
  return randomBytes(16).toString('base64url');
}

interface TopicState {
  meta: TopicMeta;
  partitions: PartitionLog[];
}

const META_FILE = 'topic.json';
const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
const DELETED_PREFIX = '.deleted-';

/*
 * Layout:
 *   <dir>/.lock                 owner pid
 *   <dir>/.clean-shutdown       present only while closed cleanly; absent means recover on open
 *   <dir>/<topic>/topic.json    partitions and config; written last, so it marks a complete topic
 *   <dir>/<topic>/<partition>/<base offset>.log|.index|.timeindex
 */

/** The embedded backend: topics as directories of segment files on local disk. */
export class FileLogStorage implements LogStorage {
  private readonly topics = new Map<string, TopicState>();
  private readonly admin = new SerialExecutor();
  private readonly logger: Logger;
  private readonly durability: DurabilityPolicy;
  private lock: LogDirLock | null = null;
  private cleaner: LogCleaner | null = null;
  private opened = false;

  constructor(private readonly options: FileLogStorageOptions) {
    this.logger = options.logger ?? defaultLogger();
    this.durability = options.durability ?? DEFAULT_DURABILITY;
  }

  get dir(): string {
    return this.options.dir;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    await fs.promises.mkdir(this.dir, { recursive: true });
    this.lock = LogDirLock.acquire(this.dir);
    try {
      const marker = path.join(this.dir, CLEAN_SHUTDOWN_FILE);
      const clean = fs.existsSync(marker);
      if (clean) {
        fs.rmSync(marker);
        await fsyncDir(this.dir);
      }
      const entries = await fs.promises.readdir(this.dir, { withFileTypes: true });
      if (!clean && entries.some((e) => e.isDirectory())) {
        this.logger.info(
          { dir: this.dir },
          'log directory was not closed cleanly: checking the last segment of every partition',
        );
      }
      for (const entry of entries) {
        if (!entry.isDirectory()) continue;
        const topicDir = path.join(this.dir, entry.name);
        if (entry.name.startsWith(DELETED_PREFIX)) {
          await fs.promises.rm(topicDir, { recursive: true, force: true });
          continue;
        }
        const meta = await this.readMeta(topicDir);
        if (!meta) {
          if (await isUnfinishedTopic(topicDir)) {
            this.logger.warn(
              { path: topicDir },
              `removing ${topicDir}: a topic whose creation did not finish`,
            );
            await fs.promises.rm(topicDir, { recursive: true, force: true });
          } else {
            this.logger.warn(
              { path: topicDir },
              `ignoring ${topicDir}: not a topic (no ${META_FILE}); log.dir should hold the log's topics only`,
            );
          }
          continue;
        }
        if (!meta.id) {
          // written before topics had IDs: given one now, kept from here on
          meta.id = newTopicId();
          await writeFileAtomic(path.join(topicDir, META_FILE), JSON.stringify(meta, null, 2));
        }
        await this.openTopic(meta, !clean);
      }
    } catch (err) {
      await this.closePartitions();
      this.lock.release();
      this.lock = null;
      throw err;
    }
    this.opened = true;
    this.cleaner = new LogCleaner({
      partitions: () => this.allPartitions(),
      logger: this.logger,
      intervalMs: this.options.cleanerIntervalMs ?? 30_000,
      now: this.options.cleanerClock,
    });
    this.cleaner.start();
  }

  private async readMeta(topicDir: string): Promise<TopicMeta | null> {
    try {
      const raw = JSON.parse(await fs.promises.readFile(path.join(topicDir, META_FILE), 'utf8')) as TopicMeta;
      return { ...raw, config: parseTopicConfig(raw.config as unknown as Record<string, unknown>) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new LogError(
        'STORAGE_ERROR',
        `cannot read ${path.join(topicDir, META_FILE)}: ${(err as Error).message}`,
        {
          path: topicDir,
        },
      );
    }
  }

  private async openTopic(meta: TopicMeta, recover: boolean): Promise<void> {
    const partitions: PartitionLog[] = [];
    const state: TopicState = { meta, partitions };
    try {
      for (let p = 0; p < meta.partitions; p++) {
        partitions.push(
          await PartitionLog.open({
            dir: path.join(this.dir, meta.name, String(p)),
            topic: meta.name,
            partition: p,
            config: meta.config,
            durability: this.durability,
            recover,
            logger: this.logger,
          }),
        );
      }
    } catch (err) {
      for (const p of partitions) await p.close();
      throw err;
    }
    this.topics.set(meta.name, state);
  }

  private allPartitions(): PartitionLog[] {
    const all: PartitionLog[] = [];
    for (const t of this.topics.values()) all.push(...t.partitions);
    return all;
  }

  private async closePartitions(): Promise<void> {
    for (const p of this.allPartitions()) await p.close();
    this.topics.clear();
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    await this.cleaner?.stop();
    await this.admin.idle();
    await this.closePartitions();
    await writeFileAtomic(path.join(this.dir, CLEAN_SHUTDOWN_FILE), String(Date.now()));
    await fsyncDir(this.dir);
    this.lock?.release();
    this.lock = null;
  }

  private assertOpen(): void {
    if (!this.opened) throw new LogError('CLOSED', `log storage at ${this.dir} is not open`);
  }

  async createTopic(name: string, partitions: number, config: TopicConfig): Promise<void> {
    validateTopicName(name);
    validatePartitionCount(partitions);
    await this.admin.run(async () => {
      this.assertOpen();
      if (this.topics.has(name)) {
        throw new LogError('TOPIC_ALREADY_EXISTS', `topic ${name} already exists`, {
          topic: name,
          field: 'topic',
        });
      }
      const topicDir = path.join(this.dir, name);
      if (fs.existsSync(topicDir)) {
        if (!(await isUnfinishedTopic(topicDir))) {
          throw new LogError(
            'INVALID_TOPIC',
            `cannot create topic ${name}: ${topicDir} exists and is not a topic; move it out of the log directory`,
            { topic: name, field: 'topic' },
          );
        }
        await fs.promises.rm(topicDir, { recursive: true, force: true });
      }
      await fs.promises.mkdir(topicDir, { recursive: true });
      const meta: TopicMeta = { name, id: newTopicId(), partitions, config, createdAt: Date.now() };
      await this.openTopic(meta, false);
      await writeFileAtomic(path.join(topicDir, META_FILE), JSON.stringify(meta, null, 2));
      // the partitions' directories and topic.json's rename live in the topic's directory: without
      // its fsync a power loss could leave a topic that looks unfinished, dropped at the next open
      await fsyncDir(topicDir);
      await fsyncDir(this.dir);
    });
  }

  deleteTopic(name: string): Promise<void> {
    return this.admin.run(async () => {
      this.assertOpen();
      const state = this.requireTopic(name);
      this.topics.delete(name);
      for (const p of state.partitions) await p.close();
      // rename first so the name is free at once; the files go in the background
      const doomed = path.join(this.dir, `${DELETED_PREFIX}${name}-${Date.now()}`);
      await fs.promises.rename(path.join(this.dir, name), doomed);
      await fsyncDir(this.dir);
      void fs.promises.rm(doomed, { recursive: true, force: true }).catch((err: unknown) => {
        this.logger.warn({ err, path: doomed }, `could not remove deleted topic files at ${doomed}`);
      });
    });
  }

  async listTopics(): Promise<string[]> {
    this.assertOpen();
    return [...this.topics.keys()].sort();
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    this.assertOpen();
    const state = this.requireTopic(name);
    return {
      name,
      topicId: state.meta.id,
      internal: isInternalTopic(name),
      config: { ...state.meta.config },
      partitions: state.partitions.map((p) => p.describe()),
    };
  }

  alterTopicConfig(name: string, config: TopicConfig): Promise<void> {
    return this.admin.run(async () => {
      this.assertOpen();
      const state = this.requireTopic(name);
      const meta = { ...state.meta, config };
      await writeFileAtomic(path.join(this.dir, name, META_FILE), JSON.stringify(meta, null, 2));
      state.meta = meta;
      for (const p of state.partitions) p.config = config;
    });
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.partitions.length;
  }

  append(topic: string, partition: number, batch: Buffer): Promise<AppendResult> {
    try {
      return this.partition(topic, partition).append(batch);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async fetch(topic: string, partition: number, request: FetchRequest): Promise<FetchResult> {
    return this.partition(topic, partition).fetch(request);
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number | null> {
    return this.partition(topic, partition).offsetForTimestamp(timestamp);
  }

  async offsets(topic: string, partition: number): Promise<{ startOffset: number; endOffset: number }> {
    const log = this.partition(topic, partition);
    return { startOffset: log.logStartOffset, endOffset: log.endOffset };
  }

  async runCleaner(): Promise<void> {
    this.assertOpen();
    await this.cleaner!.runOnce();
  }

  private requireTopic(name: string): TopicState {
    const state = this.topics.get(name);
    if (!state)
      throw new LogError('UNKNOWN_TOPIC', `topic ${name} does not exist`, { topic: name, field: 'topic' });
    return state;
  }

  /** Synchronous on purpose: the producer's hot path. Throws LogErrors. */
  private partition(topic: string, partition: number): PartitionLog {
    if (!this.opened) throw new LogError('CLOSED', `log storage at ${this.dir} is not open`);
    const state = this.requireTopic(topic);
    const log = state.partitions[partition];
    if (!log) {
      throw new LogError(
        'UNKNOWN_PARTITION',
        `topic ${topic} has no partition ${partition}: it has partitions 0 to ${state.partitions.length - 1}`,
        { topic, partition, field: 'partition' },
      );
    }
    return log;
  }
}
