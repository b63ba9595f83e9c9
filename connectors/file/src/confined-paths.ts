import { stat } from 'node:fs/promises';
import type { ConfigValidationResult } from '@sluice/connect-api';
import { confine, FILE_ROOTS_KEY, parseRoots } from './path-confinement.js';

export interface PathSetting {
  /** The config key, for the field error. */
  readonly field: string;
  readonly value: string;
}

export interface CheckedPaths {
  errors: ConfigValidationResult['errors'];
  /** Real absolute path per field, for the fields that passed. */
  realPaths: Map<string, string>;
}

/**
 * Checks directory settings against the worker's file roots (`worker.files.roots` in the raw
 * config): each must resolve, symlinks followed, inside a root, and be a directory if it exists.
 * A missing directory is fine: the connectors create theirs (inside the roots) when they start.
 */
export async function checkPaths(
  raw: Readonly<Record<string, string>>,
  settings: readonly PathSetting[],
): Promise<CheckedPaths> {
  const roots = parseRoots(raw[FILE_ROOTS_KEY]);
  const errors: ConfigValidationResult['errors'] = [];
  const realPaths = new Map<string, string>();
  for (const setting of settings) {
    const confined = await confine(setting.value, roots);
    if (!confined.ok) {
      errors.push({ field: setting.field, messages: [`${setting.field}: ${confined.message}`] });
      continue;
    }
    const problem = await directoryProblem(confined.realPath);
    if (problem) {
      errors.push({ field: setting.field, messages: [`${setting.field}: ${setting.value} ${problem}`] });
      continue;
    }
    realPaths.set(setting.field, confined.realPath);
  }
  return { errors, realPaths };
}

async function directoryProblem(path: string): Promise<string | null> {
  try {
    const stats = await stat(path);
    return stats.isDirectory() ? null : 'is not a directory';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    return `cannot be checked: ${(err as Error).message}`;
  }
}
