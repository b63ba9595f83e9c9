import 'reflect-metadata';
import { availableParallelism } from 'node:os';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

export class RestAuthConfig {
  /** none: only loopback listeners are allowed. bearer: Authorization: Bearer <token>. basic: users. */
  @IsIn(['none', 'bearer', 'basic'])
  type: 'none' | 'bearer' | 'basic' = 'none';

  /** At least 16 characters once ${env:...} or ${file:...} references are resolved (the worker checks). */
  @IsOptional()
  @IsString()
  token?: string;

  /** name: password (use ${env:...} or ${file:...} references rather than literal passwords) */
  @IsOptional()
  @IsObject()
  users?: Record<string, string>;
}

export class RestConfig {
  /** 127.0.0.1 unless auth is configured: the admin API must not be open to the network by default. */
  @IsString()
  @MinLength(1)
  host = '127.0.0.1';

  @IsInt()
  @Min(0)
  @Max(65535)
  port = 8083;

  @ValidateNested()
  @Type(() => RestAuthConfig)
  auth: RestAuthConfig = new RestAuthConfig();
}

export class LogConfig {
  @IsString()
  @MinLength(1)
  dir = './data/log';

  /** fsync: an append is acknowledged once fsynced (group commit). interval: fsync every flush.interval.ms. */
  @IsIn(['fsync', 'interval'])
  durability: 'fsync' | 'interval' = 'fsync';

  @IsInt()
  @Min(1)
  'flush.interval.ms' = 1000;
}

export class ConnectorsConfig {
  @IsString()
  @MinLength(1)
  dir = './config/connectors';
}

export class FilesConfig {
  /**
   * Where file connectors may read and write; none unless configured (the working directory could
   * be / for a service, and the REST API creates connectors).
   */
  @IsArray()
  @IsString({ each: true })
  roots: string[] = [];

  /**
   * Where connector configs' ${file:...} references may read besides the roots (Kafka's
   * FileConfigProvider allowed.paths): a connector made over REST reads no other file of the host.
   */
  @IsArray()
  @IsString({ each: true })
  secrets: string[] = [];
}

/**
 * The worker's converters, which connectors use unless they set their own: Kafka Connect's worker
 * settings, with their `key.converter.*` / `value.converter.*` options as dotted keys beside them.
 */
export class ConvertersConfig {
  @IsString()
  @MinLength(1)
  'key.converter' = 'org.apache.kafka.connect.json.JsonConverter';

  @IsString()
  @MinLength(1)
  'value.converter' = 'org.apache.kafka.connect.json.JsonConverter';

  [setting: string]: unknown;
}

export class TasksConfig {
  /**
   * Worker threads that run the tasks, so a worker uses every core; 0 runs them in the main
   * thread. Default: the number of cores, at most 4.
   */
  @IsInt()
  @Min(0)
  @Max(64)
  threads = Math.min(4, availableParallelism());

  /**
   * How long stopping a task may take before the worker logs it and moves on (Kafka Connect's
   * task.shutdown.graceful.timeout.ms), so that a task stuck in a call cannot hold up a shutdown.
   */
  @IsInt()
  @Min(0)
  'shutdown.graceful.timeout.ms' = 5000;
}

/** Kafka Connect's worker-level `producer.*` settings: what connectors use unless they override them. */
export class ProducerConfig {
  /**
   * Compression of the batches connectors write (`producer.override.compression.type` per
   * connector). lz4, where Kafka's producer has none: JSON with schemas repeats its schema in every
   * record: a Debezium event takes about 70 bytes instead of 2,100, and the log appends such
   * events several times faster (bench/log.bench.ts); small records cost the same either way.
   */
  @IsIn(['none', 'gzip', 'lz4', 'zstd'])
  'compression.type': 'none' | 'gzip' | 'lz4' | 'zstd' = 'lz4';
}

/** config/worker.yaml. Every key can be overridden by an environment variable (see worker-config-loader). */
export class WorkerConfig {
  @IsIn(['standalone'])
  mode = 'standalone' as const;

  @ValidateNested()
  @Type(() => RestConfig)
  rest: RestConfig = new RestConfig();

  @ValidateNested()
  @Type(() => LogConfig)
  log: LogConfig = new LogConfig();

  @ValidateNested()
  @Type(() => ConnectorsConfig)
  connectors: ConnectorsConfig = new ConnectorsConfig();

  @ValidateNested()
  @Type(() => FilesConfig)
  files: FilesConfig = new FilesConfig();

  @ValidateNested()
  @Type(() => ConvertersConfig)
  converters: ConvertersConfig = new ConvertersConfig();

  @ValidateNested()
  @Type(() => TasksConfig)
  tasks: TasksConfig = new TasksConfig();

  @ValidateNested()
  @Type(() => ProducerConfig)
  producer: ProducerConfig = new ProducerConfig();

  @IsOptional()
  @IsString()
  name?: string;
}
