/**
 * Reads a whole partition with a consumer in a fresh process and prints
 * {"records":N,"bytes":B,"seconds":S,"maxRssMb":M}, so peak RSS belongs to the read alone.
 */
import { Log } from '@sluice/log';

const [dir, topic] = process.argv.slice(2);
const log = await Log.openEmbedded({ dir: dir!, cleanerIntervalMs: 0 });
const consumer = log.consumer({ autoOffsetReset: 'earliest' });
consumer.assign([{ topic: topic!, partition: 0 }]);
const { endOffset } = await log.storage.offsets(topic!, 0);

const started = performance.now();
let records = 0;
let bytes = 0;
while (records < endOffset) {
  for (const part of await consumer.poll()) {
    for (const record of part.records) bytes += record.value!.length;
    records += part.records.length;
  }
}
const seconds = (performance.now() - started) / 1000;
await consumer.close();
await log.close();
console.log(JSON.stringify({ records, bytes, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
