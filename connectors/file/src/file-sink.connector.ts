import {
  ConnectError,
  DataError,
  parseConfig,
  sinkConsumes,
  type ConfigClass,
  type ConfigValidationResult,
  type ConnectorContext,
  type SinkConnector,
  type SinkOffsetChange,
  type SinkTask,
  type TopicPartition,
} from '@sluice/connect-api';
import { checkPaths } from './confined-paths.js';
import { ownedByOther, removeSinkClaims, sinkClaimsIn } from './sink-claim.js';
import { alterSinkStates, releaseLegacySinkStates, sinkStatesIn } from './sink-state.js';
import { FileSinkConfig, isSinkFormat, type SinkFormat } from './file-sink.config.js';
import { FileSinkTask } from './file-sink.task.js';
import { VERSION } from './version.js';

/**
 * Writes topics into files, one per topic-partition (see FileSinkTask). Every task gets the same
 * config; the consumer group spreads the partitions, and as each partition has its own files and
 * state, tasks never share a file.
 */
export class FileSinkConnector implements SinkConnector {
  readonly kind = 'sink';
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return VERSION;
  }

  configClass(): ConfigClass {
    return FileSinkConfig;
  }

  async validate(config: Readonly<Record<string, string>>): Promise<ConfigValidationResult> {
    // checked even when other settings are wrong: every problem is reported at once
    const path = config['path'];
    if (!path) return { errors: [] };
    const { errors, realPaths } = await checkPaths(config, [{ field: 'path', value: path }]);
    const dir = realPaths.get('path');
    if (dir !== undefined) errors.push(...(await this.takenPartitions(dir, config)));
    return { errors };
  }

  /** Partitions of this sink's topics whose files in `dir` are another connector's. */
  private async takenPartitions(
    dir: string,
    config: Readonly<Record<string, string>>,
  ): Promise<ConfigValidationResult['errors']> {
    const format = config['format'] ?? 'jsonl';
    const name = config['name'];
    if (!name || !isSinkFormat(format)) return [];
    const consumes = sinkConsumes(config);
    const taken = (await ownersIn(dir, format)).filter(
      ({ tp, owner }) => owner !== name && consumes(tp.topic),
    );
    return taken.map(({ path, owner, legacy }) => ({
      field: 'path',
      messages: [`path: ${ownedByOther(path, owner, name, legacy)}`],
    }));
  }

  /** Tasks that died leave claims (see sink-claim.ts): nothing else would ever remove them. */
  async onDelete(config: Readonly<Record<string, string>>): Promise<void> {
    const output = await outputOf(config);
    const name = config['name'];
    if (!output.ok || !name) return;
    await removeSinkClaims(output.dir, output.format, name);
    await releaseLegacySinkStates(output.dir, output.format, name);
  }

  async start(config: Readonly<Record<string, string>>, _context: ConnectorContext): Promise<void> {
    const output = await outputOf(config);
    if (!output.ok) throw new ConnectError(output.problem);
    this.config = { ...config };
  }

  /** New offsets go into the state files too, which a task's open() would otherwise resume from. */
  async alterOffsets(
    config: Readonly<Record<string, string>>,
    offsets: readonly SinkOffsetChange[],
  ): Promise<boolean> {
    const output = await outputOf(config);
    if (!output.ok) throw new DataError(output.problem);
    return alterSinkStates(
      output.dir,
      output.format,
      config['name'],
      offsets.map((o) => ({ tp: { topic: o.topic, partition: o.partition }, offset: o.offset })),
    );
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: Math.max(1, Math.floor(maxTasks)) }, () => ({ ...this.config }));
  }

  stop(): void {}

  createTask(): SinkTask {
    return new FileSinkTask();
  }
}

/** The output folder (real path, inside the file roots) and format of a config, or what is wrong. */
async function outputOf(
  config: Readonly<Record<string, string>>,
): Promise<{ ok: true; dir: string; format: SinkFormat } | { ok: false; problem: string }> {
  const parsed = parseConfig(FileSinkConfig, config);
  if (!parsed.ok)
    return {
      ok: false,
      problem: `invalid file sink config: ${parsed.errors.flatMap((e) => e.messages).join('; ')}`,
    };
  const { path, format } = parsed.config;
  const { errors, realPaths } = await checkPaths(config, [{ field: 'path', value: path }]);
  if (errors.length > 0) return { ok: false, problem: errors.flatMap((e) => e.messages).join('; ') };
  return { ok: true, dir: realPaths.get('path')!, format };
}

/**
 * Who holds each claimed topic-partition's files in `dir`: the claim files, and where a partition
 * has none, the legacy claims in state files (SinkState.connector).
 */
async function ownersIn(
  dir: string,
  format: SinkFormat,
): Promise<{ path: string; tp: TopicPartition; owner: string; legacy: boolean }[]> {
  const claims = (await sinkClaimsIn(dir, format)).map(({ path, tp, claim }) => ({
    path,
    tp,
    owner: claim.connector,
    legacy: false,
  }));
  const claimed = new Set(claims.map(({ tp }) => `${tp.topic}\u0000${tp.partition}`));
  const legacy = (await sinkStatesIn(dir, format)).flatMap(({ path, tp, state }) =>
    state.connector && !claimed.has(`${tp.topic}\u0000${tp.partition}`)
      ? [{ path, tp, owner: state.connector, legacy: true }]
      : [],
  );
  return [...claims, ...legacy];
}
