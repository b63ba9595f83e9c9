import { describe, expect, it } from '@jest/globals';
import { WorkerConfig } from '@sluice/config';
import { authOf } from './worker.js';

function config(rest: Partial<WorkerConfig['rest']>): WorkerConfig {
  const c = new WorkerConfig();
  Object.assign(c.rest, rest);
  return c;
}

const ERRORS = (err: unknown): string => JSON.stringify((err as { problems?: unknown }).problems ?? err);

describe("the worker's REST auth", () => {
  it('needs auth to listen beyond the loopback address', async () => {
    await expect(authOf(config({ host: '127.0.0.1' }))).resolves.toEqual({ type: 'none' });
    await expect(authOf(config({ host: '0.0.0.0' }))).rejects.toThrow(/only with rest.auth configured/);
  });

  it('measures a bearer token once its reference is resolved', async () => {
    process.env['SLUICE_TEST_TOKEN'] = 'a-token-of-26-characters!!';
    const auth = { type: 'bearer' as const, token: '${env:SLUICE_TEST_TOKEN}' };
    await expect(authOf(config({ host: '0.0.0.0', auth }))).resolves.toEqual({
      type: 'bearer',
      token: 'a-token-of-26-characters!!',
    });
    const short = { type: 'bearer' as const, token: 'short' };
    await expect(authOf(config({ auth: short }))).rejects.toThrow(/at least 16 characters/);
  });

  it('refuses basic auth users with empty or short passwords', async () => {
    const auth = { type: 'basic' as const, users: { admin: '', ops: 'seven77', ann: 'long enough' } };
    const refused = await authOf(config({ host: '0.0.0.0', auth })).catch((err: unknown) => err);
    expect(ERRORS(refused)).toContain('rest.auth.users.admin');
    expect(ERRORS(refused)).toContain('rest.auth.users.ops');
    expect(ERRORS(refused)).not.toContain('rest.auth.users.ann');
    const fine = { type: 'basic' as const, users: { ann: 'long enough' } };
    await expect(authOf(config({ host: '0.0.0.0', auth: fine }))).resolves.toEqual({
      type: 'basic',
      users: { ann: 'long enough' },
    });
  });

  it('refuses credentials given for another type than the chosen one, and passwords that are not text', async () => {
    const tokenOnly = { type: 'none' as const, token: 'a-token-of-26-characters!!' };
    await expect(authOf(config({ auth: tokenOnly }))).rejects.toThrow(
      /a token is set but rest.auth.type is none/,
    );
    const usersWithBearer = {
      type: 'bearer' as const,
      token: 'a-token-of-26-characters!!',
      users: { ann: 'long enough' },
    };
    await expect(authOf(config({ auth: usersWithBearer }))).rejects.toThrow(
      /users are set but rest.auth.type is bearer/,
    );
    const numeric = { type: 'basic' as const, users: { admin: 12345678 as unknown as string } };
    const refused = await authOf(config({ auth: numeric })).catch((err: unknown) => err);
    expect(ERRORS(refused)).toContain('rest.auth.users.admin');
    expect(ERRORS(refused)).toContain('a password is text');
  });
});
