import { DataError } from '@sluice/connect-api';

/*
 * Struct values and schemaless maps are both "field maps" here: plain objects (the usual case) or
 * JS Maps (which some sources produce). Transforms read through these helpers so they accept both,
 * and build their output in the same kind as their input so a Map-producing source keeps Maps.
 */

export type FieldMap = Readonly<Record<string, unknown>> | ReadonlyMap<unknown, unknown>;

export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function isFieldMap(value: unknown): value is FieldMap {
  return value instanceof Map || isPlainObject(value);
}

/** A short name for the type of `value`, for error messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Buffer.isBuffer(value)) return 'Buffer';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'Date';
  if (value instanceof Map) return 'Map';
  if (typeof value === 'object') {
    const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor;
    return ctor?.name && ctor.name !== 'Object' ? ctor.name : 'object';
  }
  return typeof value;
}

/** Kafka's Requirements.requireMap: a schemaless value must be a map for field-level transforms. */
export function requireMap(value: unknown, purpose: string): FieldMap {
  if (!isFieldMap(value))
    throw new DataError(
      `Only Map objects supported in absence of schema for [${purpose}], found: ${describeType(value)}`,
    );
  return value;
}

/** Kafka's Requirements.requireStruct: a value with a struct schema must be a struct (plain object). */
export function requireStruct(value: unknown, purpose: string): FieldMap {
  if (!isFieldMap(value))
    throw new DataError(`Only Struct objects supported for [${purpose}], found: ${describeType(value)}`);
  return value;
}

export function getField(map: FieldMap, name: string): unknown {
  return map instanceof Map ? map.get(name) : (map as Readonly<Record<string, unknown>>)[name];
}

export function hasField(map: FieldMap, name: string): boolean {
  return map instanceof Map ? map.has(name) : Object.prototype.hasOwnProperty.call(map, name);
}

/** Entries with string keys (Map keys are stringified, as field names are strings). */
export function fieldEntries(map: FieldMap): [string, unknown][] {
  if (map instanceof Map) return [...map].map(([k, v]) => [String(k), v]);
  return Object.entries(map);
}

/**
 * Sets an own property even for "__proto__", which plain assignment would turn into a prototype
 * change: field names come from data and must never reach the prototype.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Builds a field map of the same kind (Map or plain object) as `like`. */
export function fieldMapLike(like: FieldMap, entries: Iterable<readonly [string, unknown]>): FieldMap {
  if (like instanceof Map) return new Map(entries);
  return objectFrom(entries);
}

export function objectFrom(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) setOwn(out, k, v);
  return out;
}

/** Struct values normalise a missing field to null, as a Connect Struct reads it. */
export function structGet(struct: FieldMap, name: string): unknown {
  const value = getField(struct, name);
  return value === undefined ? null : value;
}
