import { Body, Controller, Delete, Get, Inject, Param, Patch } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ConnectorOffset, Herder } from '@sluice/runtime';
import { HERDER } from '../admin.tokens.js';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import { CONNECTOR_OFFSETS_SCHEMA, MESSAGE_SCHEMA } from '../openapi/schemas.js';
import { connectorOffsetsOf } from './connector-requests.js';

/*
 * Kafka Connect's two answers: the short one when the connector confirms that it changed the
 * offsets it keeps itself too (its alterOffsets returned true), else the framework-managed one.
 */
const modified = (how: 'altered' | 'reset', byConnector: boolean): { message: string } => ({
  message: byConnector
    ? `The offsets for this connector have been ${how} successfully`
    : `The Connect framework-managed offsets for this connector have been ${how} successfully. However, if this ` +
      `connector manages offsets externally, they will need to be manually ${how} in the system that the connector uses.`,
});

/** Kafka Connect's /connectors/{name}/offsets resource (KIP-875); changes need the connector STOPPED. */
@ApiTags('connectors')
@ApiErrors(401, 404, 500)
@Controller('connectors/:name/offsets')
export class ConnectorOffsetsController {
  constructor(@Inject(HERDER) private readonly herder: Herder) {}

  @Get()
  @ApiOperation({ summary: "Get a connector's committed offsets" })
  @ApiResponse({ status: 200, schema: CONNECTOR_OFFSETS_SCHEMA })
  async offsets(@Param('name') name: string): Promise<{ offsets: ConnectorOffset[] }> {
    return { offsets: await this.herder.connectorOffsets(name) };
  }

  @Patch()
  @ApiOperation({ summary: "Alter a stopped connector's offsets", description: 'A null offset removes it.' })
  @ApiBody({ schema: CONNECTOR_OFFSETS_SCHEMA })
  @ApiResponse({ status: 200, schema: MESSAGE_SCHEMA })
  @ApiErrors(400)
  async alter(@Param('name') name: string, @Body() body: unknown): Promise<{ message: string }> {
    return modified('altered', await this.herder.alterConnectorOffsets(name, connectorOffsetsOf(body)));
  }

  @Delete()
  @ApiOperation({ summary: "Reset a stopped connector's offsets" })
  @ApiResponse({ status: 200, schema: MESSAGE_SCHEMA })
  @ApiErrors(400)
  async reset(@Param('name') name: string): Promise<{ message: string }> {
    return modified('reset', await this.herder.resetConnectorOffsets(name));
  }
}
