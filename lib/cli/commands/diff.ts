/** `npm run diff`: the synthesized app against a baseline, stacks and redirects (lib/review/diff.ts). Offline. */
import * as fs from 'fs';
import { diffSides } from '../../review/diff';
import { stringOption } from '../args';
import { Command, noPositionals } from '../command';
import { CONFIG_OPTIONS, deploymentOptionsOf, pathOption, STAGE_OPTIONS, userPath } from '../options';

export const diffCommand: Command = {
  name: 'diff',
  summary:
    'offline diff of the synthesized app against a baseline (git ref, cdk.out or templates): stacks as cdk diff prints them, and redirects',
  invocation: 'npm run diff --',
  description: `Synthesizes the app (or reads --app DIR) and compares it with the baseline:
  --baseline REF    a git ref (default HEAD): the app as it was there, synthesized
                    from a git archive with this checkout's node_modules
  --baseline DIR    a saved cdk.out, or a folder of *.template.json files
Prints each stack's differences as "cdk diff" does (@aws-cdk/cloudformation-diff),
then the redirect diff: rules of the rules file added [+], removed [-] and
changed [~], by id and as written; products the catalogue added or removed per
region; bulk entries added, removed and changed, each with an example URL and
its old and new destination; and the answers that moved of the rules walked on
every hostname (each rule's example, each country at the root; a wildcard
hostname such as *.po.co as the sample name any-name.po.co). No AWS credentials are used.

--stage and the config files are passed to the current synth as -c stage=S,
-c redirects=FILE...; a git baseline is synthesized with --stage only, from its own config.`,
  options: {
    baseline: { kind: 'string', value: 'REF|DIR', help: 'a git ref, a saved cdk.out or a folder of templates', default: 'HEAD' },
    app: { kind: 'string', value: 'DIR', help: 'an already synthesized cdk.out to use as the current side' },
    ...STAGE_OPTIONS,
    ...CONFIG_OPTIONS,
    fail: { kind: 'boolean', help: 'exit 1 when there are differences (as cdk diff --fail)' },
  },
  exitStatus: '0; 1 with --fail when there are differences, or when a synth fails; 2 on bad options.',
  async run(args, io) {
    noPositionals(args);
    const sides = {
      baseline: baselineOf(stringOption(args.options.baseline)),
      app: pathOption(args.options.app),
      synth: deploymentOptionsOf(args),
    };
    const { text, different } = diffSides(sides, (line) => io.stderr.write(`diff: ${line}\n`));
    io.stdout.write(text);
    return args.options.fail === true && different ? 1 : 0;
  },
};

/** The baseline: a folder in the user's directory when one is there by that name, else a git ref (default HEAD). */
function baselineOf(value: string | undefined): string {
  if (value === undefined) return 'HEAD';
  const folder = userPath(value);
  return fs.existsSync(folder) ? folder : value;
}
