import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { WorkerConfig } from './worker-config.js';

/** Sections whose own keys are free: the converters' options (`value.converter.schemas.enable`). */
const FREE_KEYS: Record<string, RegExp> = { converters: /^(key|value|header)\.converter\./ };

/**
 * Keys inside worker.yaml's sections that no setting declares (`rest.prot`, `files.root`), as
 * dotted paths: a misspelt key would otherwise leave its setting at the default without a word.
 */
export function unknownNestedKeys(raw: Record<string, unknown>): { key: string; known: string[] }[] {
  // checked on an instance of its own: whitelisting strips what it reports
  const config = plainToInstance(WorkerConfig, raw, { exposeDefaultValues: true });
  // whitelisting strips unknown keys only: the sections (and their classes) stay for knownAt
  const known = knownAt(config, new WorkerConfig());
  const errors = validateSync(config, { whitelist: true, forbidNonWhitelisted: true });
  return whitelistErrors(errors, [])
    .filter(({ parent, property }) => {
      const free = FREE_KEYS[parent.join('.')];
      return !(free && free.test(property));
    })
    .map(({ parent, property }) => ({ key: [...parent, property].join('.'), known: known(parent) }));
}

/** The settings of the section at a path: those its class declares, and its defaults. */
function knownAt(config: WorkerConfig, defaults: WorkerConfig): (path: string[]) => string[] {
  const at = (root: unknown, path: string[]): unknown =>
    path.reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], root);
  return (path) => {
    const node = at(config, path);
    const declared =
      node && typeof node === 'object'
        ? getMetadataStorage()
            .getTargetValidationMetadatas(node.constructor, '', true, false)
            .map((m) => m.propertyName)
        : [];
    const preset = at(defaults, path);
    return [...new Set([...declared, ...(preset && typeof preset === 'object' ? Object.keys(preset) : [])])];
  };
}

function whitelistErrors(
  errors: readonly ValidationError[],
  parent: string[],
): { parent: string[]; property: string }[] {
  const out: { parent: string[]; property: string }[] = [];
  for (const e of errors) {
    // the top level is checked (with the known keys listed) by the loader itself
    if (parent.length > 0 && e.constraints?.['whitelistValidation'])
      out.push({ parent, property: e.property });
    if (e.children?.length) out.push(...whitelistErrors(e.children, [...parent, e.property]));
  }
  return out;
}
