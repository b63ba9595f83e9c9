/**
 * Where a value sits inside a JSON document, as users write it in config: an RFC 6901 JSON
 * pointer ("/data/0/id", "~1" for "/", "~0" for "~"), or a dotted path ("data.0.id") for the
 * common case. "" (or "/" alone is not special: it names the key "") selects the document itself.
 */
export type FieldPath = (document: unknown) => unknown;

export class FieldPathError extends Error {
  override name = 'FieldPathError';
}

/** The segments of a path, decoded. Throws FieldPathError on a malformed pointer escape. */
export function pathSegments(spec: string): string[] {
  if (spec === '') return [];
  if (spec.startsWith('/')) {
    return spec
      .slice(1)
      .split('/')
      .map((raw) => {
        if (/~(?![01])/.test(raw))
          throw new FieldPathError(
            `invalid JSON pointer ${JSON.stringify(spec)}: "~" must be followed by 0 or 1`,
          );
        return raw.replace(/~1/g, '/').replace(/~0/g, '~');
      });
  }
  const segments = spec.split('.');
  if (segments.some((s) => s === ''))
    throw new FieldPathError(`invalid field path ${JSON.stringify(spec)}: empty segment`);
  return segments;
}

/** A function reading the value at `spec`; undefined when any step is missing. */
export function compileFieldPath(spec: string): FieldPath {
  const segments = pathSegments(spec);
  if (segments.length === 0) return (document) => document;
  if (segments.length === 1) {
    const only = segments[0]!;
    return (document) => step(document, only);
  }
  return (document) => {
    let at = document;
    for (const segment of segments) {
      at = step(at, segment);
      if (at === undefined) return undefined;
    }
    return at;
  };
}

function step(at: unknown, segment: string): unknown {
  if (at === null || typeof at !== 'object') return undefined;
  if (Array.isArray(at)) {
    // RFC 6901: array indices are decimal without leading zeros
    if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
    return at[Number(segment)];
  }
  // own properties only: a pointer must not reach Object.prototype ("__proto__", "constructor")
  return Object.prototype.hasOwnProperty.call(at, segment)
    ? (at as Record<string, unknown>)[segment]
    : undefined;
}
