export interface FieldError {
  field: string;
  messages: string[];
}

/** A connector config with problems: every field error at once (the REST API answers 400 with them). */
export class ConnectorConfigError extends Error {
  override readonly name = 'ConnectorConfigError';

  constructor(readonly errors: FieldError[]) {
    super(
      `Connector configuration is invalid and contains the following ${errors.reduce((n, e) => n + e.messages.length, 0)} error(s):\n` +
        errors.map((e) => e.messages.join('\n')).join('\n'),
    );
  }
}

/** Field errors an error carries (ours, or a plugin's that follows the same shape), else one for `field`. */
export function fieldErrorsOf(err: unknown, field: string, prefix = ''): FieldError[] {
  const list =
    (err as { errors?: unknown; fieldErrors?: unknown } | null)?.errors ??
    (err as { fieldErrors?: unknown } | null)?.fieldErrors;
  if (Array.isArray(list) && list.every((e) => typeof (e as FieldError).field === 'string')) {
    return (list as FieldError[]).map((e) => ({
      field: `${prefix}${e.field}`,
      messages: (Array.isArray(e.messages)
        ? e.messages
        : [String((e as { message?: unknown }).message ?? e)]
      ).map(String),
    }));
  }
  return [{ field, messages: [(err as Error)?.message ?? String(err)] }];
}
