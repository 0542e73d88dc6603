/**
 * Templates for snapshots: asset hashes and the Lambda version's code hash
 * (in values and logical ids) become markers, so a snapshot shows resource
 * changes rather than bundle churn. Bundle determinism is tested on its own.
 */
import type { Template } from 'aws-cdk-lib/assertions';

export function stableTemplate(template: Template): unknown {
  return JSON.parse(
    JSON.stringify(template.toJSON())
      .replace(/[0-9a-f]{64}/g, '[ASSET-HASH]')
      .replace(/CurrentVersion([0-9A-F]{8})[0-9a-f]{32}/g, 'CurrentVersion$1[CODE-HASH]'),
  );
}
