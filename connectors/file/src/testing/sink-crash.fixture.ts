/*
 * Run as a child process by file-sink.task.spec.ts: writes and commits three records, writes two
 * more without committing, then dies by SIGKILL, with no chance to clean up. Args: <dir> <root>.
 */
import { FileSinkTask } from '../file-sink.task.js';
import { RecordingSinkContext, sinkRecord } from '@sluice/connect-api/testing';

const [dir, root] = process.argv.slice(2);
const tp = { topic: 'orders', partition: 0 };
const task = new FileSinkTask();
await task.start({ path: dir!, format: 'jsonl', 'worker.files.roots': root! }, new RecordingSinkContext());
await task.open([tp]);
await task.put([0, 1, 2].map((n) => sinkRecord('orders', 0, n, { n })));
await task.preCommit(new Map([['orders-0', { partition: tp, offset: 3 }]]));
await task.put([3, 4].map((n) => sinkRecord('orders', 0, n, { n, uncommitted: true })));
process.kill(process.pid, 'SIGKILL');
