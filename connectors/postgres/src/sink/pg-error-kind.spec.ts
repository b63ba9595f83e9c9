import { describe, expect, it } from '@jest/globals';
import { DataError } from '@sluice/connect-api';
import { describePgError, pgErrorKind } from './pg-error-kind.js';

const pgError = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('pgErrorKind', () => {
  it('retries connection loss, restarts, serialization failures and deadlocks', () => {
    for (const code of ['40001', '40P01', '57P01', '57P03', '08006', '08001', 'ECONNREFUSED', 'ECONNRESET'])
      expect(pgErrorKind(pgError(code))).toBe('transient');
    expect(pgErrorKind(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(pgErrorKind(new Error('Client has encountered a connection error and is not queryable'))).toBe(
      'transient',
    );
    const aggregate = Object.assign(new Error(''), {
      errors: [pgError('ECONNREFUSED'), pgError('ECONNREFUSED')],
    });
    expect(pgErrorKind(aggregate)).toBe('transient');
  });

  it('retries what is about the server, never a record: read-only, resources, locks, I/O', () => {
    // a standby or a failover, disk full, out of memory, too many connections, lock_timeout,
    // statement_timeout, an I/O error
    for (const code of ['25006', '53100', '53200', '53300', '55P03', '57014', '58030'])
      expect([code, pgErrorKind(pgError(code))]).toEqual([code, 'transient']);
  });

  it('fails the task on setup problems', () => {
    for (const code of ['28P01', '3D000', '42501', '42P10']) expect(pgErrorKind(pgError(code))).toBe('fatal');
    expect(pgErrorKind(new TypeError('bug'))).toBe('fatal');
  });

  it('blames the rows for data errors', () => {
    for (const code of ['23505', '23502', '22P02', '22003', '42703'])
      expect(pgErrorKind(pgError(code))).toBe('data');
    expect(pgErrorKind(new DataError('bad value'))).toBe('data');
  });

  it('describes errors with detail and hint', () => {
    const e = Object.assign(new Error('duplicate key'), {
      code: '23505',
      detail: 'Key (id)=(1) exists.',
      hint: 'h',
    });
    expect(describePgError(e)).toBe('duplicate key (Key (id)=(1) exists.) hint: h');
  });
});
