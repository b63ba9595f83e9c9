import { describe, expect, it } from '@jest/globals';
import { describeConfig, parseConfig } from '@sluice/connect-api';
import { plugins } from './index.js';

describe('plugins', () => {
  it('declares the file source and sink under their names, classes and Kafka aliases', () => {
    expect(plugins.map((p) => [p.type, p.name, p.className, p.aliases])).toEqual([
      [
        'source',
        'file-source',
        'io.sluice.connect.file.FileSourceConnector',
        ['org.apache.kafka.connect.file.FileStreamSourceConnector'],
      ],
      [
        'sink',
        'file-sink',
        'io.sluice.connect.file.FileSinkConnector',
        ['org.apache.kafka.connect.file.FileStreamSinkConnector'],
      ],
    ]);
    for (const plugin of plugins) {
      const connector = plugin.create();
      expect('kind' in connector && connector.kind).toBe(plugin.type);
    }
  });

  it('describes every setting with its default', () => {
    const source = plugins[0]!.create();
    if (!('configClass' in source) || !('kind' in source)) throw new Error('not a connector');
    const fields = describeConfig(source.configClass());
    expect(fields.filter((f) => f.required).map((f) => f.name)).toEqual(['path', 'topic']);
    expect(fields.find((f) => f.name === 'batch.size')).toMatchObject({ type: 'INT', defaultValue: 1000 });
    expect(fields.some((f) => f.name === 'task.index')).toBe(false);
  });

  it('refuses a topic name the log could never hold', () => {
    const source = plugins[0]!.create();
    if (!('configClass' in source) || !('kind' in source)) throw new Error('not a connector');
    const parsed = parseConfig(source.configClass(), { path: '/tmp/in', topic: 'events archive' });
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { field: 'topic', messages: [expect.stringMatching(/^"events archive" is not a valid topic name/)] },
    ]);
  });
});
