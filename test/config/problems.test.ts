/** How a config error reads (lib/config/problems.ts). */
import { ConfigError, ConfigProblem, PROBLEMS_SHOWN } from '../../lib/config/problems';

const problem = (line: number): ConfigProblem => ({ file: 'config/redirects.csv', line, message: 'bad.', fix: 'fix it.' });

test('every problem is listed when there are at most 50', () => {
  const text = new ConfigError([problem(1), problem(2)]).message;
  expect(text).toBe(
    [
      'Config is invalid (2 problems); nothing was written.',
      '  config/redirects.csv:1: bad. Fix: fix it.',
      '  config/redirects.csv:2: bad. Fix: fix it.',
    ].join('\n'),
  );
});

test('a list with 2,000 bad lines prints the first 50 and a count, and keeps every problem', () => {
  const problems = Array.from({ length: 2000 }, (_, i) => problem(i + 1));
  const error = new ConfigError(problems);
  const lines = error.message.split('\n');
  expect(PROBLEMS_SHOWN).toBe(50);
  expect(lines).toHaveLength(1 + 50 + 1);
  expect(lines[0]).toBe('Config is invalid (2000 problems); nothing was written.');
  expect(lines[50]).toBe('  config/redirects.csv:50: bad. Fix: fix it.');
  expect(lines[51]).toBe('  ... and 1950 more (the first 50 are shown; fix these and run again)');
  expect(error.problems).toHaveLength(2000);
});
