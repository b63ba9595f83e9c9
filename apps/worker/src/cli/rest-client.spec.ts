import { describe, expect, it } from '@jest/globals';
import { warningTexts } from './rest-client.js';

describe('warningTexts', () => {
  it('reads the texts of Warning headers, one or several, quotes and backslashes unescaped', () => {
    expect(warningTexts(null)).toEqual([]);
    expect(warningTexts('299 - "settings nothing reads: tpoics (did you mean topics?)"')).toEqual([
      'settings nothing reads: tpoics (did you mean topics?)',
    ]);
    expect(warningTexts('299 - "a \\"quoted\\" key, and a \\\\ backslash", 299 sluice "second"')).toEqual([
      'a "quoted" key, and a \\ backslash',
      'second',
    ]);
  });
});
