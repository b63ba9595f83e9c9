import { describe, expect, it } from '@jest/globals';
import { DataError, type ConnectRecord } from '@sluice/connect-api';
import { compileRecordTemplate, compileUrlTemplate } from './record-template.js';

const record = (key: unknown, topic = 'orders'): ConnectRecord => ({
  topic,
  kafkaPartition: 0,
  keySchema: null,
  key,
  valueSchema: null,
  value: null,
  timestamp: null,
  headers: [],
});

describe('compileUrlTemplate', () => {
  it('percent-encodes the topic and the key, so neither can add a path segment or a query', () => {
    const url = compileUrlTemplate('https://api.example.com/t/${topic}/users/${key}/events');
    expect(url(record('a/b?c=1#x'))).toBe('https://api.example.com/t/orders/users/a%2Fb%3Fc%3D1%23x/events');
    expect(url(record({ id: 7 }))).toBe('https://api.example.com/t/orders/users/%7B%22id%22%3A7%7D/events');
    expect(url(record(null))).toBe('https://api.example.com/t/orders/users//events');
  });

  it('refuses a key that would be a dot segment of the path, which URLs resolve even when encoded', () => {
    const url = compileUrlTemplate('https://api.example.com/users/${key}/events');
    expect(() => url(record('..'))).toThrow(DataError);
    expect(() => url(record('.'))).toThrow(/"\." cannot be a segment of the URL's path/);
    expect(() => compileUrlTemplate('https://h/users/${key}')(record('..'))).toThrow(DataError);
    expect(() => compileUrlTemplate('https://h/users/${key}?x=1')(record('..'))).toThrow(DataError);
  });

  it('takes dots where they cannot move the path: inside a segment, in the query, in the fragment', () => {
    expect(compileUrlTemplate('https://h/users/v${key}/e')(record('..'))).toBe('https://h/users/v../e');
    expect(compileUrlTemplate('https://h/users?id=${key}')(record('..'))).toBe('https://h/users?id=..');
    expect(compileUrlTemplate('https://h/u#/${key}/')(record('..'))).toBe('https://h/u#/../');
    expect(compileUrlTemplate('https://h/users/${key}/e')(record('...'))).toBe('https://h/users/.../e');
  });

  it('leaves a URL without placeholders as it is', () => {
    expect(compileUrlTemplate('https://h/receive?a=b')(record('x'))).toBe('https://h/receive?a=b');
  });
});

describe('compileRecordTemplate', () => {
  it('substitutes header values as they are', () => {
    const header = compileRecordTemplate('key=${key}; topic=${topic}', (v) => v);
    expect(header(record('k 1'))).toBe('key=k 1; topic=orders');
  });
});
