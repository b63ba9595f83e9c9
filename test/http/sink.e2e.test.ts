import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { FlakyReceiver } from '../../connectors/http/src/testing/flaky-receiver.js';
import { writeYaml } from '../support/worker-process.js';
import type { WorkerProcess } from '../support/worker-process.js';
import { waitUntil, workerWith } from './e2e-worker.js';

const PARTITIONS = 3;
const PER_PARTITION = 1200;
const TOTAL = PARTITIONS * PER_PARTITION;

const receiver = new FlakyReceiver(
  {
    error500: 0.1,
    throttle429: 0.04,
    slow: 0.1,
    resetBefore: 0.04,
    resetAfter: 0.06,
    slowMs: 150,
    retryAfterSeconds: 1,
  },
  { dedupe: 'offsets' },
);
let worker: WorkerProcess | null = null;
afterAll(async () => {
  await worker?.stop();
  await receiver.close();
});

async function rest(method: string, url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${await res.text()}`);
}

describe('http-sink end to end', () => {
  it('delivers every record in partition order, each once after dedupe, through a flaky receiver and a SIGKILL', async () => {
    const url = await receiver.listen();
    worker = await workerWith('sluice-http-sink-', {});
    await worker.start();
    await rest('POST', `${worker.url}/topics`, { name: 'orders', partitions: PARTITIONS });
    for (let from = 0; from < PER_PARTITION; from += 600) {
      const records = [];
      for (let p = 0; p < PARTITIONS; p++)
        for (let seq = from; seq < from + 600; seq++) records.push({ partition: p, value: { p, seq } });
      await rest('POST', `${worker.url}/topics/orders/records`, { records });
    }
    const sinkFile = path.join(path.dirname(worker.configFile), 'connectors', 'deliver.yaml');
    // no offset commit before the kill (worst case): the restarted sink sends everything again
    const sinkYaml = (batch: number): string =>
      `name: deliver\nconfig:\n  connector.class: http-sink\n  topics: orders\n  http.url: ${url}/receive\n` +
      `  batch.max.records: ${batch}\n  max.in.flight.requests: 3\n  max.retries: -1\n` +
      '  retry.backoff.ms: 20\n  retry.backoff.max.ms: 1000\n  offset.flush.interval.ms: 60000\n';
    writeYaml(sinkFile, sinkYaml(50));
    await waitUntil('a part of the records', () => receiver.items.length >= TOTAL * 0.4, 30_000, 10);
    await worker.kill();
    const beforeRestart = receiver.items.length;
    expect(beforeRestart).toBeLessThan(TOTAL);

    // batches after the restart end elsewhere, as they do when the log's deliveries differ
    writeYaml(sinkFile, sinkYaml(73));
    await worker.start();
    await waitUntil('every record', () => receiver.items.length >= TOTAL, 30_000);

    expect(receiver.problems).toEqual([]);
    const items = receiver.items as { p: number; seq: number }[];
    for (let p = 0; p < PARTITIONS; p++) {
      expect(items.filter((i) => i.p === p).map((i) => i.seq)).toEqual(
        Array.from({ length: PER_PARTITION }, (_, i) => i),
      );
    }
    expect(items).toHaveLength(TOTAL);
    expect(receiver.stats.failed).toBeGreaterThan(0);
    // repeats were recognised both whole (retries, resends) and in part (batched differently)
    expect(receiver.stats.duplicates).toBeGreaterThan(0);
    expect(receiver.stats.overlaps).toBeGreaterThan(0);
  }, 120_000);
});
