// Jest snapshot serializer: replaces CDK asset hashes (64 hex digits) with a
// stable marker so template snapshots show resource changes, not bundle churn.
// Bundle determinism is tested on its own (test/bundle.test.ts).
const HASH = /[0-9a-f]{64}/g;

module.exports = {
  test: (val) => typeof val === 'string' && HASH.test(val) && ((HASH.lastIndex = 0), true),
  serialize: (val, config, indentation, depth, refs, printer) => printer(val.replace(HASH, '[ASSET-HASH]'), config, indentation, depth, refs),
};
