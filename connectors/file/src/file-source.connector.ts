import {
  ConnectError,
  parseConfig,
  type ConfigClass,
  type ConfigValidationResult,
  type ConnectorContext,
  type SourceConnector,
  type SourceOffsetChange,
  type SourceTask,
} from '@sluice/connect-api';
import { checkPaths, type PathSetting } from './confined-paths.js';
import { checkFileOffsets } from './file-offset-check.js';
import { FileSourceConfig } from './file-source.config.js';
import { FileSourceTask } from './file-source.task.js';
import { compileGlob } from './glob-matcher.js';
import { realPathOf } from './path-confinement.js';
import { VERSION } from './version.js';

/**
 * Reads lines from the files of a directory (see FileSourceTask). The work is divided by file:
 * with tasks.max = n there are n tasks, each watching the whole directory and reading the files
 * whose identity (device, inode) hashes to its index. A task's share therefore never changes
 * while the file lives, renames included, and no coordination between tasks is needed.
 */
export class FileSourceConnector implements SourceConnector {
  readonly kind = 'source';
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return VERSION;
  }

  configClass(): ConfigClass {
    return FileSourceConfig;
  }

  async validate(config: Readonly<Record<string, string>>): Promise<ConfigValidationResult> {
    const parsed = parseConfig(FileSourceConfig, config);
    if (parsed.ok) return { errors: await pathErrors(parsed.config, config) };
    // Field-level problems are reported by the config class itself; the paths are still checked,
    // so that every problem is reported at once.
    return { errors: (await checkPaths(config, pathSettings(config))).errors };
  }

  async start(config: Readonly<Record<string, string>>, _context: ConnectorContext): Promise<void> {
    const parsed = parseConfig(FileSourceConfig, config);
    if (!parsed.ok) {
      throw new ConnectError(
        `invalid file source config: ${parsed.errors.flatMap((e) => e.messages).join('; ')}`,
      );
    }
    const errors = await pathErrors(parsed.config, config);
    if (errors.length > 0) throw new ConnectError(errors.flatMap((e) => e.messages).join('; '));
    this.config = { ...config };
  }

  /**
   * Offsets stay the runtime's; this refuses ones no task could resume from, and confirms the
   * others (true), as Kafka Connect's FileStreamSource does.
   */
  async alterOffsets(
    config: Readonly<Record<string, string>>,
    offsets: readonly SourceOffsetChange[],
  ): Promise<boolean> {
    await checkFileOffsets(config, offsets);
    return true;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    const count = Math.max(1, Math.floor(maxTasks));
    return Array.from({ length: count }, (_, index) => ({
      ...this.config,
      'task.index': String(index),
      'task.count': String(count),
    }));
  }

  stop(): void {}

  createTask(): SourceTask {
    return new FileSourceTask();
  }
}

/** The settings that name paths, as given (finished.path only when set). */
function pathSettings(raw: Readonly<Record<string, string>>): PathSetting[] {
  const settings: PathSetting[] = [];
  for (const field of ['path', 'finished.path']) {
    const value = raw[field];
    if (value) settings.push({ field, value });
  }
  return settings;
}

async function pathErrors(
  config: FileSourceConfig,
  raw: Readonly<Record<string, string>>,
): Promise<ConfigValidationResult['errors']> {
  const finished = config['finished.path'];
  const { errors, realPaths } = await checkPaths(raw, pathSettings(raw));
  try {
    compileGlob(config.glob);
  } catch (err) {
    errors.push({
      field: 'glob',
      messages: [`glob: ${config.glob} is not a valid glob: ${(err as Error).message}`],
    });
  }
  const path = realPaths.get('path');
  if (path !== undefined && finished !== '' && realPaths.has('finished.path')) {
    if ((await realPathOf(finished)) === path) {
      errors.push({
        field: 'finished.path',
        messages: ['finished.path: must differ from path (finished files would be read again)'],
      });
    }
  }
  return errors;
}
