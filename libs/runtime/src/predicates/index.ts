import type { PluginDescriptor, Predicate } from '@sluice/connect-api';
import { HasHeaderKey } from './has-header-key.predicate.js';
import { RecordIsTombstone } from './record-is-tombstone.predicate.js';
import { TopicNameMatches } from './topic-name-matches.predicate.js';

export { applyPredicate } from './apply-predicate.js';
export { HasHeaderKey, HasHeaderKeyConfig } from './has-header-key.predicate.js';
export { RecordIsTombstone, RecordIsTombstoneConfig } from './record-is-tombstone.predicate.js';
export { TopicNameMatches, TopicNameMatchesConfig } from './topic-name-matches.predicate.js';

function predicate(name: string, description: string, create: () => Predicate): PluginDescriptor {
  return {
    type: 'predicate',
    name,
    className: `org.apache.kafka.connect.transforms.predicates.${name}`,
    version: '0.1.0',
    description,
    create,
  };
}

/** The built-in predicates, under Kafka Connect's class names. */
export const PREDICATE_PLUGINS: PluginDescriptor[] = [
  predicate('TopicNameMatches', 'Records whose topic matches a regex', () => new TopicNameMatches()),
  predicate('HasHeaderKey', 'Records with a header of a given name', () => new HasHeaderKey()),
  predicate('RecordIsTombstone', 'Records whose value is null', () => new RecordIsTombstone()),
];
