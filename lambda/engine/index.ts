/** The redirect engine's public surface: pure code, no AWS or CDK imports. */
export * from './types';
export { RedirectEngine, MAX_INTERNAL_HOPS, MAX_REWRITES } from './engine';
export { fillTarget, RuleIndex } from './rules';
export { BulkIndex, packBulk } from './bulk';
export { PathScan } from './path';
export {
  canonicalPath,
  canonicalSegment,
  locationChecker,
  lowerSegment,
  normaliseCountry,
  normaliseHost,
  pathKey,
  safeQuery,
  wildcardOf,
} from './url';
export type { CanonicalPath } from './url';
