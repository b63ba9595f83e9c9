/*
 * Decimal texts as PostgreSQL writes numeric values ("-12.300", "1200", "NaN") and the two Debezium
 * encodings that need their parts: Connect Decimals with a fixed scale, and VariableScaleDecimal
 * structs {scale, value: unscaled two's-complement bytes}.
 */

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

export function isSpecialNumeric(text: string): boolean {
  return text === 'NaN' || text === 'Infinity' || text === '-Infinity';
}

/** The unscaled integer and scale of a plain decimal text, trailing fraction zeros dropped. */
export function strippedDecimal(text: string): { unscaled: bigint; scale: number } {
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  let unscaled = BigInt((m[2] ?? '') + fraction || '0');
  if (m[1] === '-') unscaled = -unscaled;
  return { unscaled, scale: fraction.length };
}

/** Big-endian two's complement in the fewest bytes, as java.math.BigInteger.toByteArray(). */
export function unscaledBytes(unscaled: bigint): Buffer {
  let length = 1;
  while (unscaled < -(1n << BigInt(8 * length - 1)) || unscaled >= 1n << BigInt(8 * length - 1)) length++;
  const hex = BigInt.asUintN(8 * length, unscaled)
    .toString(16)
    .padStart(2 * length, '0');
  return Buffer.from(hex, 'hex');
}

/**
 * `text` at exactly `scale` fraction digits, rounding half up (away from zero) when it has more,
 * as BigDecimal.setScale(scale, HALF_UP).
 */
export function atScale(text: string, scale: number): string {
  const m = DECIMAL.exec(text);
  if (!m) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const negative = m[1] === '-';
  const whole = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const fraction = m[3] ?? '';
  if (fraction.length <= scale) {
    const padded = fraction.padEnd(scale, '0');
    const out = scale > 0 ? `${whole}.${padded}` : whole;
    return negative && /[1-9]/.test(out) ? `-${out}` : out;
  }
  let digits = BigInt(whole + fraction.slice(0, scale));
  if (Number(fraction[scale]) >= 5) digits += 1n;
  const s = digits.toString().padStart(scale + 1, '0');
  const out = scale > 0 ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s;
  return negative && digits !== 0n ? `-${out}` : out;
}
