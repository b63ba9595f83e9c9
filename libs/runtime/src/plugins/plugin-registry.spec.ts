import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONVERTER_PLUGINS } from '../converters/index.js';
import {
  findPluginModules,
  loadPluginModule,
  PluginRegistry,
  referencedPlugins,
  registerDiscoveredPlugins,
} from './plugin-registry.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('plugin discovery', () => {
  it('finds the connector packages without importing them, and loads one on demand', async () => {
    const refs = findPluginModules([path.join(repo, 'node_modules')]);
    expect(refs.map((r) => r.label)).toEqual(
      expect.arrayContaining([
        '@sluice/connector-file',
        '@sluice/connector-http',
        '@sluice/connector-postgres',
      ]),
    );
    const file = refs.find((r) => r.label === '@sluice/connector-file')!;
    const plugins = await loadPluginModule(file);
    expect(plugins.map((p) => p.name).sort()).toEqual(['file-sink', 'file-source']);
  });

  it('knows which package each discovered plugin came from, so a task thread imports only those', async () => {
    const registry = new PluginRegistry();
    registry.register(CONVERTER_PLUGINS);
    await registerDiscoveredPlugins(registry, [path.join(repo, 'node_modules')]);
    const needed = referencedPlugins({
      'connector.class': 'io.sluice.connect.postgres.PostgresSinkConnector',
      'value.converter': 'json',
      transforms: 'a',
      'transforms.a.type': 'file-sink',
    });
    expect(registry.modulesOf([...needed, 'postgres-sink', 'nobody']).map((r) => r.label)).toEqual([
      '@sluice/connector-postgres',
      '@sluice/connector-file',
    ]);
  });

  it('names the plugins a connector config needs: class, converters, transforms, predicates', () => {
    expect(
      referencedPlugins({
        'connector.class': 'file-source',
        topic: 'events',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
        transforms: 'a',
        'transforms.a.type': ' InsertField$Value ',
        'transforms.a.predicate': 'p',
        'predicates.p.type': 'TopicNameMatches',
        'header.converter': '',
      }),
    ).toEqual([
      'file-source',
      'org.apache.kafka.connect.json.JsonConverter',
      'InsertField$Value',
      'TopicNameMatches',
    ]);
  });
});
