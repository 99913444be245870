import { createHash } from 'node:crypto';
import { bearerTokenMatches } from './bearer-token';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('bearerTokenMatches', () => {
  it('when no token is configured, then any request matches', () => {
    expect(bearerTokenMatches(undefined, undefined)).toBe(true);
  });

  it('when a token is configured, then only a Bearer header with that token matches', () => {
    const hash = sha('scrape-me');
    expect(bearerTokenMatches('Bearer scrape-me', hash)).toBe(true);
    expect(bearerTokenMatches('bearer   scrape-me ', hash)).toBe(true);
    expect(bearerTokenMatches(undefined, hash)).toBe(false);
    expect(bearerTokenMatches('Bearer scrape-m', hash)).toBe(false);
    expect(bearerTokenMatches('Basic c2NyYXBlLW1l', hash)).toBe(false);
    expect(bearerTokenMatches('scrape-me', hash)).toBe(false);
  });
});
