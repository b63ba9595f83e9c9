import { DataError, type Schema } from '@sluice/connect-api';

/*
 * Kafka Connect's Decimal logical type: a `bytes` schema with a `scale` parameter. In Sluice a
 * decimal value is a decimal string ("-12.30"); numbers and bigints are accepted where a value comes
 * in. On the wire (BASE64 JSON, Kafka's bytes) it is the unscaled integer as big-endian two's
 * complement in the fewest bytes, as Java's BigInteger.toByteArray().
 */

const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export function decimalScale(schema: Schema): number {
  const scale = Number(schema.parameters?.['scale'] ?? '0');
  if (!Number.isInteger(scale)) throw new DataError(`Invalid Decimal scale ${schema.parameters?.['scale']}`);
  return scale;
}

/** True when `text` is a number Java's BigDecimal would read. */
export function isDecimalText(text: string): boolean {
  const m = DECIMAL_TEXT.exec(text);
  return m !== null && /\d/.test((m[2] ?? '') + (m[3] ?? ''));
}

/**
 * The unscaled integer of `value` at `scale`: 12.3 at scale 2 is 1230n. Throws a DataError when
 * the value is not a number or has more fractional digits than the scale keeps (silently rounding
 * money is not an option).
 */
export function unscaledAt(value: unknown, scale: number): bigint {
  if (typeof value === 'bigint')
    return scale >= 0 ? value * 10n ** BigInt(scale) : requireExact(value, scale);
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DataError(`Cannot represent ${value} as a Decimal`);
    text = String(value);
  } else if (typeof value === 'string') text = value.trim();
  else throw new DataError(`Invalid type for Decimal: expected a decimal string, got ${typeof value}`);
  const m = DECIMAL_TEXT.exec(text);
  if (!m || !/\d/.test((m[2] ?? '') + (m[3] ?? ''))) throw new DataError(`Invalid decimal "${text}"`);
  const fraction = m[3] ?? '';
  let digits = BigInt((m[2] ?? '') + fraction || '0');
  if (m[1] === '-') digits = -digits;
  // value = digits * 10^(exponent - fraction.length); shift it to `scale` fractional digits.
  const shift = scale + Number(m[4] ?? '0') - fraction.length;
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  if (digits % divisor !== 0n)
    throw new DataError(`Decimal ${text} has more digits after the point than its scale ${scale}`);
  return digits / divisor;
}

function requireExact(value: bigint, scale: number): bigint {
  const divisor = 10n ** BigInt(-scale);
  if (value % divisor !== 0n) throw new DataError(`Decimal ${value} does not fit scale ${scale}`);
  return value / divisor;
}

/** The decimal string of `unscaled` at `scale`: (-1230n, 2) is "-12.30". */
export function formatDecimal(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Big-endian two's complement in the fewest bytes (0 is one zero byte), as BigInteger.toByteArray. */
export function unscaledToBytes(unscaled: bigint): Buffer {
  let length = 1;
  while (unscaled < -(1n << BigInt(8 * length - 1)) || unscaled >= 1n << BigInt(8 * length - 1)) length++;
  const hex = BigInt.asUintN(8 * length, unscaled)
    .toString(16)
    .padStart(2 * length, '0');
  return Buffer.from(hex, 'hex');
}

export function bytesToUnscaled(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  const unsigned = BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`);
  return BigInt.asIntN(8 * bytes.length, unsigned);
}
