import { describe, expect, it } from '@jest/globals';
import { CONVERTER_PLUGINS } from '../converters/index.js';
import { PluginRegistry } from '../plugins/plugin-registry.js';
import { PREDICATE_PLUGINS } from '../predicates/index.js';
import { TEST_CONNECTOR_PLUGINS } from '../testing/test-connectors.js';
import { TRANSFORM_PLUGINS } from '../transforms/index.js';
import { DEFAULT_CONVERTERS } from './converter-factory.js';
import { validateConnectorConfig } from './connector-validator.js';

const registry = new PluginRegistry();
registry.register([
  ...TEST_CONNECTOR_PLUGINS,
  ...CONVERTER_PLUGINS,
  ...TRANSFORM_PLUGINS,
  ...PREDICATE_PLUGINS,
]);

async function errorsOf(config: Record<string, string>): Promise<Record<string, string[]>> {
  const outcome = await validateConnectorConfig(registry, { name: 'c', ...config }, DEFAULT_CONVERTERS);
  return Object.fromEntries(outcome.errors.map((e) => [e.field, e.messages]));
}

const sink = (extra: Record<string, string>) => ({ 'connector.class': 'memory-sink', bucket: 'b', ...extra });

describe('validateConnectorConfig for sinks', () => {
  it('needs topics or topics.regex, not both, and a regex that compiles', async () => {
    expect(await errorsOf(sink({}))).toMatchObject({
      topics: ['Must configure one of topics or topics.regex'],
    });
    expect(await errorsOf(sink({ topics: 'a', 'topics.regex': 'a.*' }))).toMatchObject({
      'topics.regex': ['topics and topics.regex are mutually exclusive'],
    });
    expect((await errorsOf(sink({ 'topics.regex': '(' })))['topics.regex']![0]).toMatch(
      /not a valid regular/,
    );
    expect(await errorsOf(sink({ topics: 'orders, payments' }))).toEqual({});
  });

  it('refuses topic names the log could never hold, each named, and a DLQ among the topics', async () => {
    expect(await errorsOf(sink({ topics: 'orders,events archive,a/b' }))).toEqual({
      topics: [
        expect.stringMatching(/^"events archive" is not a valid topic name: use 1 to 249 characters/),
        expect.stringMatching(/^"a\/b" is not a valid topic name/),
      ],
    });
    expect(
      await errorsOf(sink({ topics: 'orders', 'errors.deadletterqueue.topic.name': 'dead letters' })),
    ).toEqual({
      'errors.deadletterqueue.topic.name': [
        expect.stringMatching(/^"dead letters" is not a valid topic name/),
      ],
    });
    expect(await errorsOf(sink({ topics: 'orders', 'errors.deadletterqueue.topic.name': 'orders' }))).toEqual(
      {
        'errors.deadletterqueue.topic.name': [
          'The DLQ topic cannot be one of the topics the connector reads',
        ],
      },
    );
  });
});

describe('validateConnectorConfig for internal topics', () => {
  it("refuses a sink reading the runtime's internal topics, and a dead letter queue among them", async () => {
    expect(await errorsOf(sink({ topics: 'orders, __sluice.configs' }))).toEqual({
      topics: [
        expect.stringMatching(
          /^__sluice\.configs is internal to Sluice .*connectors may not read or write it$/,
        ),
      ],
    });
    expect(
      await errorsOf(sink({ topics: 'orders', 'errors.deadletterqueue.topic.name': '__sluice.status' })),
    ).toEqual({
      'errors.deadletterqueue.topic.name': [expect.stringMatching(/^__sluice\.status is internal to Sluice/)],
    });
    // other topics starting with __ are connectors' own (Debezium's heartbeats)
    expect(await errorsOf(sink({ topics: '__debezium-heartbeat.pg' }))).toEqual({});
  });
});

describe('validateConnectorConfig answers', () => {
  it('recommend the values of settings that take a fixed list, as Kafka Connect does', async () => {
    const outcome = await validateConnectorConfig(
      registry,
      { name: 'c', ...sink({ topics: 'orders' }) },
      DEFAULT_CONVERTERS,
    );
    const recommended = (name: string) =>
      outcome.infos.configs.find((c) => c.definition.name === name)?.value.recommended_values;
    expect(recommended('errors.tolerance')).toEqual(['none', 'all']);
    expect(recommended('producer.override.compression.type')).toEqual(
      expect.arrayContaining(['none', 'gzip', 'lz4']),
    );
    expect(recommended('errors.log.enable')).toEqual(['true', 'false']);
    expect(recommended('topics.regex')).toEqual([]);
  });
});

describe('validateConnectorConfig: unknown settings', () => {
  const unknownOf = async (config: Record<string, string>) =>
    (await validateConnectorConfig(registry, { name: 'c', ...config }, DEFAULT_CONVERTERS)).unknown;

  it('names settings nothing reads, with the declared setting a typo is closest to', async () => {
    expect(
      await unknownOf(
        sink({
          topics: 'a',
          tpoics: 'a',
          'errors.tolerence': 'all',
          buckett: 'x',
          colour: 'blue',
          'put.failure.modes': 'x', // five edits from put.failures: too far to suggest
        }),
      ),
    ).toEqual([
      { key: 'buckett', suggestion: 'bucket' },
      { key: 'colour', suggestion: null },
      { key: 'errors.tolerence', suggestion: 'errors.tolerance' },
      { key: 'put.failure.modes', suggestion: null },
      { key: 'tpoics', suggestion: 'topics' },
    ]);
  });

  it("leaves alone the runtime's families of settings and those a connector declares by prefix", async () => {
    expect(
      await unknownOf(
        sink({
          topics: 'a',
          transforms: 'x',
          'transforms.x.type': 'InsertField$Value',
          'value.converter.schemas.enable': 'false',
          'consumer.override.max.poll.records': '10',
          'producer.override.linger.ms': '5',
          'worker.files.roots': '/tmp',
          'put.failures': '0',
        }),
      ),
    ).toEqual([]);
    expect(await unknownOf(sink({ topics: 'a', 'memory.extra.anything': '1' }))).toEqual([]);
  });

  it("names typos in transforms' and predicates' settings, and settings of aliases not listed", async () => {
    expect(
      await unknownOf(
        sink({
          topics: 'a',
          transforms: 'tag,route',
          'transforms.tag.type': 'InsertField$Value',
          'transforms.tag.static.field': 'origin',
          'transforms.tag.statc.value': 'x',
          'transforms.tag.predicate': 'onlyOrders',
          'transforms.tag.negate': 'true',
          'transforms.route.type': 'no-such-transform',
          'transforms.route.anything': '1',
          'transforms.tagg.type': 'InsertField$Value',
          predicates: 'onlyOrders',
          'predicates.onlyOrders.type': 'TopicNameMatches',
          'predicates.onlyOrders.patern': 'orders',
        }),
      ),
    ).toEqual([
      { key: 'predicates.onlyOrders.patern', suggestion: 'predicates.onlyOrders.pattern' },
      { key: 'transforms.tag.statc.value', suggestion: 'transforms.tag.static.value' },
      { key: 'transforms.tagg.type', suggestion: 'transforms.tag.type' },
    ]);
  });
});
