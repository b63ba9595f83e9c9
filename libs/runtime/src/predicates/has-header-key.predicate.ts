import { ConfigField, type ConnectRecord, type Predicate } from '@sluice/connect-api';
import { IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from '../transforms/config-exception.js';

export class HasHeaderKeyConfig {
  @ConfigField({ doc: 'Header name to look for.', required: true })
  @IsString()
  name = '';
}

/** True for records with at least one header of the given name. */
export class HasHeaderKey<R extends ConnectRecord = ConnectRecord> implements Predicate<R> {
  private name: string | null = null;

  configClass(): typeof HasHeaderKeyConfig {
    return HasHeaderKeyConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    this.name = parsePluginConfig('HasHeaderKey', HasHeaderKeyConfig, config).name;
  }

  test(record: R): boolean {
    const name = this.name;
    if (name === null) throw notConfigured('HasHeaderKey');
    return record.headers.some((h) => h.key === name);
  }
}
