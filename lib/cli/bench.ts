/**
 * npm run bench [-- --sizes 1000,10000,100000,1000000 --runs 1 --processes 1 --synth-runs 3 --out FILE]
 *
 * The entry of `benchCommand` (lib/cli/commands/bench.ts; the measurements
 * in lib/bench/). Each list is measured by this script again in a fresh
 * process, with `--list`.
 */
import { benchCommand } from './commands/bench';
import { runCommand, runMain } from './command';

if (require.main === module) runMain((argv, io) => runCommand(benchCommand, argv, io, 'bench'), 'bench');
