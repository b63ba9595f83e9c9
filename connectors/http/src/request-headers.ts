/** The prefix of extra request headers: `http.headers.X-Api-Version: 2` (YAML: a nested map). */
export const HEADERS_PREFIX = 'http.headers.';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// visible ASCII and Latin-1, spaces and tabs: no CR, LF or NUL that could split a request
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Headers undici or the connector sets itself: configuring them would break requests. */
const RESERVED = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'host',
  'upgrade',
  'keep-alive',
]);

export interface HeaderProblem {
  field: string;
  message: string;
}

/** The configured extra headers (names as written), and what is wrong with them. */
export function requestHeadersOf(raw: Readonly<Record<string, unknown>>): {
  headers: Record<string, string>;
  problems: HeaderProblem[];
} {
  const headers: Record<string, string> = {};
  const problems: HeaderProblem[] = [];
  for (const [field, value] of Object.entries(raw)) {
    if (!field.startsWith(HEADERS_PREFIX)) continue;
    const name = field.slice(HEADERS_PREFIX.length);
    const text = value === null || value === undefined ? '' : String(value);
    if (!TOKEN.test(name))
      problems.push({ field, message: `${field}: "${name}" is not a valid header name` });
    else if (RESERVED.has(name.toLowerCase()))
      problems.push({ field, message: `${field}: ${name} is set by the connector itself` });
    else if (!VALUE.test(text))
      problems.push({ field, message: `${field}: the value holds characters a header cannot (CR, LF, NUL)` });
    else headers[name] = text;
  }
  return { headers, problems };
}

/** Whether `value` may be sent as a header value. */
export function isHeaderValue(value: string): boolean {
  return VALUE.test(value);
}
