import { ConfigField } from '@sluice/connect-api';
import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';

export const SNAPSHOT_MODES = [
  'initial',
  'initial_only',
  'no_data',
  'never',
  'when_needed',
  'always',
] as const;
export type SnapshotMode = (typeof SNAPSHOT_MODES)[number];
export const PUBLICATION_MODES = ['all_tables', 'filtered', 'disabled'] as const;
export type PublicationMode = (typeof PUBLICATION_MODES)[number];

/**
 * postgres-source settings. Names, meanings and defaults follow Debezium's PostgreSQL connector so
 * existing configs carry over; settings Debezium has and Sluice lacks are ignored, not refused.
 */
export class PostgresSourceConfig {
  @ConfigField({ doc: 'Host name or address of the PostgreSQL server.', required: true, group: 'Connection' })
  @IsString()
  @MinLength(1)
  'database.hostname' = '';

  @ConfigField({ doc: 'Port of the PostgreSQL server.', group: 'Connection' })
  @IsInt()
  @Min(1)
  @Max(65535)
  'database.port' = 5432;

  @ConfigField({
    doc: 'User to connect as. Needs the REPLICATION attribute (or superuser), SELECT on the captured tables, and for publication.autocreate.mode=filtered ownership of them.',
    required: true,
    group: 'Connection',
  })
  @IsString()
  @MinLength(1)
  'database.user' = '';

  @ConfigField({ doc: 'Password of database.user.', secret: true, group: 'Connection' })
  @IsString()
  'database.password' = '';

  @ConfigField({ doc: 'Database to capture.', required: true, group: 'Connection' })
  @IsString()
  @MinLength(1)
  'database.dbname' = '';

  @ConfigField({
    doc: 'TLS: disable, require (encrypted, server not verified), verify-ca or verify-full (verified against the system CAs).',
    group: 'Connection',
  })
  @IsIn(['disable', 'require', 'verify-ca', 'verify-full'])
  'database.sslmode' = 'disable';

  @ConfigField({
    doc: 'Logical name of the server: the first part of every topic (<topic.prefix>.<schema>.<table>) and source.name. Must not change once events were written.',
    required: true,
  })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]+$/, {
    message: 'topic.prefix may contain only letters, digits, ".", "_" and "-"',
  })
  'topic.prefix' = '';

  @ConfigField({ doc: 'Logical decoding plugin; only pgoutput is supported.', importance: 'LOW' })
  @IsIn(['pgoutput'])
  'plugin.name' = 'pgoutput';

  @ConfigField({
    doc: 'Comma-separated regular expressions matched against "<schema>.<table>" (whole name, any case): only matching tables are captured. Empty: every table. Not with table.exclude.list.',
    group: 'Tables',
  })
  @IsString()
  'table.include.list' = '';

  @ConfigField({
    doc: 'Comma-separated regular expressions matched against "<schema>.<table>": matching tables are not captured. Not with table.include.list.',
    group: 'Tables',
  })
  @IsString()
  'table.exclude.list' = '';

  @ConfigField({
    doc: 'Comma-separated regular expressions for schema names to capture. Empty: every schema.',
    group: 'Tables',
  })
  @IsString()
  'schema.include.list' = '';

  @ConfigField({
    doc: 'Comma-separated regular expressions for schema names not to capture.',
    group: 'Tables',
  })
  @IsString()
  'schema.exclude.list' = '';

  @ConfigField({
    doc: 'Key columns for tables without a primary key (or to override it): "<table regex>:<column>,<column>;<table regex>:<column>".',
    group: 'Tables',
  })
  @IsString()
  'message.key.columns' = '';

  @ConfigField({ doc: 'Name of the logical replication slot (created if missing).', group: 'Replication' })
  @Matches(/^[a-z0-9_]{1,63}$/, {
    message: 'slot.name may contain only lower-case letters, digits and "_" (at most 63)',
  })
  'slot.name' = 'sluice';

  @ConfigField({
    doc: 'Drop the replication slot when the connector is deleted. Off by default: a kept slot lets a re-created connector resume, but retains WAL until then.',
    group: 'Replication',
  })
  @IsBoolean()
  'slot.drop.on.stop' = false;

  @ConfigField({ doc: 'Name of the publication to stream from.', group: 'Replication' })
  @IsString()
  @MinLength(1)
  'publication.name' = 'sluice_publication';

  @ConfigField({
    doc: 'all_tables: create the publication FOR ALL TABLES if missing (needs superuser); filtered: create it, or reset it on start, for the captured tables (needs table ownership); disabled: it must exist.',
    group: 'Replication',
  })
  @IsIn(PUBLICATION_MODES)
  'publication.autocreate.mode': PublicationMode = 'all_tables';

  @ConfigField({
    doc: 'initial: snapshot when there is no offset, then stream; initial_only: snapshot, then stop; no_data (alias never): stream only; when_needed: snapshot when there is no offset or the slot is gone; always: snapshot on every start.',
    group: 'Snapshot',
  })
  @IsIn(SNAPSHOT_MODES)
  'snapshot.mode': SnapshotMode = 'initial';

  @ConfigField({
    doc: 'Rows per snapshot query (one keyset query or cursor fetch); polls hand them out max.batch.size at a time.',
    group: 'Snapshot',
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  'snapshot.fetch.size' = 10_240;

  @ConfigField({
    doc: 'Signal table "<schema>.<table>" with columns id, type, data (as Debezium\'s): an inserted execute-snapshot or stop-snapshot row starts or stops an incremental snapshot, and incremental snapshots write their watermarks into it. It must be in the publication. Empty: signals only through the REST API, watermarks as logical decoding messages (PostgreSQL 14+).',
    group: 'Snapshot',
  })
  @Matches(/^$|^[^.]+\..+$/, { message: 'signal.data.collection must be "<schema>.<table>"' })
  'signal.data.collection' = '';

  @ConfigField({ doc: 'Rows per incremental snapshot chunk.', group: 'Snapshot' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  'incremental.snapshot.chunk.size' = 1024;

  @ConfigField({
    doc: 'numeric and decimal values: precise (Connect Decimal; VariableScaleDecimal when unconstrained), string or double.',
    group: 'Types',
  })
  @IsIn(['precise', 'string', 'double'])
  'decimal.handling.mode' = 'precise';

  @ConfigField({ doc: 'bytea values: bytes, base64, base64-url-safe or hex.', group: 'Types' })
  @IsIn(['bytes', 'base64', 'base64-url-safe', 'hex'])
  'binary.handling.mode' = 'bytes';

  @ConfigField({
    doc: 'Temporal values: adaptive (Debezium types by column precision), adaptive_time_microseconds, or connect (Kafka Connect Date/Time/Timestamp, milliseconds).',
    group: 'Types',
  })
  @IsIn(['adaptive', 'adaptive_time_microseconds', 'connect'])
  'time.precision.mode' = 'adaptive';

  @ConfigField({
    doc: 'interval values: numeric (MicroDuration, microseconds) or string (ISO 8601).',
    group: 'Types',
  })
  @IsIn(['numeric', 'string'])
  'interval.handling.mode' = 'numeric';

  @ConfigField({ doc: 'Scale of money values under decimal.handling.mode=precise.', group: 'Types' })
  @IsInt()
  @Min(0)
  @Max(20)
  'money.fraction.digits' = 2;

  @ConfigField({
    doc: 'Stands for a TOASTed value an update left unchanged (the server does not send it unless the table has REPLICA IDENTITY FULL).',
    group: 'Types',
  })
  @IsString()
  'unavailable.value.placeholder' = '__debezium_unavailable_value';

  @ConfigField({
    doc: 'After each delete event, write a tombstone (same key, null value) for log compaction.',
  })
  @IsBoolean()
  'tombstones.on.delete' = true;

  @ConfigField({
    doc: 'Operations not to emit: a comma-separated list of c, u, d, t, or none. Truncates are skipped by default, as in Debezium.',
  })
  @Matches(/^\s*(none|[cudt](\s*,\s*[cudt])*)?\s*$/, {
    message: 'skipped.operations must be "none" or a comma-separated list of c, u, d, t',
  })
  'skipped.operations' = 't';

  @ConfigField({
    doc: 'Milliseconds between heartbeat records (topic <topic.heartbeat.prefix>.<topic.prefix>); they move the committed offset and the slot forward while captured tables are idle. 0: none.',
    group: 'Heartbeat',
  })
  @IsInt()
  @Min(0)
  'heartbeat.interval.ms' = 0;

  @ConfigField({
    doc: 'SQL run on the source at each heartbeat (e.g. an update of a heartbeat table), so WAL of a busy server is released even when this database is idle.',
    group: 'Heartbeat',
  })
  @IsString()
  'heartbeat.action.query' = '';

  @ConfigField({ doc: 'Prefix of the heartbeat topic.', group: 'Heartbeat', importance: 'LOW' })
  @IsString()
  @MinLength(1)
  'topic.heartbeat.prefix' = '__debezium-heartbeat';

  // Small on purpose (Debezium's is 2048): a poll's records live until they are durable, and
  // beyond a few hundred they outlived the task thread's nursery, so scavenges copied and promoted
  // them. CDC and snapshots took about a quarter less CPU per event at 512 than at 4096
  // (`npm run bench -- postgres`, alternated runs); 256 and 128 were no better.
  @ConfigField({ doc: 'Most records one poll returns.', importance: 'LOW' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  'max.batch.size' = 512;

  @ConfigField({
    doc: 'Change messages buffered from the server before reading pauses (backpressure).',
    importance: 'LOW',
  })
  @IsInt()
  @Min(64)
  @Max(1_000_000)
  'max.queue.size' = 16_384;

  @ConfigField({ doc: 'Longest a poll waits for changes before returning none.', importance: 'LOW' })
  @IsInt()
  @Min(1)
  @Max(60_000)
  'poll.interval.ms' = 500;

  @ConfigField({
    doc: 'Milliseconds between status updates to the server (the acknowledged position; keeps the connection alive).',
    importance: 'LOW',
  })
  @IsInt()
  @Min(100)
  'status.update.interval.ms' = 10_000;

  @ConfigField({
    doc: "How long the replication connection may go without a word from the server (no change, no keepalive) before it is taken as lost and opened again; after half of it a keepalive is asked for. As PostgreSQL's wal_receiver_timeout: it catches a connection a network failure left open on this side only. 0 waits for ever.",
    importance: 'LOW',
  })
  @IsInt()
  @Min(0)
  'replication.timeout.ms' = 60_000;
}
