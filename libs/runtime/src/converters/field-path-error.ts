import { DataError } from '@sluice/connect-api';

/**
 * A conversion failure deep inside a value. Converters add the field names while the error
 * unwinds (cheaper than passing a path down for every value) and report it as a DataError naming
 * the whole path, e.g. "address.zip: expected a string".
 */
export class FieldPathError extends DataError {
  override name = 'FieldPathError';
  readonly path: string[] = [];

  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Adds `step` to the path of a FieldPathError, to call from a catch block while it unwinds. */
export function addStep(err: unknown, step: string | number): unknown {
  if (err instanceof FieldPathError) err.path.unshift(String(step));
  return err;
}

/** The error to surface: a DataError whose message names the field path, when there is one. */
export function surfaced(err: unknown, context: string): unknown {
  if (!(err instanceof FieldPathError)) return err;
  const where = err.path.length > 0 ? ` at field ${err.path.join('.')}` : '';
  return new DataError(`${context}: ${err.reason}${where}`, { cause: err });
}
