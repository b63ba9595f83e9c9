import { ValidateBy, type ValidationArguments } from 'class-validator';
import { DateFormat } from './date-format.js';
import { parseFieldPath, type FieldSyntaxVersion } from './field-path.js';
import { compileFullMatch, JavaReplacement } from './java-regex.js';

/*
 * class-validator decorators for settings whose validity is more than a type: regexes, date
 * patterns, rename lists. They run with the others in parseConfig, so every problem is reported at
 * once. Each check returns the problem as text (or null), used both to validate and as the message.
 */

export type Check = (value: unknown, object: Record<string, unknown>) => string | null;

function checked(name: string, check: Check): PropertyDecorator {
  const problem = (args: ValidationArguments) =>
    check(args.value, args.object as Record<string, unknown>) ?? 'is invalid';
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        check(value, (args?.object ?? {}) as Record<string, unknown>) === null,
      defaultMessage: (args?: ValidationArguments) =>
        args ? `${args.property} ${problem(args)}` : 'invalid',
    },
  });
}

/** The message of what `fn` throws, or null when it does not throw. */
export function errorText(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A java.util.regex-style pattern that compiles. Empty is left to `required`. */
export function IsRegex(): PropertyDecorator {
  return checked('isRegex', (value) =>
    typeof value !== 'string' || value === ''
      ? null
      : prefixed(
          'is not a valid regex',
          errorText(() => compileFullMatch(value)),
        ),
  );
}

/** A replacement string whose group references exist in the regex held by `regexProperty`. */
export function IsReplacementFor(regexProperty: string): PropertyDecorator {
  return checked('isReplacementFor', (value, object) => {
    const pattern = object[regexProperty];
    if (typeof value !== 'string' || typeof pattern !== 'string' || pattern === '') return null;
    let regex: RegExp;
    try {
      regex = compileFullMatch(pattern);
    } catch {
      return null; // reported on the regex itself
    }
    return prefixed(
      'is not a valid replacement',
      errorText(() => new JavaReplacement(value, regex)),
    );
  });
}

/** A SimpleDateFormat-style pattern this runtime supports. Empty passes (meaning ISO 8601 where allowed). */
export function IsDateFormatPattern(): PropertyDecorator {
  return checked('isDateFormatPattern', (value) =>
    typeof value !== 'string' || value === ''
      ? null
      : prefixed(
          'is not a valid date format',
          errorText(() => new DateFormat(value)),
        ),
  );
}

/** A list of `from:to` pairs with non-empty names. */
export function IsRenameList(): PropertyDecorator {
  return checked('isRenameList', (value) => {
    if (!Array.isArray(value)) return null;
    const bad = value.filter((v) => !/^[^:]+:[^:]+$/.test(String(v)));
    return bad.length === 0
      ? null
      : `must be a list of from:to pairs, not ${bad.map((b) => `"${b}"`).join(', ')}`;
  });
}

/** A field path that parses under the syntax version held by `versionProperty`. */
export function IsFieldPath(versionProperty: string): PropertyDecorator {
  return checked('isFieldPath', (value, object) => {
    const version = object[versionProperty];
    if (typeof value !== 'string' || (version !== 'V1' && version !== 'V2')) return null;
    return errorText(() => parseFieldPath(value, version as FieldSyntaxVersion));
  });
}

/** A list with as many entries as the list held by `otherProperty`. */
export function SameLengthAs(otherProperty: string): PropertyDecorator {
  return checked('sameLengthAs', (value, object) => {
    const other = object[otherProperty];
    if (!Array.isArray(value) || !Array.isArray(other) || value.length === other.length) return null;
    return `must have the same number of elements as ${otherProperty} (${value.length} vs ${other.length})`;
  });
}

/** One of `values`, ignoring case (Kafka's CaseInsensitiveValidString). */
export function IsInIgnoringCase(values: readonly string[]): PropertyDecorator {
  return checked('isInIgnoringCase', (value) =>
    typeof value === 'string' && values.some((v) => v.toLowerCase() === value.toLowerCase())
      ? null
      : `must be one of ${values.join(', ')}, not ${JSON.stringify(value)}`,
  );
}

/** Any other check: `check` returns the problem with the value (or the whole object), or null. */
export function Satisfies(name: string, check: Check): PropertyDecorator {
  return checked(name, check);
}

function prefixed(prefix: string, problem: string | null): string | null {
  return problem === null ? null : `${prefix}: ${problem}`;
}
