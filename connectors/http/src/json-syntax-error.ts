/**
 * Where a JSON text stops being valid, for answers like "400: unexpected '}' at line 3, column 7".
 * JSON.parse stays the parser (it is much faster); this scanner runs only after it failed, as
 * Node 20's messages do not name the position. It follows RFC 8259 exactly as JSON.parse does.
 */
export interface JsonSyntaxProblem {
  /** Zero-based index into the text (UTF-16 code units, as JavaScript strings count). */
  position: number;
  /** One-based. */
  line: number;
  column: number;
  message: string;
}

class Stop {
  constructor(
    readonly position: number,
    readonly message: string,
  ) {}
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const MAX_DEPTH = 10_000;

/** The first syntax error of `text`, or null when it is one valid JSON value. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  let i = 0;
  const n = text.length;

  const describe = (at: number): string => (at >= n ? 'end of input' : `${JSON.stringify(text[at])}`);
  const skipWs = (): void => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  const expectLiteral = (word: string): void => {
    for (let k = 0; k < word.length; k++, i++) {
      if (text[i] !== word[k]) throw new Stop(i, `unexpected ${describe(i)} in literal ${word}`);
    }
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= n) throw new Stop(i, 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) throw new Stop(i, 'control character in string (escape it)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            throw new Stop(i, 'invalid \\u escape (needs four hex digits)');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) throw new Stop(i, 'invalid escape in string');
        i += 2;
        continue;
      }
      i++;
    }
  };
  const number = (): void => {
    const start = i;
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (text[i] !== undefined && text[i]! >= '1' && text[i]! <= '9') {
      while (text[i] !== undefined && text[i]! >= '0' && text[i]! <= '9') i++;
    } else throw new Stop(i, `unexpected ${describe(i)} in number`);
    if (text[i] === '.') {
      i++;
      if (!(text[i]! >= '0' && text[i]! <= '9'))
        throw new Stop(i, 'expected a digit after the decimal point');
      while (text[i]! >= '0' && text[i]! <= '9') i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!(text[i]! >= '0' && text[i]! <= '9')) throw new Stop(i, 'expected a digit in the exponent');
      while (text[i]! >= '0' && text[i]! <= '9') i++;
    }
    if (i === start) throw new Stop(i, 'expected a number');
  };
  // iterative over nesting, so a deep document cannot overflow the stack
  const value = (): void => {
    const stack: ('{' | '[')[] = [];
    for (;;) {
      skipWs();
      const c = text[i];
      if (c === '{' || c === '[') {
        if (stack.length >= MAX_DEPTH) throw new Stop(i, 'nested too deeply');
        stack.push(c);
        i++;
        skipWs();
        if (c === '{') {
          if (text[i] === '}') {
            i++;
          } else {
            member();
            continue;
          }
        } else if (text[i] === ']') {
          i++;
        } else {
          continue;
        }
      } else if (c === '"') string();
      else if (c === 't') expectLiteral('true');
      else if (c === 'f') expectLiteral('false');
      else if (c === 'n') expectLiteral('null');
      else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
      else throw new Stop(i, `unexpected ${describe(i)}, expected a value`);
      // a value ended: close containers or move to the next element
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return;
        skipWs();
        const d = text[i];
        if (d === ',') {
          i++;
          if (top === '{') {
            skipWs();
            member();
          }
          break;
        }
        if ((top === '{' && d === '}') || (top === '[' && d === ']')) {
          i++;
          stack.pop();
          continue;
        }
        throw new Stop(i, `unexpected ${describe(i)}, expected "," or "${top === '{' ? '}' : ']'}"`);
      }
    }
  };
  const member = (): void => {
    if (text[i] !== '"')
      throw new Stop(i, `unexpected ${describe(i)}, expected a property name in double quotes`);
    string();
    skipWs();
    if (text[i] !== ':') throw new Stop(i, `unexpected ${describe(i)}, expected ":"`);
    i++;
  };

  try {
    skipWs();
    if (i >= n) throw new Stop(i, 'empty input, expected a value');
    value();
    skipWs();
    if (i < n) throw new Stop(i, `unexpected ${describe(i)} after the JSON value`);
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    return { position: err.position, ...lineAndColumn(text, err.position), message: err.message };
  }
}

/** One-based line and column of a position. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < position; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: position - lineStart + 1 };
}
