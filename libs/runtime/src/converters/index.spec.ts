import { describe, expect, it } from '@jest/globals';
import { CONVERTER_PLUGINS } from './index.js';

describe('CONVERTER_PLUGINS', () => {
  it('lists the converters under Kafka class names and short names', () => {
    expect(CONVERTER_PLUGINS.map((p) => [p.name, p.className])).toEqual([
      ['json', 'org.apache.kafka.connect.json.JsonConverter'],
      ['string', 'org.apache.kafka.connect.storage.StringConverter'],
      ['bytes', 'org.apache.kafka.connect.converters.ByteArrayConverter'],
    ]);
    for (const plugin of CONVERTER_PLUGINS) {
      expect(plugin.type).toBe('converter');
      if (plugin.type === 'converter')
        expect(plugin.create().fromConnectData('t', [], null, null)).toBeNull();
    }
  });
});
