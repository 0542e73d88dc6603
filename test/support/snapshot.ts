/**
 * Templates for snapshots: asset hashes and the Lambda version's code hash
 * (in values and logical ids) become markers, so a snapshot shows resource
 * changes rather than bundle churn. Bundle determinism is tested on its own.
 *
 * Registered for every test file by test/support/setup.ts: a test snapshots
 * a `Template` as it is (`expect(template).toMatchSnapshot()`).
 */
import type { Template } from 'aws-cdk-lib/assertions';

export function stableTemplate(template: Template): unknown {
  return JSON.parse(
    JSON.stringify(template.toJSON())
      .replace(/[0-9a-f]{64}/g, '[ASSET-HASH]')
      .replace(/CurrentVersion([0-9A-F]{8})[0-9a-f]{32}/g, 'CurrentVersion$1[CODE-HASH]'),
  );
}

/**
 * Whether `value` is an assertions `Template`. By its methods rather than
 * `instanceof`, so that the setup file loads no aws-cdk-lib into test files
 * that never synthesize.
 */
function isTemplate(value: unknown): value is Template {
  const t = value as Partial<Template> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.toJSON === 'function' &&
    typeof t.hasResourceProperties === 'function' &&
    typeof t.templateMatches === 'function'
  );
}

/** Prints a `Template` as `stableTemplate` makes it, exactly as the masked object itself would print. */
export const templateSerializer: Parameters<typeof expect.addSnapshotSerializer>[0] = {
  test: isTemplate,
  serialize: (template: Template, config, indentation, depth, refs, printer) =>
    printer(stableTemplate(template), config, indentation, depth, refs),
};
