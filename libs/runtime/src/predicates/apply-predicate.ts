import type { ConnectRecord, Predicate } from '@sluice/connect-api';

/**
 * Whether a transform guarded by `predicate` applies to `record`: the predicate's answer, flipped
 * when the transform is configured with `transforms.<alias>.negate=true`. Negation belongs to the
 * transform's settings, not the predicate's, so one predicate can guard transforms both ways.
 */
export function applyPredicate<R extends ConnectRecord>(
  predicate: Predicate<R>,
  negate: boolean,
  record: R,
): boolean {
  return predicate.test(record) !== negate;
}
