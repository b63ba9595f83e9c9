import { BadRequestException, Body, Controller, Get, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ConfigInfos, Herder, PluginInfo } from '@sluice/runtime';
import { HERDER } from '../admin.tokens.js';
import { booleanParam, configMapOf } from '../connectors/connector-requests.js';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import {
  CONFIG_INFOS_SCHEMA,
  CONFIG_KEY_INFO_LIST_SCHEMA,
  CONFIG_MAP_SCHEMA,
  PLUGIN_INFO_LIST_SCHEMA,
} from '../openapi/schemas.js';
import { ConfigRedactor } from '../secrets/config-redactor.js';
import { namesSamePlugin } from './plugin-name-match.js';

type ConfigKeyInfo = ConfigInfos['configs'][number]['definition'];

/** Kafka Connect's /connector-plugins resource. */
@ApiTags('connector-plugins')
@ApiErrors(401, 500)
@Controller('connector-plugins')
export class ConnectorPluginsController {
  constructor(
    @Inject(HERDER) private readonly herder: Herder,
    @Inject(ConfigRedactor) private readonly redactor: ConfigRedactor,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List installed plugins (connectors only unless connectorsOnly=false)' })
  @ApiQuery({ name: 'connectorsOnly', required: false, type: Boolean })
  @ApiResponse({ status: 200, schema: PLUGIN_INFO_LIST_SCHEMA })
  list(@Query('connectorsOnly') connectorsOnly: unknown): Promise<PluginInfo[]> {
    return this.herder.plugins({ connectorsOnly: booleanParam(connectorsOnly, true) });
  }

  @Get(':plugin/config')
  @ApiOperation({ summary: "A plugin's settings" })
  @ApiResponse({ status: 200, schema: CONFIG_KEY_INFO_LIST_SCHEMA })
  @ApiErrors(404)
  config(@Param('plugin') plugin: string): Promise<ConfigKeyInfo[]> {
    return this.herder.pluginConfig(plugin);
  }

  @Put(':plugin/config/validate')
  @ApiOperation({ summary: 'Validate a connector config against the plugin, reporting every error' })
  @ApiBody({ schema: CONFIG_MAP_SCHEMA })
  @ApiResponse({ status: 200, schema: CONFIG_INFOS_SCHEMA })
  @ApiErrors(400, 404)
  async validate(@Param('plugin') plugin: string, @Body() body: unknown): Promise<ConfigInfos> {
    const config = configMapOf(body);
    const included = config['connector.class'];
    if (included !== undefined && !namesSamePlugin(included, plugin, await this.herder.plugins())) {
      throw new BadRequestException(
        `Included connector type ${included} does not match request type ${plugin}`,
      );
    }
    const infos = await this.herder.validateConnectorConfig(plugin, config);
    return this.redactor.redactConfigInfos(infos, { ...config, 'connector.class': included ?? plugin });
  }
}
