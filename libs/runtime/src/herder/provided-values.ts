import type { FieldError } from '../config/connector-config-error.js';

/** Shorter values are shown only where they stand quoted: bare, they would match inside other words. */
const BARE_MIN_LENGTH = 4;

/**
 * The values config providers gave (`${env:...}`, `${file:...}`) while a config was validated,
 * and messages about that config with each one put back as the reference the user wrote: a
 * message quoting a setting ("must be a number, not ...") would otherwise answer a REST caller,
 * or a log, with a secret.
 */
export class ProvidedValues {
  private readonly values = new Map<string, string>();

  readonly add = (reference: string, value: string): void => {
    if (value !== '') this.values.set(value, reference);
  };

  readonly hidden = (message: string): string => {
    let out = message;
    // longest first, so a value that contains another is replaced whole
    for (const [value, reference] of [...this.values].sort((a, b) => b[0].length - a[0].length)) {
      out = out.split(JSON.stringify(value)).join(JSON.stringify(reference));
      if (value.length >= BARE_MIN_LENGTH) out = out.split(value).join(reference);
    }
    return out;
  };

  hiddenInErrors(errors: readonly FieldError[]): FieldError[] {
    return errors.map((e) => ({ ...e, messages: e.messages.map(this.hidden) }));
  }
}
