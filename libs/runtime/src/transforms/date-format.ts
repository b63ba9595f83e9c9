/*
 * A subset of java.text.SimpleDateFormat, always in UTC (Kafka's TimestampConverter and
 * TimestampRouter set the UTC zone), so patterns written for Kafka Connect work unchanged.
 *
 * Pattern grammar: runs of one letter are fields, text in single quotes is literal ('' is a quote),
 * anything else is literal. Supported letters:
 *   G era          y year (yy: two digits)   M/L month (M, MM, MMM, MMMM)   d day of month
 *   D day of year  E day name (EEE, EEEE)    u day number (1 = Monday)      a AM/PM
 *   H hour 0-23    k hour 1-24               K hour 0-11                    h hour 1-12
 *   m minute       s second                  S millisecond (a count, as Java, not a fraction)
 *   Z +0000        X Z, +00, +0000, +00:00   z UTC
 *
 * Parsing follows SimpleDateFormat's lenient defaults: unset fields come from 1970-01-01T00:00:00Z,
 * out-of-range values roll over (month 13 is January of the next year), a numeric field directly
 * followed by another numeric field reads exactly its width ("yyyyMMdd"), and text after the
 * pattern is ignored.
 */

type Token = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; count: number };

const SUPPORTED = new Set('GyMLdDEuaHkKhmsSZXz');
const NUMERIC = new Set('yMLdDuHkKhmsS');
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_MS = 86_400_000;

function isNumericField(token: Token | undefined): boolean {
  if (token?.kind !== 'field') return false;
  return NUMERIC.has(token.letter) && !((token.letter === 'M' || token.letter === 'L') && token.count >= 3);
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const literal = (text: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'literal') tokens[tokens.length - 1] = { kind: 'literal', text: last.text + text };
    else tokens.push({ kind: 'literal', text });
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        literal("'");
        i += 2;
        continue;
      }
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw new Error(`Unterminated quote in date pattern "${pattern}"`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      literal(text);
      i = j + 1;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (!SUPPORTED.has(c))
        throw new Error(`Unsupported pattern letter '${c}' in date pattern "${pattern}"`);
      let j = i;
      while (pattern[j] === c) j++;
      tokens.push({ kind: 'field', letter: c, count: j - i });
      i = j;
    } else {
      literal(c);
      i++;
    }
  }
  return tokens;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

interface Parsed {
  year: number;
  month: number;
  day: number;
  dayOfYear: number | null;
  hour: number;
  pm: boolean | null;
  minute: number;
  second: number;
  millis: number;
  offsetMinutes: number;
  bc: boolean;
}

export class DateFormat {
  private readonly tokens: Token[];

  /** Throws an Error naming the problem when the pattern is malformed or uses unsupported letters. */
  constructor(readonly pattern: string) {
    this.tokens = tokenize(pattern);
  }

  format(date: Date): string {
    const t = date.getTime();
    if (Number.isNaN(t)) throw new RangeError('Cannot format an invalid Date');
    let out = '';
    for (const token of this.tokens) {
      if (token.kind === 'literal') {
        out += token.text;
        continue;
      }
      const n = token.count;
      switch (token.letter) {
        case 'G':
          out += date.getUTCFullYear() > 0 ? 'AD' : 'BC';
          break;
        case 'y': {
          const y = date.getUTCFullYear();
          const year = y > 0 ? y : 1 - y;
          out += n === 2 ? pad(year % 100, 2) : pad(year, n);
          break;
        }
        case 'M':
        case 'L': {
          const m = date.getUTCMonth();
          out += n >= 4 ? MONTHS[m] : n === 3 ? MONTHS[m]!.slice(0, 3) : pad(m + 1, n);
          break;
        }
        case 'd':
          out += pad(date.getUTCDate(), n);
          break;
        case 'D': {
          const startOfYear = Date.UTC(date.getUTCFullYear(), 0, 1);
          out += pad(Math.floor((t - startOfYear) / DAY_MS) + 1, n);
          break;
        }
        case 'E': {
          const name = DAYS[date.getUTCDay()]!;
          out += n >= 4 ? name : name.slice(0, 3);
          break;
        }
        case 'u':
          out += pad(date.getUTCDay() === 0 ? 7 : date.getUTCDay(), n);
          break;
        case 'a':
          out += date.getUTCHours() < 12 ? 'AM' : 'PM';
          break;
        case 'H':
          out += pad(date.getUTCHours(), n);
          break;
        case 'k':
          out += pad(date.getUTCHours() === 0 ? 24 : date.getUTCHours(), n);
          break;
        case 'K':
          out += pad(date.getUTCHours() % 12, n);
          break;
        case 'h':
          out += pad(date.getUTCHours() % 12 === 0 ? 12 : date.getUTCHours() % 12, n);
          break;
        case 'm':
          out += pad(date.getUTCMinutes(), n);
          break;
        case 's':
          out += pad(date.getUTCSeconds(), n);
          break;
        case 'S':
          out += pad(date.getUTCMilliseconds(), n);
          break;
        case 'Z':
          out += '+0000';
          break;
        case 'X':
          out += 'Z';
          break;
        case 'z':
          out += n >= 4 ? 'Coordinated Universal Time' : 'UTC';
          break;
      }
    }
    return out;
  }

  /** Throws an Error saying where the text stopped matching. */
  parse(text: string): Date {
    const p: Parsed = {
      year: 1970,
      month: 0,
      day: 1,
      dayOfYear: null,
      hour: 0,
      pm: null,
      minute: 0,
      second: 0,
      millis: 0,
      offsetMinutes: 0,
      bc: false,
    };
    let pos = 0;
    const fail = (what: string): never => {
      throw new Error(
        `Unparseable date "${text}" for pattern "${this.pattern}": expected ${what} at position ${pos}`,
      );
    };
    const readNumber = (maxWidth: number | null, what: string): number => {
      const start = pos;
      let end = pos;
      if (text[end] === '-' || text[end] === '+') end++;
      while (end < text.length && text[end]! >= '0' && text[end]! <= '9') {
        if (maxWidth !== null && end - start >= maxWidth) break;
        end++;
      }
      const digits = text.slice(start, end);
      if (!/\d/.test(digits)) fail(what);
      pos = end;
      return Number(digits);
    };
    const readName = (names: readonly string[], what: string): number => {
      const rest = text.slice(pos).toLowerCase();
      let best = -1;
      let bestLength = 0;
      names.forEach((name, index) => {
        for (const candidate of [name, name.slice(0, 3)]) {
          if (candidate.length > bestLength && rest.startsWith(candidate.toLowerCase())) {
            best = index;
            bestLength = candidate.length;
          }
        }
      });
      if (best < 0) fail(what);
      pos += bestLength;
      return best;
    };
    const readOffset = (): number => {
      const rest = text.slice(pos);
      if (/^Z/i.test(rest)) {
        pos += 1;
        return 0;
      }
      const m = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})?/.exec(rest) ?? /^(UTC|GMT)/.exec(rest);
      if (!m) return fail('a zone offset');
      pos += m[0].length;
      if (m[1] === 'UTC' || m[1] === 'GMT') return 0;
      const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
      return m[1] === '-' ? -minutes : minutes;
    };

    this.tokens.forEach((token, index) => {
      if (token.kind === 'literal') {
        if (!text.startsWith(token.text, pos)) fail(`"${token.text}"`);
        pos += token.text.length;
        return;
      }
      const fixed = isNumericField(this.tokens[index + 1]) ? token.count : null;
      switch (token.letter) {
        case 'G':
          p.bc = readName(['AD', 'BC'], 'an era') === 1;
          break;
        case 'y': {
          const start = pos;
          const year = readNumber(fixed, 'a year');
          // SimpleDateFormat reads exactly two digits under "yy" into the century around now.
          if (token.count <= 2 && pos - start === 2 && /^\d\d$/.test(text.slice(start, pos))) {
            const pivot = new Date().getUTCFullYear() - 80;
            let full = Math.floor(pivot / 100) * 100 + year;
            if (full < pivot) full += 100;
            p.year = full;
          } else p.year = year;
          break;
        }
        case 'M':
        case 'L':
          p.month = token.count >= 3 ? readName(MONTHS, 'a month name') : readNumber(fixed, 'a month') - 1;
          break;
        case 'd':
          p.day = readNumber(fixed, 'a day');
          break;
        case 'D':
          p.dayOfYear = readNumber(fixed, 'a day of year');
          break;
        case 'E':
          readName(DAYS, 'a day name');
          break;
        case 'u':
          readNumber(fixed, 'a day number');
          break;
        case 'a':
          p.pm = readName(['AM', 'PM'], 'AM or PM') === 1;
          break;
        case 'H':
        case 'K':
          p.hour = readNumber(fixed, 'an hour');
          break;
        case 'k': {
          const h = readNumber(fixed, 'an hour');
          p.hour = h === 24 ? 0 : h;
          break;
        }
        case 'h': {
          const h = readNumber(fixed, 'an hour');
          p.hour = h === 12 ? 0 : h;
          break;
        }
        case 'm':
          p.minute = readNumber(fixed, 'minutes');
          break;
        case 's':
          p.second = readNumber(fixed, 'seconds');
          break;
        case 'S':
          p.millis = readNumber(fixed, 'milliseconds');
          break;
        case 'Z':
        case 'X':
        case 'z':
          p.offsetMinutes = readOffset();
          break;
      }
    });

    const hour = p.pm === true && p.hour < 12 ? p.hour + 12 : p.hour;
    const d = new Date(0);
    // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
    if (p.dayOfYear !== null) d.setUTCFullYear(p.bc ? 1 - p.year : p.year, 0, p.dayOfYear);
    else d.setUTCFullYear(p.bc ? 1 - p.year : p.year, p.month, p.day);
    d.setUTCHours(hour, p.minute, p.second, p.millis);
    return new Date(d.getTime() - p.offsetMinutes * 60_000);
  }
}
