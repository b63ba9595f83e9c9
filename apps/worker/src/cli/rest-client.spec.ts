import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { RestClient, warningTexts } from './rest-client.js';

describe('warningTexts', () => {
  it('reads the texts of Warning headers, one or several, quotes and backslashes unescaped', () => {
    expect(warningTexts(null)).toEqual([]);
    expect(warningTexts('299 - "settings nothing reads: tpoics (did you mean topics?)"')).toEqual([
      'settings nothing reads: tpoics (did you mean topics?)',
    ]);
    expect(warningTexts('299 - "a \\"quoted\\" key, and a \\\\ backslash", 299 sluice "second"')).toEqual([
      'a "quoted" key, and a \\ backslash',
      'second',
    ]);
  });
});

describe('RestClient with credentials in its URL', () => {
  it('sends them as basic auth and keeps them out of its messages', async () => {
    let authorization: string | undefined;
    const server = http.createServer((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const client = new RestClient({ url: `http://admin:s3cr%40t@127.0.0.1:${port}/` });
      expect(await client.get('/connectors')).toEqual([]);
      expect(authorization).toBe(`Basic ${Buffer.from('admin:s3cr@t').toString('base64')}`);
    } finally {
      await new Promise((r) => server.close(r));
    }
    const unreachable = new RestClient({ url: `http://admin:s3cr%40t@127.0.0.1:${port}` });
    const failure = (await unreachable.get('/connectors').catch((err: unknown) => err)) as Error;
    expect(failure.message).toContain(`cannot reach the worker at http://127.0.0.1:${port}`);
    expect(failure.message).not.toMatch(/s3cr|admin/);
  });
});
