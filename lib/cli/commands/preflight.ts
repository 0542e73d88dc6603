/** `npm run ops -- preflight`: who holds each configured hostname, and what would conflict (lib/ops/preflight.ts). Read-only. */
import { loadDeployment } from '../../config/load';
import { defaultContext } from '../../ops/aws';
import { runPreflight } from '../../ops/preflight';
import { Command, noPositionals } from '../command';
import { AWS_OPTIONS, deploymentOptionsOf } from '../options';

export const preflightCommand: Command = {
  name: 'preflight',
  summary:
    'for every configured hostname: who holds it, whether the certificate covers it, its DNS records, what will conflict (read-only)',
  invocation: 'npm run ops -- preflight',
  description: `For every hostname of the sites file: which distribution holds it today
(ListDistributions in this account; ListConflictingAliases for other accounts,
once this project's distribution and certificate exist), whether this project's
certificate covers it (acm:DescribeCertificate), which A/AAAA records the name
already has in its hosted zone (route53:ListResourceRecordSets), and what the
next deploy or cutover will meet. Read-only.`,
  options: AWS_OPTIONS,
  exitStatus: '0 when nothing conflicts, 1 when a hostname would fail the deploy (or on an AWS error), 2 on bad options or config.',
  async run(args, io) {
    noPositionals(args);
    return runPreflight(
      defaultContext((l) => io.stdout.write(l + '\n')),
      loadDeployment(deploymentOptionsOf(args)),
    );
  },
};
