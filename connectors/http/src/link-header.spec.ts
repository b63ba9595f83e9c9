import { describe, expect, it } from '@jest/globals';
import { parseLinkHeader } from './link-header.js';

describe('parseLinkHeader', () => {
  it('reads quoted and bare relations, several per link, the first link of a relation winning', () => {
    const links = parseLinkHeader(
      '<https://a.example/items?page=2>; rel="next", <https://a.example/items?page=9>; rel="last next", <x>; rel=prev',
    );
    expect(Object.fromEntries(links)).toEqual({
      next: 'https://a.example/items?page=2',
      last: 'https://a.example/items?page=9',
      prev: 'x',
    });
  });

  it('skips other parameters and links without rel', () => {
    expect(Object.fromEntries(parseLinkHeader('<a>; title="x; y", <b>; type=text/html; rel=next'))).toEqual({
      next: 'b',
    });
    expect(parseLinkHeader(undefined).size).toBe(0);
  });
});
