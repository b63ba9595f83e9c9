import type { ConnectHeader } from '@sluice/connect-api';
import type { RecordHeader } from '@sluice/log';
import { isRuntimeHeader } from '../offsets/source-offset-header.js';

/** Connect headers to log headers: bytes stay bytes, strings are UTF-8, other values JSON. */
export function toLogHeaders(
  headers: readonly ConnectHeader[],
): { key: string; value: Buffer | string | null }[] {
  return headers.map((h) => ({
    key: h.key,
    value:
      h.value === null || h.value === undefined
        ? null
        : Buffer.isBuffer(h.value) || typeof h.value === 'string'
          ? h.value
          : JSON.stringify(h.value),
  }));
}

/**
 * Log headers to Connect headers, as Kafka Connect's SimpleHeaderConverter reads them: strings.
 * The runtime's own headers (__sluice.*) stay behind.
 */
export function toConnectHeaders(headers: readonly RecordHeader[]): ConnectHeader[] {
  const out: ConnectHeader[] = [];
  for (const h of headers) {
    if (isRuntimeHeader(h.key)) continue;
    out.push({ key: h.key, value: h.value === null ? null : h.value.toString('utf8'), schema: null });
  }
  return out;
}
