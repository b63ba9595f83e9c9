import path from 'node:path';
import { hasProviderReferences, resolveConfig, type WorkerConfig } from '@sluice/config';
import type { ConfigResolver } from '@sluice/runtime';

/**
 * How connector configs' ${env:...} and ${file:...} references are resolved: files only below
 * files.roots and files.secrets (worker.yaml's own references read anywhere: its author is the
 * operator, a connector's may be anyone the REST API lets in).
 */
export function connectorConfigResolver(config: WorkerConfig): ConfigResolver {
  const allowedPaths = [...config.files.roots, ...config.files.secrets].map((p) => path.resolve(p));
  return {
    resolve: (c, onValue) => resolveConfig(c, { onValue, allowedPaths }),
    hasReferences: (v) => hasProviderReferences(v),
  };
}
