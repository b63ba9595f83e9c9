/** One problem in a configuration source, located as precisely as the source allows. */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `rest.port`. */
  field: string;
  message: string;
  file?: string;
  line?: number;
}

/** Every problem of one configuration at once, so a user fixes them in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly source?: string,
  ) {
    super(
      `${source ? `${source}: ` : ''}invalid configuration:\n` +
        problems
          .map(
            (p) => `  - ${p.file ? `${p.file}${p.line ? `:${p.line}` : ''}: ` : ''}${p.field}: ${p.message}`,
          )
          .join('\n'),
    );
  }
}
