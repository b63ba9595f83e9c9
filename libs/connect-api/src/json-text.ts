import { DataError } from './errors.js';

/*
 * JSON text without losing numbers, for connectors as for the runtime's converters. JSON.parse reads every number as a double, which corrupts
 * int64 ids past 2^53 and decimals with more than 15 significant digits. Those are rare, so
 * JSON.parse stays the fast path, and only text that holds a long run of digits goes through the
 * parser below, which reads integers past 2^53 as bigints and long decimals as JsonDecimal (the
 * exact text), for the schema'd conversion to turn into Decimal strings or numbers.
 */

/** A JSON number too precise for a double, kept as its text. */
export class JsonDecimal {
  constructor(readonly text: string) {}

  toNumber(): number {
    return Number(this.text);
  }
}

/** Digits and dots in a row that a double may not hold exactly. */
const LOSSY_RUN = 16;

function isDigitOrDot(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46;
}

/**
 * At least 16 digits (or digits and a dot) in a row, starting with a digit: a number JSON.parse
 * might round. Any such run covers one of every 16th character, so only those are looked at, and
 * around a digit or dot found there the run is measured: most text is checked at a 16th of the
 * cost of reading it all (a regex over every character cost as much as the parse itself).
 */
export function maybeLossy(text: string): boolean {
  let scannedTo = 0;
  for (let i = LOSSY_RUN - 1; i < text.length; i += LOSSY_RUN) {
    if (i < scannedTo || !isDigitOrDot(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isDigitOrDot(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < text.length && isDigitOrDot(text.charCodeAt(end))) end++;
    scannedTo = end;
    // a run starts at a digit: dots before the first digit do not count
    while (start < end && text.charCodeAt(start) === 46) start++;
    if (end - start >= LOSSY_RUN) return true;
  }
  return false;
}

export interface ParsedJson {
  value: unknown;
  /** The value may hold bigints and JsonDecimals (else it is exactly what JSON.parse returns). */
  lossless: boolean;
}

/** Parses JSON text; throws a SyntaxError on invalid text. */
export function parseJson(text: string): ParsedJson {
  if (!maybeLossy(text)) return { value: JSON.parse(text) as unknown, lossless: false };
  return { value: new LosslessParser(text).parseDocument(), lossless: true };
}

/**
 * Schemaless data from JSON text: JSON.parse's result, but integers past 2^53 exact (bigints), as
 * the JSON converter writes them; throws a SyntaxError on invalid text.
 */
export function parseSchemalessJson(text: string): unknown {
  return schemalessValue(parseJson(text));
}

/** A parse's value with any JsonDecimals as plain numbers (schemaless data has no decimal type). */
export function schemalessValue(parsed: ParsedJson): unknown {
  return parsed.lossless ? withoutJsonDecimals(parsed.value) : parsed.value;
}

/** Always the exact parser: for tests, and callers that know their text holds long numbers. */
export function parseJsonExact(text: string): unknown {
  return new LosslessParser(text).parseDocument();
}

/** Turns the JsonDecimals of a lossless parse into plain numbers, for schemaless data. */
export function withoutJsonDecimals(value: unknown): unknown {
  if (value instanceof JsonDecimal) return value.toNumber();
  if (Array.isArray(value)) return value.map(withoutJsonDecimals);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, withoutJsonDecimals(v));
    return out;
  }
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters inside strings
const STRING_BODY = /(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class LosslessParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.value();
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('end of input');
    return value;
  }

  private fail(expected: string): never {
    const found = this.pos < this.text.length ? JSON.stringify(this.text[this.pos]) : 'end of input';
    throw new SyntaxError(`Expected ${expected} but found ${found} at position ${this.pos}`);
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  private value(): unknown {
    this.skipWhitespace();
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        return this.number();
    }
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`"${word}"`);
    this.pos += word.length;
    return value;
  }

  private number(): number | bigint | JsonDecimal {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.fail('a JSON value');
    this.pos = NUMBER.lastIndex;
    const text = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    const digits = text
      .replace(/^-/, '')
      .replace(/[eE].*$/, '')
      .replace('.', '')
      .replace(/^0+/, '');
    return digits.length > 15 ? new JsonDecimal(text) : Number(text);
  }

  private string(): string {
    STRING_BODY.lastIndex = this.pos + 1;
    if (!STRING_BODY.exec(this.text)) this.fail('a valid string');
    const end = STRING_BODY.lastIndex;
    const s = JSON.parse(this.text.slice(this.pos, end)) as string;
    this.pos = end;
    return s;
  }

  private array(): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') {
        this.pos--;
        this.fail('"," or "]"');
      }
    }
  }

  private object(): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('a property name');
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos++] !== ':') {
        this.pos--;
        this.fail('":"');
      }
      setOwn(out, key, this.value());
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') {
        this.pos--;
        this.fail('"," or "}"');
      }
    }
  }
}

const MAX_NATIVE_DEPTH = 32;

/**
 * Whether JSON.stringify writes `value` exactly as writeJson would: plain objects and arrays
 * of strings, finite numbers, booleans, nulls and valid Dates (undefined properties are skipped by
 * both).
 */
function isNativeJson(value: object, depth: number): boolean {
  if (depth > MAX_NATIVE_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isNativeJsonValue(value[i], depth)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    if (!isNativeJsonValue((value as Record<string, unknown>)[key], depth)) return false;
  }
  return true;
}

function isNativeJsonValue(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object':
      if (v === null) return true;
      // a valid Date's toJSON is its ISO 8601 text, as writeJson writes it
      if (v instanceof Date) return !Number.isNaN(v.getTime());
      return isNativeJson(v, depth + 1);
    default:
      return false;
  }
}

/** Characters a JSON string literal escapes (quotes, backslashes, controls) or checks (surrogates). */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A JSON string literal, as JSON.stringify writes it. Most strings need no escaping, and a test
 * for that plus quotes costs about half of JSON.stringify's call.
 */
export function quoteJson(s: string): string {
  return NEEDS_ESCAPING.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * Jackson (and so Kafka) writes non-finite doubles as the strings "NaN", "Infinity" and
 * "-Infinity"; the float readers accept them back.
 */
export function writeJsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : quoteJson(String(n));
}

/**
 * Writes a value without a schema: what JSON.stringify does, plus bigints as exact integers,
 * Buffers as base64 (Kafka's bytes), Maps as objects, JsonDecimals as their text, Dates as ISO
 * 8601 strings and non-finite numbers as Jackson does. Functions and symbols are DataErrors.
 */
export function writeJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  // most data is plain JSON already, which the native serializer writes several times faster
  if (typeof value === 'object' && isNativeJson(value, 0)) return JSON.stringify(value);
  switch (typeof value) {
    case 'string':
      return quoteJson(value);
    case 'number':
      return writeJsonNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new DataError(`Cannot write a ${typeof value} as JSON`);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + writeJson(value[i]);
    return `${out}]`;
  }
  if (value instanceof Uint8Array)
    return quoteJson(Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64'));
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new DataError('Cannot write an invalid Date as JSON');
    return quoteJson(value.toISOString());
  }
  if (value instanceof JsonDecimal) return value.text;
  // Maps, plain objects and other objects alike: their own enumerable properties, as JSON.stringify.
  let out = '{';
  if (value instanceof Map) {
    for (const [k, v] of value) {
      if (v === undefined) continue;
      if (out.length > 1) out += ',';
      out += `${quoteJson(String(k))}:${writeJson(v)}`;
    }
  } else {
    const record = value as Readonly<Record<string, unknown>>;
    for (const k of Object.keys(record)) {
      const v = record[k];
      if (v === undefined) continue;
      if (out.length > 1) out += ',';
      out += `${quoteJson(k)}:${writeJson(v)}`;
    }
  }
  return `${out}}`;
}

/** Sets `key` as an own property, even "__proto__" (which plain assignment would take as the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
