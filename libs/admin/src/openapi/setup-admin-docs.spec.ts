import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const SERVER = path.join(REPO_ROOT, 'libs/admin/src/testing/docs-ui-server.ts');
const children: ChildProcess[] = [];

/** Starts the docs server from the sources in a child Node process (see docs-ui-server.ts for why). */
async function startDocsServer(token?: string): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@sluice/source',
      '--import',
      '@swc-node/register/esm-register',
      SERVER,
      ...(token ? [token] : []),
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        SWC_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.typecheck.json'),
      },
    },
  );
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const port = /LISTENING (\d+)/.exec(stdout)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
    child.once('exit', (code) => reject(new Error(`docs server exited with ${code}: ${stderr}`)));
  });
}

let base = '';

beforeAll(async () => {
  base = await startDocsServer('docs-token');
}, 60_000);

afterAll(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

const auth = { headers: { Authorization: 'Bearer docs-token' } };

describe('Swagger UI', () => {
  it('serves the UI at /docs with its assets, and the document at /openapi.json', async () => {
    const page = await fetch(`${base}/docs`, auth);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/swagger-ui/i);
    const css = await fetch(`${base}/docs/swagger-ui.css`, auth);
    expect(css.status).toBe(200);
    const doc = (await (await fetch(`${base}/openapi.json`, auth)).json()) as {
      info: { title: string };
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.info.title).toBe('Sluice');
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearer']);
  });

  it('asks for credentials on the docs routes as on the API', async () => {
    const refused = await fetch(`${base}/docs`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="Sluice"');
    expect(await refused.json()).toEqual({ error_code: 401, message: 'Authentication required' });
    expect((await fetch(`${base}/docs/swagger-ui.css`)).status).toBe(401);
    expect((await fetch(`${base}/openapi.json`)).status).toBe(401);
    // however the path is encoded
    expect((await fetch(`${base}/openapi%2Ejson`)).status).toBe(401);
    expect((await fetch(`${base}/d%6Fcs/swagger-ui-init.js`)).status).toBe(401);
    expect((await fetch(`${base}/d%6Fcs/index.html`)).status).toBe(401);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
