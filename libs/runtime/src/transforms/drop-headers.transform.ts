import { ConfigField, withRecord, type ConnectRecord, type Transformation } from '@sluice/connect-api';
import { ArrayNotEmpty, IsArray } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';

export class DropHeadersConfig {
  @ConfigField({ doc: 'Names of the headers to remove (every header of each name).', required: true })
  @IsArray()
  @ArrayNotEmpty()
  headers: string[] = [];
}

/** Removes every header whose name is listed. */
export class DropHeaders<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private names: Set<string> | null = null;

  configClass(): typeof DropHeadersConfig {
    return DropHeadersConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    this.names = new Set(parsePluginConfig('DropHeaders', DropHeadersConfig, config).headers);
  }

  apply(record: R): R | null {
    const names = this.names;
    if (!names) throw notConfigured('DropHeaders');
    if (!record.headers.some((h) => names.has(h.key))) return record;
    return withRecord(record, { headers: record.headers.filter((h) => !names.has(h.key)) });
  }
}
