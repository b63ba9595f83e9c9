/*
 * PostgreSQL log sequence numbers. An LSN is a 64-bit byte position in the WAL, written by the
 * server as two hex halves ("16/B374D848"). Sluice keeps them as bigints: comparisons stay exact
 * past 2^53 bytes of WAL, which a busy server can reach within a few years.
 */

export type Lsn = bigint;

export const ZERO_LSN: Lsn = 0n;

/** Parses "16/B374D848"; throws on anything else. */
export function parseLsn(text: string): Lsn {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1 || !/^[0-9A-Fa-f]+\/[0-9A-Fa-f]+$/.test(text)) {
    throw new Error(`not an LSN: ${JSON.stringify(text)}`);
  }
  const high = BigInt(`0x${text.slice(0, slash)}`);
  const low = BigInt(`0x${text.slice(slash + 1)}`);
  if (high > 0xffffffffn || low > 0xffffffffn) throw new Error(`LSN out of range: ${text}`);
  return (high << 32n) | low;
}

/** "16/B374D848", as the server writes it (upper-case hex, no padding). */
export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** An LSN as the decimal string offsets store (JSON has no 64-bit integers). */
export function lsnToOffset(lsn: Lsn): string {
  return lsn.toString();
}

/** Reads an LSN from an offset value: a decimal string, a safe integer, or the server's hex form. */
export function lsnFromOffset(value: unknown): Lsn | null {
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return BigInt(value);
    try {
      return parseLsn(value);
    } catch {
      return null;
    }
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n) return value;
  return null;
}

/**
 * An LSN as a Connect int64 value (Debezium's source.lsn): a number while it is exact, a bigint
 * beyond 2^53.
 */
export function lsnToInt64(lsn: Lsn): number | bigint {
  return lsn <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(lsn) : lsn;
}

export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}
