import { describe, expect, it } from '@jest/globals';
import { PREDICATE_PLUGINS } from './index.js';

describe('PREDICATE_PLUGINS', () => {
  it('lists the predicates under Kafka class names', () => {
    expect(PREDICATE_PLUGINS.map((p) => p.className)).toEqual([
      'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
      'org.apache.kafka.connect.transforms.predicates.HasHeaderKey',
      'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
    ]);
    for (const p of PREDICATE_PLUGINS)
      if (p.type === 'predicate') expect(p.create().test).toBeInstanceOf(Function);
  });
});
