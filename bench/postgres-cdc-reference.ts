import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import type { BenchPostgres } from './postgres-bench-server.js';

/**
 * The CDC reference: a bare pg-logical-replication loop that streams `slot` from its start,
 * decodes every pgoutput message, counts the row events and acknowledges each commit's end LSN
 * (the least a correct consumer does). Resolves to events/s once `expected` rows are decoded and
 * their commit acknowledged, and the CPU it took per event (this process: the loop runs alone in it).
 */
export async function replicationReference(
  server: BenchPostgres,
  database: string,
  slot: string,
  publication: string,
  expected: number,
): Promise<{ rate: number; cpuMicros: number }> {
  const service = new LogicalReplicationService(
    {
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      database,
    },
    { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: false } },
  );
  const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [publication] });
  let events = 0;
  let lastAcked = '0/0';
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const done = new Promise<{ rate: number; cpuMicros: number }>((resolve, reject) => {
    service.on('error', reject);
    service.on('heartbeat', (_lsn, _ts, shouldRespond) => {
      if (shouldRespond) void service.acknowledge(lastAcked);
    });
    service.on('data', (_lsn, message: { tag: string; commitEndLsn?: string | null }) => {
      if (message.tag === 'insert' || message.tag === 'update' || message.tag === 'delete') events++;
      else if (message.tag === 'commit' && message.commitEndLsn) {
        lastAcked = message.commitEndLsn;
        void service.acknowledge(lastAcked);
        if (events >= expected) {
          const cpu = process.cpuUsage(cpuBefore);
          resolve({
            rate: events / ((performance.now() - started) / 1000),
            cpuMicros: (cpu.user + cpu.system) / events,
          });
        }
      }
    });
  });
  service.subscribe(plugin, slot).catch(() => undefined);
  try {
    return await done;
  } finally {
    await service.stop();
  }
}
