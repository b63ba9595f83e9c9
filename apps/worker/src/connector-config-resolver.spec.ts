import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { WorkerConfig } from '@sluice/config';
import { connectorConfigResolver } from './connector-config-resolver.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-resolver-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe("connector configs' ${file:...} references", () => {
  it('read below files.roots and files.secrets only', async () => {
    const config = new WorkerConfig();
    config.files.roots = [path.join(dir, 'data')];
    config.files.secrets = [path.join(dir, 'secrets')];
    const resolver = connectorConfigResolver(config);
    const inRoot = write('data/app.properties', 'user=app\n');
    const secret = write('secrets/db.properties', 'password=hunter2\n');
    const elsewhere = write('etc/other.properties', 'password=nope\n');
    await expect(
      resolver.resolve({ u: `\${file:${inRoot}:user}`, p: `\${file:${secret}:password}` }),
    ).resolves.toEqual({ u: 'app', p: 'hunter2' });
    await expect(resolver.resolve({ p: `\${file:${elsewhere}:password}` })).rejects.toThrow(
      /outside the allowed paths/,
    );
  });
});
