/*
 * The webhook bench's reference, run as its own process as the worker is: a bare node:http server
 * that parses JSON-array bodies and answers with the count, as the ingest route does, but stores
 * nothing. Prints its port on stdout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const items = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ accepted: items.length }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
