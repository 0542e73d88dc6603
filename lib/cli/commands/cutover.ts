/** `npm run ops -- cutover HOSTNAME...`: moves hostnames to this project's distributions (lib/ops/cutover.ts); --apply to change. */
import { loadDeployment } from '../../config/load';
import { UsageError } from '../../config/problems';
import { defaultContext } from '../../ops/aws';
import { cutover } from '../../ops/cutover';
import { intOption } from '../args';
import type { Command } from '../command';
import { AWS_OPTIONS, deploymentOptionsOf } from '../options';

export const cutoverCommand: Command = {
  name: 'cutover',
  summary: "move hostnames from the distribution holding them to this project's (AssociateAlias); --apply to change",
  invocation: 'npm run ops -- cutover',
  positionals: 'HOSTNAME...',
  description: `Moves each hostname (with --awaiting instead of hostnames: every hostname in the
stage's awaitingCutover) from the distribution that holds it (in any account) to this
project's distribution for its site, with cloudfront:AssociateAlias. First prints,
for each, the TXT record CloudFront requires (_<hostname> TXT "<distribution
domain>") and whether DNS already has it; the certificate must cover the name.
Without --apply nothing changes. With --apply it moves the ready ones, then waits
until the distributions are deployed, with progress.`,
  options: {
    awaiting: { kind: 'boolean', help: "every hostname in the stage's awaitingCutover" },
    apply: { kind: 'boolean', help: 'move (otherwise a dry run)' },
    timeout: { kind: 'string', value: 'M', help: 'minutes to wait for deployment', default: '30' },
    ...AWS_OPTIONS,
  },
  exitStatus: '0 when every hostname moved (or is ready, in a dry run), 1 when any is blocked or failed, 2 on bad options or config.',
  async run(args, io) {
    const deployment = loadDeployment(deploymentOptionsOf(args));
    if (args.options.awaiting && args.positionals.length > 0) throw new UsageError('give hostnames or --awaiting, not both');
    const hostnames = args.options.awaiting ? deployment.stage.awaitingCutover : args.positionals;
    return cutover(
      defaultContext((l) => io.stdout.write(l + '\n')),
      deployment,
      {
        hostnames,
        awaiting: args.options.awaiting === true,
        apply: args.options.apply === true,
        timeoutMs: intOption(args.options.timeout, 'timeout', 30, 1, 24 * 60) * 60000,
      },
    );
  },
};
