import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isInternalTopic, type Log } from '@sluice/log';
import type { FastifyReply } from 'fastify';
import { ADMIN_LOG } from '../admin.tokens.js';
import { booleanParam } from '../connectors/connector-requests.js';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import {
  NEW_TOPIC_SCHEMA,
  RECORDS_PAGE_SCHEMA,
  STRING_LIST_SCHEMA,
  TOPIC_DESCRIPTION_SCHEMA,
} from '../openapi/schemas.js';
import { MAX_PRODUCE_RECORDS, produceRequestOf } from './produce-request.js';
import { peekRecords } from './record-peek.js';
import { recordsPageJson } from './records-page-json.js';
import { MAX_PEEK_LIMIT, newTopicOf, peekRequestOf } from './topic-requests.js';
import { type TopicView, topicViewOf } from './topic-view.js';

/** Sluice's addition: the topics of the log, and a bounded look at their records. */
@ApiTags('topics')
@ApiErrors(401, 500)
@Controller('topics')
export class TopicsController {
  constructor(@Inject(ADMIN_LOG) private readonly log: Log) {}

  @Get()
  @ApiOperation({ summary: 'Topic names (internal ones too with internal=true)' })
  @ApiQuery({ name: 'internal', required: false, type: Boolean })
  @ApiResponse({ status: 200, schema: STRING_LIST_SCHEMA })
  async list(@Query('internal') internal: unknown): Promise<string[]> {
    const names = await this.log.admin().listTopics({ includeInternal: booleanParam(internal) });
    return names.sort();
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a topic' })
  @ApiBody({ schema: NEW_TOPIC_SCHEMA })
  @ApiResponse({ status: 201, schema: TOPIC_DESCRIPTION_SCHEMA })
  @ApiErrors(400, 409)
  async create(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<TopicView> {
    const topic = newTopicOf(body);
    const created = await this.log.admin().createTopic(topic);
    void reply.header('Location', `/topics/${encodeURIComponent(topic.name)}`);
    return topicViewOf(created);
  }

  @Get(':name')
  @ApiOperation({ summary: 'Describe a topic: settings, and per partition its offsets and size' })
  @ApiResponse({ status: 200, schema: TOPIC_DESCRIPTION_SCHEMA })
  @ApiErrors(404)
  async describe(@Param('name') name: string): Promise<TopicView> {
    return topicViewOf(await this.log.admin().describeTopic(name));
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a topic and its records' })
  @ApiResponse({ status: 204 })
  @ApiErrors(400, 404)
  async delete(@Param('name') name: string): Promise<void> {
    if (isInternalTopic(name))
      throw new BadRequestException(`Topic ${name} is internal to Sluice and cannot be deleted`);
    await this.log.admin().deleteTopic(name);
  }

  @Post(':name/records')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Write records to a topic',
    description: `Body {"records": [{key?, value, headers?, partition?}]}, up to ${MAX_PRODUCE_RECORDS}; answers once they are durable, with where each landed.`,
  })
  @ApiErrors(400, 404)
  async produce(
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<{ offsets: { partition: number; offset: number }[] }> {
    if (isInternalTopic(name))
      throw new BadRequestException(
        `Topic ${name} is internal to Sluice; write to it through the API that owns it`,
      );
    const records = produceRequestOf(body);
    await this.log.admin().describeTopic(name);
    return { offsets: await this.log.producer().sendEach({ topic: name, records }) };
  }

  @Get(':name/records')
  @ApiOperation({
    summary: 'Peek at records of one partition',
    description: `At most limit (up to ${MAX_PEEK_LIMIT}) records from offset; keys, values and headers as JSON when they are JSON (as stored, numbers exact), else UTF-8 text, else base64. The runtime's own headers (__sluice.*, its source offset marks) only with internal_headers=true.`,
  })
  @ApiQuery({ name: 'partition', required: false, type: Number })
  @ApiQuery({ name: 'offset', required: false, type: Number })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'internal_headers', required: false, type: Boolean })
  @ApiResponse({ status: 200, schema: RECORDS_PAGE_SCHEMA })
  @ApiErrors(400, 403, 404)
  async records(
    @Param('name') name: string,
    @Query('partition') partition: unknown,
    @Query('offset') offset: unknown,
    @Query('limit') limit: unknown,
    @Query('internal_headers') internalHeaders: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    // the configs topic holds connector settings as written, secrets included
    if (isInternalTopic(name))
      throw new ForbiddenException(
        `Topic ${name} is internal to Sluice and its records are not served; read connectors through /connectors (their configs, offsets and status)`,
      );
    const request = peekRequestOf({ partition, offset, limit, internal_headers: internalHeaders });
    const page = await peekRecords(this.log, name, request);
    void reply.type('application/json; charset=utf-8');
    return recordsPageJson(page);
  }
}
