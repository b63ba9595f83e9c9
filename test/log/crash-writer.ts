/**
 * Child process of the crash test: appends to the crash topic as fast as it can, several sends in
 * flight, and prints `ack <partition> <last offset>` for every acknowledged send. It is killed
 * with SIGKILL at a random moment; it never stops by itself.
 */
import { Log, type ProducerRecord } from '@sluice/log';
import { CRASH_PARTITIONS, CRASH_TOPIC, expectedRecord } from './crash-workload.js';

const [dir, compression] = process.argv.slice(2);
const log = await Log.openEmbedded({ dir: dir!, cleanerIntervalMs: 0 });
await log
  .admin()
  .ensureTopic({ name: CRASH_TOPIC, partitions: CRASH_PARTITIONS, config: { 'segment.bytes': 256 * 1024 } });
const producer = log.producer({ compression: compression === 'gzip' ? 'gzip' : 'none' });

// Offsets are assigned in call order, so the next offset of a partition is known when sending.
const next: number[] = [];
for (let p = 0; p < CRASH_PARTITIONS; p++) next.push((await log.storage.offsets(CRASH_TOPIC, p)).endOffset);
process.stdout.write(`ready ${next.join(' ')}\n`);

const inFlight = new Set<Promise<void>>();
let round = 0;
for (;;) {
  const partition = round++ % CRASH_PARTITIONS;
  const count = 1 + ((round * 37) % 60);
  const records: ProducerRecord[] = [];
  for (let i = 0; i < count; i++)
    records.push({ ...expectedRecord(partition, next[partition]! + i), partition });
  next[partition]! += count;
  const sent = producer.send({ topic: CRASH_TOPIC, records }).then((meta) => {
    for (const m of meta) process.stdout.write(`ack ${m.partition} ${m.lastOffset}\n`);
  });
  inFlight.add(sent);
  void sent.finally(() => inFlight.delete(sent));
  if (inFlight.size >= 4) await Promise.race(inFlight);
}
