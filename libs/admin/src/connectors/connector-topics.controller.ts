import { Controller, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Herder } from '@sluice/runtime';
import { HERDER } from '../admin.tokens.js';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import { ACTIVE_TOPICS_SCHEMA } from '../openapi/schemas.js';

/** Kafka Connect's /connectors/{name}/topics resource: the topics a connector has used. */
@ApiTags('connectors')
@ApiErrors(401, 404, 500)
@Controller('connectors/:name/topics')
export class ConnectorTopicsController {
  constructor(@Inject(HERDER) private readonly herder: Herder) {}

  @Get()
  @ApiOperation({ summary: 'Topics the connector has used since its topics were last reset' })
  @ApiResponse({ status: 200, schema: ACTIVE_TOPICS_SCHEMA })
  async topics(@Param('name') name: string): Promise<Record<string, { topics: string[] }>> {
    return { [name]: { topics: await this.herder.connectorTopics(name) } };
  }

  @Put('reset')
  @HttpCode(202)
  @ApiOperation({ summary: "Forget the connector's used topics" })
  @ApiResponse({ status: 202 })
  async reset(@Param('name') name: string): Promise<void> {
    await this.herder.resetConnectorTopics(name);
  }
}
