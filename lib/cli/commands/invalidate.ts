/** `npm run ops -- invalidate`: after a deploy, invalidates the cached redirects the change affects (lib/ops/invalidate.ts); --apply to change. */
import { loadDeployment } from '../../config/load';
import { UsageError } from '../../config/problems';
import { defaultContext, inventory } from '../../ops/aws';
import { baselineAt, baselineDeployed, invalidate } from '../../ops/invalidate';
import { intOption, stringOption } from '../args';
import { Command, noPositionals } from '../command';
import { AWS_OPTIONS, configFilesOf, deploymentOptionsOf } from '../options';

export const invalidateCommand: Command = {
  name: 'invalidate',
  summary: 'after a deploy that changed the rules, invalidate the affected cached redirects and wait; --apply to change',
  invocation: 'npm run ops -- invalidate --since REF',
  description: `Compares the sites file, bulk list, rules file and store catalogue with what
was deployed before: without --since, the tables of the function version the
distributions ran before this deploy (the numbered version before the one they
run now, read back from Lambda); with --since, their state at git REF. Prints each changed bulk entry
with an example URL and its old and new destination, each changed rule of the
rules file and catalogue entry, and the paths to invalidate per distribution:
<path>* for each changed bulk source; /* when sites, regions or headers
changed, when the rules file's rules or the catalogue changed ("rules or
catalogue changed": a rule can decide any path), or when the engine's code
(lambda/) changed since REF or differs from the previous version's. With --all instead of --since: /* on every
redirect site. With --apply it waits
until each distribution is Deployed (so every edge runs the new function), then
invalidates and waits until CloudFront is done. Run it after "cdk deploy".`,
  options: {
    since: { kind: 'string', value: 'REF', help: 'git ref of the config deployed before (a tag, origin/main)' },
    all: { kind: 'boolean', help: '/* on every redirect site instead' },
    apply: { kind: 'boolean', help: 'invalidate (otherwise a dry run)' },
    timeout: { kind: 'string', value: 'M', help: 'minutes to wait for each distribution and invalidation', default: '30' },
    ...AWS_OPTIONS,
  },
  exitStatus: '0 when done (or planned, in a dry run), 1 when any distribution failed, 2 on bad options or config.',
  async run(args, io) {
    noPositionals(args);
    const since = stringOption(args.options.since);
    const all = args.options.all === true;
    if (since !== undefined && all) throw new UsageError('give --since REF (the config deployed before) or --all, not both');
    const deployment = loadDeployment(deploymentOptionsOf(args));
    const log = (line: string): void => {
      io.stdout.write(line + '\n');
    };
    const ctx = defaultContext(log);
    const baseline = since === undefined ? undefined : baselineAt(since, configFilesOf(args), log);
    // Listed once, for both the deployed baseline and the invalidations.
    const inv = since === undefined && !all ? await inventory(ctx, deployment) : undefined;
    const previous = inv ? await baselineDeployed(ctx, deployment, inv) : undefined;
    return invalidate(ctx, deployment, {
      baseline,
      previous,
      // With neither baseline nor previous rules (the engine changed), invalidate plans /* everywhere.
      all,
      ...(inv ? { inventory: inv } : {}),
      apply: args.options.apply === true,
      timeoutMs: intOption(args.options.timeout, 'timeout', 30, 1, 24 * 60) * 60000,
    });
  },
};
