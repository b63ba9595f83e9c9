import { describe, expect, it } from '@jest/globals';
import type { PluginInfo } from '@sluice/runtime';
import { namesSamePlugin } from './plugin-name-match.js';

const plugins: PluginInfo[] = [
  { class: 'io.sluice.file.FileSourceConnector', name: 'file-source', type: 'source', version: '1' },
  { class: 'io.sluice.file.FileSinkConnector', name: 'file-sink', type: 'sink', version: '1' },
];

describe('namesSamePlugin', () => {
  it('matches one plugin by its class or short name', () => {
    expect(namesSamePlugin('file-source', 'file-source', plugins)).toBe(true);
    expect(namesSamePlugin('io.sluice.file.FileSourceConnector', 'file-source', plugins)).toBe(true);
    expect(namesSamePlugin('file-source', 'io.sluice.file.FileSourceConnector', plugins)).toBe(true);
  });

  it('tells two installed plugins apart', () => {
    expect(namesSamePlugin('file-sink', 'file-source', plugins)).toBe(false);
  });

  it("falls back to Kafka Connect's simple-name rule for names not installed", () => {
    expect(
      namesSamePlugin('org.apache.kafka.connect.file.FileStreamSourceConnector', 'FileStreamSource', plugins),
    ).toBe(true);
    expect(
      namesSamePlugin('org.apache.kafka.connect.file.FileStreamSourceConnector', 'FileStreamSink', plugins),
    ).toBe(false);
  });
});
