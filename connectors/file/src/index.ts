import type { PluginDescriptor } from '@sluice/connect-api';
import { FileSinkConnector } from './file-sink.connector.js';
import { FileSourceConnector } from './file-source.connector.js';
import { VERSION } from './version.js';

export { FileSinkConnector } from './file-sink.connector.js';
export { FileSinkTask } from './file-sink.task.js';
export { FileSinkConfig } from './file-sink.config.js';
export { FileSourceConnector } from './file-source.connector.js';
export { FileSourceTask } from './file-source.task.js';
export { FileSourceConfig } from './file-source.config.js';

export const plugins: PluginDescriptor[] = [
  {
    type: 'source',
    name: 'file-source',
    className: 'io.sluice.connect.file.FileSourceConnector',
    aliases: ['org.apache.kafka.connect.file.FileStreamSourceConnector'],
    version: VERSION,
    description: 'Tails the files of a directory (text, jsonl or csv lines), following renames and rotation.',
    create: () => new FileSourceConnector(),
  },
  {
    type: 'sink',
    name: 'file-sink',
    className: 'io.sluice.connect.file.FileSinkConnector',
    aliases: ['org.apache.kafka.connect.file.FileStreamSinkConnector'],
    version: VERSION,
    description:
      'Writes each topic-partition to its own file (jsonl, csv or text), exactly once, with rolling.',
    create: () => new FileSinkConnector(),
  },
];
