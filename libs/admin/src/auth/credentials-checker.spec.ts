import { describe, expect, it } from '@jest/globals';
import { CredentialsChecker } from './credentials-checker.js';

const basic = (credentials: string): string => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('CredentialsChecker', () => {
  it('lets everything through with auth none', () => {
    const c = new CredentialsChecker({ type: 'none' });
    expect(c.enabled).toBe(false);
    expect(c.check(undefined)).toEqual({ ok: true });
  });

  it('checks bearer tokens, the scheme case-insensitively', () => {
    const c = new CredentialsChecker({ type: 'bearer', token: 't0k' });
    expect(c.check('Bearer t0k')).toEqual({ ok: true });
    expect(c.check('bearer t0k')).toEqual({ ok: true });
    expect(c.check('Bearer t0k2')).toEqual(
      expect.objectContaining({ ok: false, message: 'Invalid credentials' }),
    );
    expect(c.check('Bearer ')).toEqual(
      expect.objectContaining({ ok: false, message: 'Authentication required' }),
    );
    expect(c.check(undefined)).toEqual(
      expect.objectContaining({ ok: false, message: 'Authentication required' }),
    );
  });

  it('checks basic credentials; passwords may hold colons', () => {
    const c = new CredentialsChecker({ type: 'basic', users: { ann: 'a:b', bob: '' } });
    expect(c.check(basic('ann:a:b'))).toEqual({ ok: true });
    expect(c.check(basic('bob:'))).toEqual({ ok: true });
    expect(c.check(basic('ann:a'))).toEqual(expect.objectContaining({ ok: false }));
    expect(c.check(basic('carl:'))).toEqual(expect.objectContaining({ ok: false }));
    expect(c.check(basic('toString:'))).toEqual(expect.objectContaining({ ok: false }));
    expect(c.check(basic('bob'))).toEqual(expect.objectContaining({ ok: false }));
    expect(c.check(basic(':a:b'))).toEqual(expect.objectContaining({ ok: false }));
  });

  it('refuses configurations that would let nobody in by accident', () => {
    expect(() => new CredentialsChecker({ type: 'bearer', token: '' })).toThrow(/token/);
    expect(() => new CredentialsChecker({ type: 'basic', users: {} })).toThrow(/users/);
  });
});
