/**
 * npm run report:check [-- --report DIR]: the report opened in a real
 * headless Chromium and checked as a reader sees it (`reportCheckCommand`,
 * lib/cli/commands/report-check.ts; the checks in lib/review/report-check.ts).
 */
import { reportCheckCommand } from './commands/report-check';
import { runCommand, runMain } from './command';

if (require.main === module) runMain((argv, io) => runCommand(reportCheckCommand, argv, io, 'report:check'), 'report:check');
