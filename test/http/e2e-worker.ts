import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port.js';
import { WorkerProcess, writeYaml } from '../support/worker-process.js';

/** Plain JSON in the log, so tests read back what they sent. */
const PLAIN_JSON =
  'converters:\n  key.converter: org.apache.kafka.connect.json.JsonConverter\n  key.converter.schemas.enable: false\n' +
  '  value.converter: org.apache.kafka.connect.json.JsonConverter\n  value.converter.schemas.enable: false\n';

/**
 * A standalone worker on a fresh directory and a free port, with these connector files
 * (name -> YAML text) in its watched folder. Not started.
 */
export async function workerWith(prefix: string, connectors: Record<string, string>): Promise<WorkerProcess> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const port = await freePort();
  writeYaml(
    path.join(root, 'worker.yaml'),
    `mode: standalone\nrest:\n  host: 127.0.0.1\n  port: ${port}\nlog:\n  dir: ${root}/log\nconnectors:\n  dir: ${root}/connectors\n${PLAIN_JSON}`,
  );
  for (const [name, yaml] of Object.entries(connectors))
    writeYaml(path.join(root, 'connectors', `${name}.yaml`), yaml);
  return new WorkerProcess(path.join(root, 'worker.yaml'), `http://127.0.0.1:${port}`);
}

/** Resolves once `probe` is true, checking every `everyMs`; throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
