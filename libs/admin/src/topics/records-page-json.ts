import type { PeekedPage, PeekedRecord } from './record-peek.js';

/*
 * A page is written by hand rather than by Fastify's JSON.stringify: keys, values and headers that
 * are JSON go in as the text stored in the log, so their numbers reach the client exactly as
 * written (a parse and JSON.stringify would round integers past 2^53 and long decimals).
 */

const quote = JSON.stringify;

function recordJson(r: PeekedRecord): string {
  const headers = r.headers.map(
    (h) => `{"key":${quote(h.key)},"value":${h.value.json},"format":${quote(h.value.format)}}`,
  );
  return (
    `{"offset":${r.offset},"timestamp":${r.timestamp},` +
    `"key":${r.key.json},"key_format":${quote(r.key.format)},` +
    `"value":${r.value.json},"value_format":${quote(r.value.format)},` +
    `"headers":[${headers.join(',')}]}`
  );
}

/** The JSON text of a RecordsPage. */
export function recordsPageJson(page: PeekedPage): string {
  const { records, ...envelope } = page;
  const head = quote(envelope);
  return `${head.slice(0, -1)},"records":[${records.map(recordJson).join(',')}]}`;
}
