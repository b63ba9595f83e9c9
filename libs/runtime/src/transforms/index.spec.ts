import { describe, expect, it } from '@jest/globals';
import { describeConfig } from '@sluice/connect-api';
import { TRANSFORM_PLUGINS } from './index.js';

describe('TRANSFORM_PLUGINS', () => {
  it('lists every transform under its Kafka class name, each creating a working instance', () => {
    const names = TRANSFORM_PLUGINS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'InsertField$Key',
        'InsertField$Value',
        'ValueToKey',
        'TimestampRouter',
        'RegexRouter',
        'Filter',
        'SetSchemaMetadata$Value',
      ]),
    );
    expect(TRANSFORM_PLUGINS).toHaveLength(26);
    for (const plugin of TRANSFORM_PLUGINS) {
      expect(plugin.type).toBe('transformation');
      expect(plugin.className).toBe(`org.apache.kafka.connect.transforms.${plugin.name}`);
      expect(plugin.version).toBe('0.1.0');
      if (plugin.type !== 'transformation') continue;
      const t = plugin.create();
      expect(Array.isArray(describeConfig(t.configClass()))).toBe(true);
    }
  });
});
