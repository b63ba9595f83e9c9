import { ConfigField, withRecord, type ConnectRecord, type Transformation } from '@sluice/connect-api';
import { IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { IsRegex, IsReplacementFor } from './config-validators.js';
import { compileFullMatch, JavaReplacement } from './java-regex.js';

export class RegexRouterConfig {
  @ConfigField({ doc: 'Regular expression that must match the whole topic name.', required: true })
  @IsString()
  @IsRegex()
  regex = '';

  @ConfigField({
    doc: 'Replacement topic name; $1, $2... and ${name} insert captured groups.',
    required: true,
  })
  @IsString()
  @IsReplacementFor('regex')
  replacement = '';
}

/**
 * Renames the topic of records whose topic matches `regex` entirely (Java's Matcher.matches()),
 * e.g. regex `(.*)-raw` and replacement `$1` turn `orders-raw` into `orders`. Other records pass
 * through untouched.
 */
export class RegexRouter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private regex: RegExp | null = null;
  private replacement: JavaReplacement | null = null;

  configClass(): typeof RegexRouterConfig {
    return RegexRouterConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    const c = parsePluginConfig('RegexRouter', RegexRouterConfig, config);
    this.regex = compileFullMatch(c.regex);
    this.replacement = new JavaReplacement(c.replacement, this.regex);
  }

  apply(record: R): R | null {
    if (!this.regex || !this.replacement) throw notConfigured('RegexRouter');
    const match = this.regex.exec(record.topic);
    if (!match) return record;
    return withRecord(record, { topic: this.replacement.expand(match) });
  }
}
