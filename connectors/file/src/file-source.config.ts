import { ConfigField, IsTopicName } from '@sluice/connect-api';
import { IsBoolean, IsIn, IsInt, IsString, Max, Min, MinLength } from 'class-validator';

export const SOURCE_FORMATS = ['text', 'jsonl', 'csv'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

export class FileSourceConfig {
  @ConfigField({
    doc: 'Directory to watch (inside the worker file roots; symlinks resolved; created if missing). Relative paths are resolved against the worker directory.',
    required: true,
    group: 'Files',
  })
  @IsString()
  @MinLength(1)
  path = '';

  @ConfigField({
    doc: 'Which files under path to read, matched against their path relative to path: * and ? stay within a folder, ** spans folders, {a,b} alternatives, [abc] classes. Hidden files (leading dot) match only explicitly.',
    group: 'Files',
  })
  @IsString()
  @MinLength(1)
  glob = '*';

  @ConfigField({
    doc: 'Line format: text (each line a string), jsonl (each line a JSON value), csv (RFC 4180; the first row names the fields, values are strings).',
    group: 'Files',
  })
  @IsIn(SOURCE_FORMATS)
  format: SourceFormat = 'text';

  @ConfigField({ doc: 'Topic to write the records to.', required: true })
  @IsString()
  @MinLength(1)
  @IsTopicName()
  topic = '';

  @ConfigField({
    doc: 'jsonl and csv: the field whose value becomes the record key (null when absent). Empty: no key.',
  })
  @IsString()
  'key.field' = '';

  @ConfigField({
    doc: 'Header that carries the file path relative to path. Empty: no header.',
  })
  @IsString()
  'file.name.header' = 'file.name';

  @ConfigField({ doc: 'Most records returned by one poll.', importance: 'LOW' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  'batch.size' = 1000;

  @ConfigField({
    doc: 'Longest a poll waits for new lines before returning none; files are re-checked at least this often even without watch events.',
    importance: 'LOW',
  })
  @IsInt()
  @Min(1)
  @Max(60_000)
  'poll.interval.ms' = 1000;

  @ConfigField({
    doc: 'Longest accepted line (csv: record) in bytes; a longer one is skipped and reported as a data error. Bounds memory per file.',
    importance: 'LOW',
  })
  @IsInt()
  @Min(1024)
  @Max(256 * 1024 * 1024)
  'max.line.bytes' = 1024 * 1024;

  @ConfigField({
    doc: 'Directory to move files to once read completely (inside the worker file roots). Empty: files stay where they are.',
    group: 'Finished files',
  })
  @IsString()
  'finished.path' = '';

  @ConfigField({
    doc: 'A file counts as finished once read to its end and unchanged this long. Also how long a renamed-away or deleted file is kept open for late appends.',
    group: 'Finished files',
  })
  @IsInt()
  @Min(0)
  'finished.idle.ms' = 10_000;

  @ConfigField({
    doc: 'Also move the newest matching file (by modification time). Off by default, as a writer may still be appending to it.',
    group: 'Finished files',
  })
  @IsBoolean()
  'finished.include.newest' = false;
}

/** What taskConfigs() adds for each task: which share of the files it reads. */
export class FileSourceTaskConfig extends FileSourceConfig {
  @ConfigField({ doc: 'This task number (0-based), set by the connector.' })
  @IsInt()
  @Min(0)
  'task.index' = 0;

  @ConfigField({ doc: 'How many tasks share the files, set by the connector.' })
  @IsInt()
  @Min(1)
  'task.count' = 1;
}
