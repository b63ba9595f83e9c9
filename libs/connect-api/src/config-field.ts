import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';

/** Kafka ConfigDef's types, as GET /connector-plugins/{plugin}/config reports them. */
export type ConfigType = 'STRING' | 'INT' | 'LONG' | 'DOUBLE' | 'BOOLEAN' | 'LIST' | 'PASSWORD' | 'CLASS';
export type ConfigImportance = 'HIGH' | 'MEDIUM' | 'LOW';

export interface ConfigFieldOptions {
  /** What the setting does, for docs, validation answers and `GET /connector-plugins/{plugin}/config`. */
  doc: string;
  /** Inferred from the default value when left out (number: INT, boolean: BOOLEAN, array: LIST, else STRING). */
  type?: ConfigType;
  importance?: ConfigImportance;
  /** A secret is never returned by the REST API nor written to logs; its type reports as PASSWORD. */
  secret?: boolean;
  /** Must be set: there is no usable default. */
  required?: boolean;
  group?: string;
  displayName?: string;
  /**
   * An empty value is taken as written ('', e.g. to turn something off) instead of as "use the
   * default", which it means for other settings.
   */
  emptyIsValue?: boolean;
}

export interface ConfigFieldInfo {
  name: string;
  type: ConfigType;
  importance: ConfigImportance;
  doc: string;
  secret: boolean;
  required: boolean;
  defaultValue: unknown;
  group: string | null;
  displayName: string;
  /** Order of declaration, for stable listings. */
  order: number;
  /** The values it takes, when they are a fixed list (an @IsIn, or a boolean's two). */
  recommendedValues: string[];
  /** See ConfigFieldOptions.emptyIsValue. */
  emptyIsValue: boolean;
}

const FIELDS = Symbol('sluice:config-fields');

type FieldDecl = Omit<ConfigFieldInfo, 'defaultValue' | 'order' | 'type' | 'recommendedValues'> & {
  type: ConfigType | null;
};

/**
 * Declares a connector (or transform) setting on a config DTO. Validation is class-validator's own
 * decorators on the same property; the default is the property's initial value:
 *
 *   class FileSourceConfig {
 *     @ConfigField({ doc: 'Directory to watch.', required: true }) @IsString() path = '';
 *     @ConfigField({ doc: 'Lines per poll.' }) @IsInt() @Min(1) 'batch.size' = 1000;
 *   }
 */
export function ConfigField(options: ConfigFieldOptions): PropertyDecorator {
  return (target, property) => {
    const name = String(property);
    const secret = options.secret ?? false;
    const decl: FieldDecl = {
      name,
      type: secret ? 'PASSWORD' : (options.type ?? null),
      importance: options.importance ?? (options.required ? 'HIGH' : 'MEDIUM'),
      doc: options.doc,
      secret,
      required: options.required ?? false,
      group: options.group ?? null,
      displayName: options.displayName ?? name,
      emptyIsValue: options.emptyIsValue ?? false,
    };
    const own = (Reflect.getOwnMetadata(FIELDS, target) as FieldDecl[] | undefined) ?? [];
    Reflect.defineMetadata(FIELDS, [...own, decl], target);
  };
}

export type ConfigClass<T extends object = object> = new () => T;

const PREFIXES = Symbol('sluice:config-prefixes');

/**
 * Declares a family of settings named by a prefix (`http.headers.<Name>`), which the connector
 * reads from the raw config itself: the runtime then does not take them for unknown settings.
 */
export function ConfigPrefix(prefix: string): ClassDecorator {
  return (target) => {
    const own = (Reflect.getOwnMetadata(PREFIXES, target) as string[] | undefined) ?? [];
    Reflect.defineMetadata(PREFIXES, [...own, prefix], target);
  };
}

/** The prefixes a config class (or a class it extends) declares with @ConfigPrefix. */
export function configPrefixes(configClass: ConfigClass): string[] {
  const out: string[] = [];
  for (
    let c: unknown = configClass;
    typeof c === 'function' && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  )
    out.push(...((Reflect.getOwnMetadata(PREFIXES, c as object) as string[] | undefined) ?? []));
  return out;
}

/** Every declared setting of a config class (inherited ones first), with its default. */
export function describeConfig(configClass: ConfigClass): ConfigFieldInfo[] {
  const chain: object[] = [];
  for (
    let proto = configClass.prototype as object | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    chain.unshift(proto);
  }
  const defaults = new configClass() as Record<string, unknown>;
  const choices = fixedChoices(configClass);
  const seen = new Map<string, ConfigFieldInfo>();
  for (const proto of chain) {
    for (const decl of (Reflect.getOwnMetadata(FIELDS, proto) as FieldDecl[] | undefined) ?? []) {
      const { type, ...rest } = decl;
      const defaultValue = defaults[decl.name];
      const resolved = type ?? inferType(defaultValue);
      seen.set(decl.name, {
        ...rest,
        type: resolved,
        defaultValue,
        order: seen.get(decl.name)?.order ?? seen.size,
        recommendedValues: choices.get(decl.name) ?? (resolved === 'BOOLEAN' ? ['true', 'false'] : []),
      });
    }
  }
  return [...seen.values()].sort((a, b) => a.order - b.order);
}

/** The allowed values of each @IsIn property of a config class (inherited ones included). */
function fixedChoices(configClass: ConfigClass): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(configClass, '', true, false)) {
    const allowed: unknown = m.constraints?.[0];
    if (m.name === 'isIn' && Array.isArray(allowed)) out.set(m.propertyName, allowed.map(String));
  }
  return out;
}

function inferType(value: unknown): ConfigType {
  if (typeof value === 'number') return Number.isInteger(value) ? 'INT' : 'DOUBLE';
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (Array.isArray(value)) return 'LIST';
  return 'STRING';
}

/** Names of the secret settings of a config class. */
export function secretFields(configClass: ConfigClass): string[] {
  return describeConfig(configClass)
    .filter((f) => f.secret)
    .map((f) => f.name);
}
