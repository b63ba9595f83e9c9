import { describe, expect, it } from '@jest/globals';
import { bodyFormatOf, parseWebhookBody, type ParsedBody } from './webhook-body-parser.js';

const items = (parsed: ParsedBody): unknown[] => {
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.items;
};
const message = (parsed: ParsedBody): string => (parsed.ok ? 'accepted' : parsed.message);

describe('bodyFormatOf', () => {
  it('reads the JSON kind from the content type, and sniffs the rest', () => {
    expect(bodyFormatOf('application/json; charset=utf-8')).toBe('json');
    expect(bodyFormatOf('application/vnd.api+json')).toBe('json');
    expect(bodyFormatOf('application/x-ndjson')).toBe('ndjson');
    expect(bodyFormatOf('application/jsonl')).toBe('ndjson');
    expect(bodyFormatOf('application/json-seq')).toBe('json-seq');
    expect(bodyFormatOf('text/plain')).toBe('sniff');
    expect(bodyFormatOf(undefined)).toBe('sniff');
  });
});

describe('parseWebhookBody', () => {
  it('refuses a body that is not UTF-8, naming the first byte that is not', () => {
    // "café" with é as Latin-1
    const latin1 = Buffer.from([...Buffer.from('{"name":"caf'), 0xe9, ...Buffer.from('"}')]);
    expect(message(parseWebhookBody(latin1, 'json'))).toBe(
      'the body is not UTF-8: byte 12 is not part of a character',
    );
    const overlong = Buffer.from([...Buffer.from('["'), 0xc0, 0xaf, ...Buffer.from('"]')]);
    expect(message(parseWebhookBody(overlong, 'sniff'))).toMatch(/byte 2 /);
    const surrogate = Buffer.from([...Buffer.from('"'), 0xed, 0xa0, 0x80, ...Buffer.from('"')]);
    expect(message(parseWebhookBody(surrogate, 'ndjson'))).toMatch(/byte 1 /);
    const cut = Buffer.from([...Buffer.from('"ab'), 0xe2, 0x82]);
    expect(message(parseWebhookBody(cut, 'json'))).toMatch(/byte 3 /);
  });

  it('takes UTF-8 in every width, and a byte order mark', () => {
    const body = Buffer.from('\ufeff[{"s":"é€😀"}]', 'utf8');
    expect(items(parseWebhookBody(body, 'json'))).toEqual([{ s: 'é€😀' }]);
  });

  it('reads JSON text sequences: RS before each record, whitespace around it', () => {
    const body = Buffer.from('\u001e{"a":1}\n\u001e[2,3]\n\u001e "x"\n');
    const parsed = parseWebhookBody(body, 'json-seq');
    expect(items(parsed)).toEqual([{ a: 1 }, [2, 3], 'x']);
    expect(parsed.ok && parsed.texts).toEqual(['{"a":1}', '[2,3]', '"x"']);
  });

  it('names the record of a sequence that does not parse, and refuses one without RS', () => {
    const body = Buffer.from('\u001e{"a":1}\n\u001e{"b":}\n');
    expect(message(parseWebhookBody(body, 'json-seq'))).toMatch(/^invalid JSON in record 2 of the sequence/);
    expect(message(parseWebhookBody(Buffer.from('{"a":1}\n'), 'json-seq'))).toBe(
      'a JSON text sequence starts each record with RS (U+001E)',
    );
    expect(message(parseWebhookBody(Buffer.from(' \n'), 'json-seq'))).toBe(
      'empty body, expected a JSON text sequence',
    );
  });

  it('sniffs lines of arrays as lines, and keeps the error of a broken pretty-printed array', () => {
    expect(items(parseWebhookBody(Buffer.from('[1,2]\n[3,4]\n'), 'sniff'))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    // one document of two elements, not two lines
    expect(items(parseWebhookBody(Buffer.from('[1,\n2]'), 'sniff'))).toEqual([1, 2]);
    expect(message(parseWebhookBody(Buffer.from('[\n  {"a": 1},\n  {"b": }\n]'), 'sniff'))).toMatch(
      /^invalid JSON at position \d+ \(line 3/,
    );
  });
});
