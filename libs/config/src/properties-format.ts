/**
 * Java's .properties format as java.util.Properties.load reads it, which is what Kafka's
 * FileConfigProvider reads: `#`/`!` comments, `key=value`, `key: value` or `key value`, a trailing
 * backslash continues the line, and `\t \n \r \f \uXXXX` escapes. A later key replaces an earlier one.
 * Never fails: like Java, malformed input yields whatever keys it can (the file may hold secrets,
 * so there is no error message that could quote it).
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const natural = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < natural.length; i++) {
    let line = natural[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // A line ending in an odd number of backslashes continues on the next one, minus its indentation.
    while (endsWithOddBackslashes(line) && i + 1 < natural.length) {
      line = line.slice(0, -1) + natural[++i]!.replace(/^[ \t\f]+/, '');
    }
    if (endsWithOddBackslashes(line)) line = line.slice(0, -1);

    let keyEnd = 0;
    while (keyEnd < line.length) {
      const c = line[keyEnd]!;
      if (c === '\\') keyEnd += 2;
      else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      else keyEnd++;
    }
    keyEnd = Math.min(keyEnd, line.length);
    let valueStart = keyEnd;
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart]!)) valueStart++;
    if (line[valueStart] === '=' || line[valueStart] === ':') valueStart++;
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart]!)) valueStart++;
    out.set(unescape(line.slice(0, keyEnd)), unescape(line.slice(valueStart)));
  }
  return out;
}

function endsWithOddBackslashes(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

const SIMPLE_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const next = s[++i]!;
    if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[next] ?? next;
    }
  }
  return out;
}
