/** `npm run ops -- status`: each site's distribution in the stage (lib/ops/status.ts). Read-only. */
import { loadDeployment } from '../../config/load';
import { defaultContext } from '../../ops/aws';
import { status } from '../../ops/status';
import { Command, noPositionals } from '../command';
import { AWS_OPTIONS, deploymentOptionsOf } from '../options';

export const statusCommand: Command = {
  name: 'status',
  summary: "each distribution's deployment state, aliases, function version and running invalidations (read-only)",
  invocation: 'npm run ops -- status',
  description: `For each site of the stage: its distribution (found by its comment), whether it is
Deployed or InProgress, its aliases against the config (those awaiting cutover
marked), the function version it runs, and invalidations in progress. Read-only.`,
  options: AWS_OPTIONS,
  exitStatus: '0 when every site is deployed and settled, 1 otherwise (or on an AWS error), 2 on bad options or config.',
  async run(args, io) {
    noPositionals(args);
    return status(
      defaultContext((l) => io.stdout.write(l + '\n')),
      loadDeployment(deploymentOptionsOf(args)),
    );
  },
};
