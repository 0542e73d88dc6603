/** The bench and report:check commands, as their entry files run them: help, and options refused before anything is measured or opened. */
import * as path from 'path';
import { runCommand } from '../../lib/cli/command';
import { benchCommand } from '../../lib/cli/commands/bench';
import { reportCheckCommand } from '../../lib/cli/commands/report-check';
import { tmpDir } from '../support/tmp';

async function run(command: typeof benchCommand, argv: string[], label: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCommand(
    command,
    argv,
    { stdin: process.stdin, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } },
    label,
  );
  return { code, out, err };
}

describe('npm run bench', () => {
  test('--help prints the usage and the options, exit 0', async () => {
    const { code, out, err } = await run(benchCommand, ['--help'], 'bench');
    expect([code, err]).toEqual([0, '']);
    expect(out).toMatch(/^Usage: npm run bench -- \[options\]\n/);
    for (const option of [
      '--sizes',
      '--runs',
      '--processes',
      '--synth-runs',
      '--out',
      '--traffic-requests',
      '--baseline',
      '--app',
      '--traffic-only',
    ])
      expect(out).toContain(`  ${option} `);
  });

  test('bad options: the message and where the help is, exit 2, nothing measured', async () => {
    for (const [argv, message] of [
      [['--traffic-requests', '0'], 'bench: --traffic-requests takes a whole number from 1'],
      [
        ['--sizes', '1000,x'],
        'bench: --sizes takes whole numbers separated by commas, such as 1000,100000; --synth-runs a whole number; --runs and --processes a whole number from 1',
      ],
      [['--list', 'some'], 'bench: --list takes default, rules or a number of lines'],
    ] as [string[], string][]) {
      const { code, out, err } = await run(benchCommand, argv, 'bench');
      expect([code, out, err.split('\n')[0]]).toEqual([2, '', message]);
      expect(err.split('\n').slice(1)).toEqual(['See "npm run bench -- --help".', '']);
    }
  });
});

describe('npm run report:check', () => {
  test('--help prints the usage, exit 0', async () => {
    const { code, out, err } = await run(reportCheckCommand, ['--help'], 'report:check');
    expect([code, err]).toEqual([0, '']);
    expect(out).toMatch(/^Usage: npm run report:check -- \[options\]\n/);
    expect(out).toContain('  --report DIR ');
  });

  test('no report in the folder: a message, exit 2, no browser', async () => {
    const dir = tmpDir('report-check-');
    const { code, out, err } = await run(reportCheckCommand, ['--report', dir], 'report:check');
    expect([code, out, err]).toEqual([2, '', `report:check: no ${path.join(dir, 'index.html')}; run npm run report first\n`]);
  });
});
