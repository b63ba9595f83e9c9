import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CliOutput } from './output.js';
import { RestClient } from './rest-client.js';
import { topicsCommand } from './topics.command.js';

// a page as the worker writes it: the stored JSON embedded as is
const PAGE =
  '{"topic":"t","partition":0,"start_offset":0,"end_offset":1,"next_offset":1,"records":[' +
  '{"offset":0,"timestamp":1700000000000,"key":9007199254740993,"key_format":"json",' +
  '"value":{"id": 12345678901234567890, "price": 0.12345678901234567890, "name": "ada"},"value_format":"json",' +
  '"headers":[{"key":"h","value":[18446744073709551615],"format":"json"},{"key":"s","value":"text","format":"string"}]}]}';
const TOPIC = { name: 't', partitions: [{ partition: 0, start_offset: 0, end_offset: 1 }] };

let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const at = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (at.pathname === '/topics/t') return void res.end(JSON.stringify(TOPIC));
    if (at.searchParams.get('offset') === '0') return void res.end(PAGE);
    res.end('{"topic":"t","partition":0,"start_offset":0,"end_offset":1,"next_offset":1,"records":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('sluice topics consume', () => {
  it('prints numbers past what a double holds exactly as the worker sent them', async () => {
    const lines: string[] = [];
    const output: CliOutput = { out: (l) => void lines.push(l), err: () => {} };
    await topicsCommand(() => new RestClient({ url }), output).parseAsync(
      ['consume', 't', '--from-beginning'],
      {
        from: 'user',
      },
    );
    expect(lines).toEqual([
      '{"topic":"t","partition":0,"offset":0,"timestamp":1700000000000,"key":9007199254740993,' +
        '"value":{"id":12345678901234567890,"price":0.12345678901234567890,"name":"ada"},' +
        '"headers":{"h":[18446744073709551615],"s":"text"}}',
    ]);
  });
});
