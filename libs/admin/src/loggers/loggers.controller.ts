import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import {
  LOGGER_LEVEL_SCHEMA,
  LOGGER_LEVELS_SCHEMA,
  SET_LOGGER_LEVEL_SCHEMA,
  STRING_LIST_SCHEMA,
} from '../openapi/schemas.js';
import { type LoggerLevel, LoggerLevels, pinoLevelOf } from './logger-levels.js';

/** Kafka Connect's /admin/loggers resource (KIP-495), over the worker's pino loggers. */
@ApiTags('admin')
@ApiErrors(401, 500)
@Controller('admin/loggers')
export class LoggersController {
  constructor(@Inject(LoggerLevels) private readonly loggers: LoggerLevels) {}

  @Get()
  @ApiOperation({ summary: 'Every logger and its level' })
  @ApiResponse({ status: 200, schema: LOGGER_LEVELS_SCHEMA })
  list(): Record<string, LoggerLevel> {
    return this.loggers.all();
  }

  @Get(':name')
  @ApiOperation({ summary: "A logger's level" })
  @ApiResponse({ status: 200, schema: LOGGER_LEVEL_SCHEMA })
  @ApiErrors(404)
  level(@Param('name') name: string): LoggerLevel {
    const level = this.loggers.level(name);
    if (!level) throw new NotFoundException(`Logger ${name} not found.`);
    return level;
  }

  @Put(':name')
  @ApiOperation({
    summary: 'Set the level of a logger and its descendants',
    description:
      'Answers with the names of the loggers set; with scope=cluster, 204 (a standalone worker is the cluster).',
  })
  @ApiQuery({ name: 'scope', required: false, enum: ['worker', 'cluster'] })
  @ApiBody({ schema: SET_LOGGER_LEVEL_SCHEMA })
  @ApiResponse({ status: 200, schema: STRING_LIST_SCHEMA })
  @ApiResponse({ status: 204 })
  @ApiErrors(400, 404)
  setLevel(
    @Param('name') name: string,
    @Body() body: unknown,
    @Query('scope') scope: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string[] | undefined {
    const level =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['level'] : undefined;
    if (level === undefined || level === null) {
      throw new BadRequestException("Desired 'level' parameter was not specified in request.");
    }
    // Kafka Connect answers an unknown level with 404, not 400
    if (typeof level !== 'string' || !pinoLevelOf(level))
      throw new NotFoundException(`invalid log level '${String(level)}'.`);
    const affected = this.loggers.setLevel(name, level);
    if (typeof scope === 'string' && scope.toLowerCase() === 'cluster') {
      void reply.status(204);
      return undefined;
    }
    return affected;
  }
}
