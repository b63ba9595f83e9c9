import { ConfigField, type ConnectRecord, type Predicate } from '@sluice/connect-api';
import { IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from '../transforms/config-exception.js';
import { IsRegex } from '../transforms/config-validators.js';
import { compileFullMatch } from '../transforms/java-regex.js';

export class TopicNameMatchesConfig {
  @ConfigField({ doc: 'Regular expression that must match the whole topic name.', required: true })
  @IsString()
  @IsRegex()
  pattern = '';
}

/** True for records whose topic matches `pattern` entirely (Java's Matcher.matches()). */
export class TopicNameMatches<R extends ConnectRecord = ConnectRecord> implements Predicate<R> {
  private pattern: RegExp | null = null;

  configClass(): typeof TopicNameMatchesConfig {
    return TopicNameMatchesConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    this.pattern = compileFullMatch(
      parsePluginConfig('TopicNameMatches', TopicNameMatchesConfig, config).pattern,
    );
  }

  test(record: R): boolean {
    if (!this.pattern) throw notConfigured('TopicNameMatches');
    return this.pattern.test(record.topic);
  }
}
