import { describe, expect, it } from '@jest/globals';
import { describeTarget, parseConnectionUrl } from './connection-url.js';

describe('connection.url', () => {
  it('reads libpq URIs with credentials, port and parameters', () => {
    expect(
      parseConnectionUrl(
        'postgres://al%40ice:p%3Ass@db.example:6543/shop?sslmode=require&application_name=x',
      ),
    ).toEqual({
      hosts: [{ host: 'db.example', port: 6543 }],
      targetSessionAttrs: 'any',
      database: 'shop',
      user: 'al@ice',
      password: 'p:ss',
      sslMode: 'require',
      searchPath: null,
      applicationName: 'x',
    });
    expect(parseConnectionUrl('postgresql://h/d')).toMatchObject({
      hosts: [{ host: 'h', port: 5432 }],
      database: 'd',
      user: null,
    });
  });

  it('reads JDBC URLs with user, password, ssl and currentSchema in the query', () => {
    expect(
      parseConnectionUrl(
        'jdbc:postgresql://10.0.0.5:5433/inventory?user=sink&password=s%26cret&ssl=true&currentSchema=staging',
      ),
    ).toMatchObject({
      hosts: [{ host: '10.0.0.5', port: 5433 }],
      database: 'inventory',
      user: 'sink',
      password: 's&cret',
      sslMode: 'verify-full',
      searchPath: 'staging',
    });
    expect(parseConnectionUrl('jdbc:postgresql:orders')).toMatchObject({
      hosts: [{ host: 'localhost', port: 5432 }],
      database: 'orders',
    });
    expect(parseConnectionUrl('JDBC:PostgreSQL://h:1/d?sslmode=disable').sslMode).toBeNull();
  });

  it('reads every host of a multi-host URL, in order, and IPv6 literals', () => {
    const jdbc = parseConnectionUrl('jdbc:postgresql://a:5001,b,[::1]:5003/d');
    expect(jdbc.hosts).toEqual([
      { host: 'a', port: 5001 },
      { host: 'b', port: 5432 },
      { host: '::1', port: 5003 },
    ]);
    expect(describeTarget(jdbc)).toBe('a:5001,b:5432,[::1]:5003/d');
    const v6 = parseConnectionUrl('postgres://[::1]:5439/d');
    expect(v6.hosts).toEqual([{ host: '::1', port: 5439 }]);
    expect(describeTarget(v6)).toBe('[::1]:5439/d');
  });

  it("reads libpq's host and port parameters: a list each, or one port for every host", () => {
    expect(parseConnectionUrl('postgres:///d?host=a,b&port=6001,6002').hosts).toEqual([
      { host: 'a', port: 6001 },
      { host: 'b', port: 6002 },
    ]);
    expect(parseConnectionUrl('postgres://x:1/d?host=a,b&port=6000').hosts).toEqual([
      { host: 'a', port: 6000 },
      { host: 'b', port: 6000 },
    ]);
    expect(parseConnectionUrl('postgres://a,b/d?port=7000').hosts).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 7000 },
    ]);
    // host= replaces the URL's hosts, not its port
    expect(parseConnectionUrl('postgres://:6543/d?host=/var/run/postgresql').hosts).toEqual([
      { host: '/var/run/postgresql', port: 6543 },
    ]);
    expect(() => parseConnectionUrl('postgres:///d?host=a,b,c&port=1,2')).toThrow(
      /names 3 hosts but 2 ports: give one port for all, or one per host/,
    );
    expect(() => parseConnectionUrl('postgres:///d?host=a&port=x')).toThrow(/port must be a number/);
  });

  it("reads target_session_attrs (libpq) and targetServerType (pgjdbc), and refuses a standby's", () => {
    const attrs = (url: string): string => parseConnectionUrl(url).targetSessionAttrs;
    expect(attrs('postgres://a,b/d')).toBe('any');
    expect(attrs('postgres://a,b/d?target_session_attrs=read-write')).toBe('read-write');
    expect(attrs('postgres://a,b/d?target_session_attrs=primary')).toBe('primary');
    expect(attrs('postgres://a,b/d?target_session_attrs=any')).toBe('any');
    // pgjdbc's primary (and master) is a host whose sessions are read-write
    expect(attrs('jdbc:postgresql://a,b/d?targetServerType=primary')).toBe('read-write');
    expect(attrs('jdbc:postgresql://a,b/d?targetServerType=master')).toBe('read-write');
    expect(attrs('jdbc:postgresql://a,b/d?targetServerType=any')).toBe('any');
    expect(attrs('jdbc:postgresql://a,b/d?targetServerType=preferPrimary')).toBe('prefer-read-write');
    expect(() => parseConnectionUrl('postgres://a,b/d?target_session_attrs=standby')).toThrow(
      /target_session_attrs must be any, read-write or primary for a sink, which writes; not standby/,
    );
    expect(() => parseConnectionUrl('jdbc:postgresql://a,b/d?targetServerType=secondary')).toThrow(
      /targetServerType must be any, primary, master or preferPrimary for a sink, which writes; not secondary/,
    );
  });

  it('reads the search path from libpq options', () => {
    expect(parseConnectionUrl('postgres://h/d?options=-c%20search_path%3Dsales').searchPath).toBe('sales');
  });

  it('says what is wrong with a bad URL', () => {
    expect(() => parseConnectionUrl('mysql://h/d')).toThrow(/must start with postgres:\/\//);
    // a wrong scheme is shown, never what follows it (it may hold a password)
    expect(() => parseConnectionUrl('pg://app:s3cret@h/d')).toThrow(/not "pg:\/\/…"$/);
    expect(() => parseConnectionUrl('pg://app:s3cret@h/d')).not.toThrow(/s3cret/);
    expect(() => parseConnectionUrl('postgres://h:99999/d')).toThrow(/port must be a number/);
    expect(() => parseConnectionUrl('postgres://h:abc/d')).toThrow(/port must be a number/);
    expect(() => parseConnectionUrl('postgres://h/')).toThrow(/names no database/);
    expect(() => parseConnectionUrl('postgres://h/d?sslmode=sometimes')).toThrow(/sslmode must be one of/);
    expect(() => parseConnectionUrl('postgres://h/%zz')).toThrow(/percent-escape/);
  });

  it('never shows a password in what it says, however it is written wrong', () => {
    for (const [url, secret] of [
      ['postgres://app:Zp%ss@h/db', 'Zp'],
      ['jdbc:postgresql://h/db?user=u&password=Zb%zz1', 'Zb'],
      ['postgres://app:Zq/ss@h/db', 'Zq'],
      ['postgres://app:Zr?ss@h/db', 'Zr'],
      ['postgres://app:123456/xY9@db/prod', '123456'],
      ['postgres://app:2024/xY9secret@db.internal/prod', 'xY9'],
    ] as const) {
      let message = '';
      try {
        parseConnectionUrl(url);
      } catch (err) {
        message = (err as Error).message;
      }
      expect([url, message]).toEqual([url, expect.not.stringContaining(secret)]);
      expect(message).not.toBe('');
    }
  });

  it("reads JDBC's ssl=true as pgjdbc does: the certificate and host name verified", () => {
    expect(parseConnectionUrl('jdbc:postgresql://h/d?ssl=true').sslMode).toBe('verify-full');
    expect(
      parseConnectionUrl('jdbc:postgresql://h/d?ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory')
        .sslMode,
    ).toBe('require');
    expect(parseConnectionUrl('jdbc:postgresql://h/d?ssl=false').sslMode).toBeNull();
    expect(parseConnectionUrl('jdbc:postgresql://h/d?ssl=true&sslmode=require').sslMode).toBe('require');
  });
});
