import { ConfigField } from '@sluice/connect-api';
import { IsIn, IsInt, IsString, Min, MinLength } from 'class-validator';

export const SINK_FORMATS = ['jsonl', 'csv', 'text'] as const;
export type SinkFormat = (typeof SINK_FORMATS)[number];

export function isSinkFormat(format: string): format is SinkFormat {
  return (SINK_FORMATS as readonly string[]).includes(format);
}

export class FileSinkConfig {
  @ConfigField({
    doc: 'Directory to write into (inside the worker file roots; created if missing). One file per topic-partition: <topic>-<partition>.<format>.',
    required: true,
    group: 'Files',
  })
  @IsString()
  @MinLength(1)
  path = '';

  @ConfigField({
    doc: 'jsonl: each value as one JSON line; csv: object values as rows under a header taken from the first record; text: string values as lines (other values as JSON).',
    group: 'Files',
  })
  @IsIn(SINK_FORMATS)
  format: SinkFormat = 'jsonl';

  @ConfigField({
    doc: 'Roll the file of a topic-partition once it holds this many bytes (at the next commit, which reaching the size requests). 0: no size limit.',
    group: 'Rolling',
  })
  @IsInt()
  @Min(0)
  'roll.size.bytes' = 0;

  @ConfigField({
    doc: 'Roll the file of a topic-partition at the first commit this long after its first line was written. 0: no time limit.',
    group: 'Rolling',
  })
  @IsInt()
  @Min(0)
  'roll.interval.ms' = 0;
}
