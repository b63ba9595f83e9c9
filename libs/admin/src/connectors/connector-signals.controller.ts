import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Herder } from '@sluice/runtime';
import { HERDER } from '../admin.tokens.js';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import { signalRequestOf } from './connector-requests.js';

/**
 * Sluice's addition: signals for a running connector, as Debezium's signal table carries them
 * (e.g. `{"type": "execute-snapshot", "data": {"data-collections": ["public.orders"],
 * "type": "incremental"}}`), without writing to the source database.
 */
@ApiTags('connectors')
@ApiErrors(400, 401, 404, 409, 500)
@Controller('connectors/:name/signals')
export class ConnectorSignalsController {
  constructor(@Inject(HERDER) private readonly herder: Herder) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: "Send a signal to the connector's running tasks (e.g. execute-snapshot)" })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { type: 'string', example: 'execute-snapshot' },
        data: {
          type: 'object',
          example: { 'data-collections': ['public.orders'], type: 'incremental' },
        },
        id: { type: 'string', description: 'Chosen by the sender; made up when absent' },
      },
    },
  })
  @ApiResponse({
    status: 202,
    description: 'Accepted by the tasks listed',
    schema: {
      type: 'object',
      properties: { id: { type: 'string' }, tasks: { type: 'array', items: { type: 'integer' } } },
    },
  })
  async signal(@Param('name') name: string, @Body() body: unknown): Promise<{ id: string; tasks: number[] }> {
    return this.herder.signalConnector(name, signalRequestOf(body));
  }
}
