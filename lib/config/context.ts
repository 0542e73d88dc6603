/**
 * Checks of what `cdk synth` was given beyond the config files: a context key
 * that looks like a typo of one the app reads, and a stage's placeholders.
 * Pure: bin/app.ts reports what these return.
 */
import { editDistance } from './fields';
import type { StageConfig } from './stages';

/** The context keys this app reads. */
const OUR_KEYS = ['stage', 'sites', 'stages', 'redirects', 'rules', 'catalog'] as const;

/** Context keys the CDK itself (its CLI or cdk.json) sets that look like none of ours but are short. */
const CDK_KEYS = new Set(['cli-telemetry', 'assets', 'aws-cdk', 'bundling-stacks', 'acknowledged-issue-numbers', 'notices']);

/**
 * A context key that is none of ours but within two edits of one (`-c
 * stag=prod`) is a typo: without this the app would quietly build the
 * default stage. Keys the CDK sets (feature flags, `aws:cdk:*`, with `:` or
 * `@`) are never flagged. Returns the message, or undefined.
 */
export function contextTypo(context: Readonly<Record<string, unknown>>): string | undefined {
  for (const [key, value] of Object.entries(context)) {
    if ((OUR_KEYS as readonly string[]).includes(key) || CDK_KEYS.has(key) || /[:@/]/.test(key)) continue;
    const near = OUR_KEYS.map((ours) => ({ ours, d: editDistance(key.toLowerCase(), ours) }))
      .filter((x) => x.d <= 2)
      .sort((x, y) => x.d - y.d)[0];
    if (near)
      return `-c ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}: unknown context key ${JSON.stringify(key)}. Did you mean ${JSON.stringify(near.ours)}?`;
  }
  return undefined;
}

/**
 * What of a stage still looks like a placeholder: an example account id
 * (123456789012, or one digit twelve times), a hosted zone id saying
 * PLACEHOLDER or FILLIN, an e-mail at example.com/.org/.net or under
 * .example/.invalid. The `default` stage is placeholders on purpose (synth
 * offline); every other stage is warned about.
 */
export function placeholdersOf(stage: StageConfig): string[] {
  const found: string[] = [];
  if (/^(\d)\1{11}$/.test(stage.account) || stage.account === '123456789012') found.push(`account ${stage.account}`);
  for (const [zone, id] of stage.hostedZones) if (/PLACEHOLDER|FILLIN/i.test(id)) found.push(`hosted zone ${zone} ${id}`);
  for (const email of stage.alarmEmails)
    if (/@(?:[^@]+\.)?example\.(?:com|org|net)$|\.(?:example|invalid)$/i.test(email)) found.push(`alarm e-mail ${email}`);
  return found;
}
