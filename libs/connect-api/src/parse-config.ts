import { validateSync, type ValidationError } from 'class-validator';
import { describeConfig, type ConfigClass, type ConfigFieldInfo } from './config-field.js';

export interface ConfigFieldError {
  field: string;
  messages: string[];
}

export type ConfigParseResult<T> = { ok: true; config: T } | { ok: false; errors: ConfigFieldError[] };

/** Raw values as YAML, REST and CLI give them: strings mostly, sometimes numbers or booleans. */
export type RawConfig = Readonly<Record<string, unknown>>;

function convert(field: ConfigFieldInfo, raw: unknown): { value?: unknown; error?: string } {
  if (raw === null || raw === undefined) return { value: raw };
  switch (field.type) {
    case 'INT':
    case 'LONG':
    case 'DOUBLE': {
      const text = typeof raw === 'string' ? raw.trim() : raw;
      const value = typeof text === 'number' ? text : text === '' ? NaN : Number(text);
      if (typeof value !== 'number' || Number.isNaN(value))
        return { error: `must be a number, not ${JSON.stringify(raw)}` };
      // digits only, as Kafka's Integer.parseInt reads them: not 1e3, 0x10 or 1.0
      if (field.type !== 'DOUBLE' && typeof text === 'string' && !/^[+-]?\d+$/.test(text))
        return { error: `must be an integer written in digits, not ${JSON.stringify(raw)}` };
      if (field.type !== 'DOUBLE' && !Number.isInteger(value))
        return { error: `must be an integer, not ${JSON.stringify(raw)}` };
      return { value };
    }
    case 'BOOLEAN': {
      if (typeof raw === 'boolean') return { value: raw };
      const text = String(raw).trim().toLowerCase();
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { error: `must be true or false, not ${JSON.stringify(raw)}` };
    }
    case 'LIST':
      if (Array.isArray(raw)) return { value: raw.map((v) => String(v).trim()).filter((v) => v !== '') };
      return {
        value: String(raw)
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== ''),
      };
    default:
      return { value: typeof raw === 'string' ? raw : String(raw) };
  }
}

function flatten(errors: ValidationError[], prefix = ''): ConfigFieldError[] {
  const out: ConfigFieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const messages = Object.values(e.constraints ?? {});
    if (messages.length > 0) out.push({ field, messages });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/**
 * Turns a raw config into an instance of `configClass`: declared settings are converted from
 * strings by their type, defaults fill the rest, and class-validator checks the result. Every
 * problem is reported at once, per field. Settings the class does not declare are ignored here
 * (the runtime's own settings travel in the same map).
 */
export function parseConfig<T extends object>(
  configClass: ConfigClass<T>,
  raw: RawConfig,
): ConfigParseResult<T> {
  const instance = new configClass();
  const fields = instance as unknown as Record<string, unknown>;
  const errors: ConfigFieldError[] = [];
  for (const field of describeConfig(configClass)) {
    const present =
      Object.prototype.hasOwnProperty.call(raw, field.name) && (raw[field.name] !== '' || field.emptyIsValue);
    if (!present) {
      if (field.required)
        errors.push({ field: field.name, messages: [`${field.name} is required: ${field.doc}`] });
      continue;
    }
    const { value, error } = convert(field, raw[field.name]);
    if (error) errors.push({ field: field.name, messages: [`${field.name} ${error}`] });
    else fields[field.name] = value;
  }
  const failed = new Set(errors.map((e) => e.field));
  for (const e of flatten(validateSync(instance, { forbidUnknownValues: false }))) {
    if (!failed.has(e.field)) errors.push(e);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: instance };
}
