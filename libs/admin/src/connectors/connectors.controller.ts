import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HerderError, type ConnectorInfo, type ConnectorStatus, type Herder } from '@sluice/runtime';
import type { FastifyReply } from 'fastify';
import { HERDER } from '../admin.tokens.js';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import {
  CONFIG_MAP_SCHEMA,
  CONFIG_PATCH_SCHEMA,
  CONNECTOR_INFO_SCHEMA,
  CONNECTOR_LIST_SCHEMA,
  CONNECTOR_STATUS_SCHEMA,
  CREATE_CONNECTOR_SCHEMA,
} from '../openapi/schemas.js';
import { ConfigRedactor } from '../secrets/config-redactor.js';
import { booleanParam, configMapOf, configPatchOf, createConnectorRequestOf } from './connector-requests.js';
import { setWarnings } from './warning-header.js';

interface ConnectorExpansions {
  info?: ConnectorInfo;
  status?: ConnectorStatus;
}

function locationOf(name: string): string {
  return `/connectors/${encodeURIComponent(name)}`;
}

/** Kafka Connect's /connectors resource: configs, lifecycle and status, through the herder. */
@ApiTags('connectors')
@ApiErrors(401, 500)
@Controller('connectors')
export class ConnectorsController {
  constructor(
    @Inject(HERDER) private readonly herder: Herder,
    @Inject(ConfigRedactor) private readonly redactor: ConfigRedactor,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List connectors' })
  @ApiQuery({ name: 'expand', required: false, isArray: true, enum: ['status', 'info'] })
  @ApiResponse({ status: 200, schema: CONNECTOR_LIST_SCHEMA })
  async list(
    @Query('expand') expand?: string | string[],
  ): Promise<string[] | Record<string, ConnectorExpansions>> {
    const names = await this.herder.connectors();
    if (expand === undefined) return names;
    const wanted = new Set(Array.isArray(expand) ? expand : [expand]);
    const out: Record<string, ConnectorExpansions> = {};
    for (const name of names) {
      try {
        const expansions: ConnectorExpansions = {};
        if (wanted.has('info'))
          expansions.info = await this.redactor.redactInfo(await this.herder.connectorInfo(name));
        if (wanted.has('status')) expansions.status = await this.herder.connectorStatus(name);
        out[name] = expansions;
      } catch (err) {
        // deleted while the list was being expanded: left out, as Kafka Connect does
        if (!(err instanceof HerderError && err.code === 'NOT_FOUND')) throw err;
      }
    }
    return out;
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a connector' })
  @ApiBody({ schema: CREATE_CONNECTOR_SCHEMA })
  @ApiResponse({ status: 201, schema: CONNECTOR_INFO_SCHEMA })
  @ApiErrors(400, 409)
  async create(
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConnectorInfo> {
    const request = createConnectorRequestOf(body);
    const { name } = request;
    const initial = request.initialState === 'RUNNING' ? 'STARTED' : request.initialState;
    const info = await this.herder.createConnector(name, request.config, initial);
    void reply.header('Location', locationOf(name));
    setWarnings(reply, this.herder.configWarnings(name));
    return this.redactor.redactInfo(info);
  }

  @Get(':name')
  @ApiOperation({ summary: 'Get a connector' })
  @ApiResponse({ status: 200, schema: CONNECTOR_INFO_SCHEMA })
  @ApiErrors(404)
  async info(@Param('name') name: string): Promise<ConnectorInfo> {
    return this.redactor.redactInfo(await this.herder.connectorInfo(name));
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a connector' })
  @ApiResponse({ status: 204 })
  @ApiErrors(404)
  async delete(@Param('name') name: string): Promise<void> {
    await this.herder.deleteConnector(name);
  }

  @Get(':name/config')
  @ApiOperation({ summary: "Get a connector's config" })
  @ApiResponse({ status: 200, schema: CONFIG_MAP_SCHEMA })
  @ApiErrors(404)
  async config(@Param('name') name: string): Promise<Record<string, string>> {
    return this.redactor.redact(await this.herder.connectorConfig(name));
  }

  @Put(':name/config')
  @ApiOperation({
    summary: 'Create or update a connector',
    description: 'Values sent as "[hidden]" for secret settings keep their stored values.',
  })
  @ApiBody({ schema: CONFIG_MAP_SCHEMA })
  @ApiResponse({ status: 200, description: 'Updated', schema: CONNECTOR_INFO_SCHEMA })
  @ApiResponse({ status: 201, description: 'Created', schema: CONNECTOR_INFO_SCHEMA })
  @ApiErrors(400)
  async putConfig(
    @Param('name') name: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConnectorInfo> {
    const config = await this.redactor.restoreHidden(configMapOf(body), await this.storedConfig(name));
    const { created, info } = await this.herder.putConnectorConfig(name, config);
    if (created) void reply.status(201).header('Location', locationOf(name));
    else void reply.status(200);
    setWarnings(reply, this.herder.configWarnings(name));
    return this.redactor.redactInfo(info);
  }

  @Patch(':name/config')
  @ApiOperation({ summary: "Change some of a connector's settings", description: 'null removes a setting.' })
  @ApiBody({ schema: CONFIG_PATCH_SCHEMA })
  @ApiResponse({ status: 200, schema: CONNECTOR_INFO_SCHEMA })
  @ApiErrors(400, 404)
  async patchConfig(
    @Param('name') name: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConnectorInfo> {
    const patch = configPatchOf(body);
    const stored = await this.herder.connectorConfig(name);
    const values = Object.fromEntries(
      Object.entries(patch).filter((e): e is [string, string] => e[1] !== null),
    );
    const restored = await this.redactor.restoreHidden(values, stored);
    const merged: Record<string, string | null> = { ...patch, ...restored };
    const info = await this.herder.patchConnectorConfig(name, merged);
    setWarnings(reply, this.herder.configWarnings(name));
    return this.redactor.redactInfo(info);
  }

  @Get(':name/status')
  @ApiOperation({ summary: "Get a connector's and its tasks' states" })
  @ApiResponse({ status: 200, schema: CONNECTOR_STATUS_SCHEMA })
  @ApiErrors(404)
  status(@Param('name') name: string): Promise<ConnectorStatus> {
    return this.herder.connectorStatus(name);
  }

  @Post(':name/restart')
  @ApiOperation({
    summary: 'Restart a connector (and its tasks)',
    description:
      'Without includeTasks or onlyFailed: restarts the connector only and answers 204. Otherwise answers 202 with the planned states (RESTARTING).',
  })
  @ApiQuery({ name: 'includeTasks', required: false, type: Boolean })
  @ApiQuery({ name: 'onlyFailed', required: false, type: Boolean })
  @ApiResponse({ status: 202, schema: CONNECTOR_STATUS_SCHEMA })
  @ApiResponse({ status: 204 })
  @ApiErrors(404)
  async restart(
    @Param('name') name: string,
    @Query('includeTasks') includeTasksParam: unknown,
    @Query('onlyFailed') onlyFailedParam: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConnectorStatus | undefined> {
    const includeTasks = booleanParam(includeTasksParam);
    const onlyFailed = booleanParam(onlyFailedParam);
    const status = await this.herder.restartConnector(name, { includeTasks, onlyFailed });
    if (!includeTasks && !onlyFailed) {
      void reply.status(204);
      return undefined;
    }
    void reply.status(202);
    return status;
  }

  @Put(':name/pause')
  @HttpCode(202)
  @ApiOperation({ summary: 'Pause a connector and its tasks' })
  @ApiResponse({ status: 202 })
  @ApiErrors(404)
  async pause(@Param('name') name: string): Promise<void> {
    await this.herder.pauseConnector(name);
  }

  @Put(':name/resume')
  @HttpCode(202)
  @ApiOperation({ summary: 'Resume a paused or stopped connector' })
  @ApiResponse({ status: 202 })
  @ApiErrors(404)
  async resume(@Param('name') name: string): Promise<void> {
    await this.herder.resumeConnector(name);
  }

  @Put(':name/stop')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop a connector: its tasks shut down, its config and offsets stay' })
  @ApiResponse({ status: 204 })
  @ApiErrors(404)
  async stop(@Param('name') name: string): Promise<void> {
    await this.herder.stopConnector(name);
  }

  private async storedConfig(name: string): Promise<Record<string, string> | undefined> {
    try {
      return await this.herder.connectorConfig(name);
    } catch (err) {
      if (err instanceof HerderError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }
}
