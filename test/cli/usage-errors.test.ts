/** A usage error is one line and where the help is, never the whole usage (lib/cli/command.ts). */
import { COMMANDS, main } from '../../lib/cli/poco';

test.each(COMMANDS.map((c) => c.name))('%s --no-such-option: two lines, exit 2', async (name) => {
  const err: string[] = [];
  const code = await main([name, '--no-such-option'], {
    stdin: process.stdin,
    stdout: { write: () => undefined },
    stderr: { write: (s: string) => err.push(s) },
  });
  const command = COMMANDS.find((c) => c.name === name)!;
  const lines = err.join('').split('\n');
  expect(code).toBe(2);
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(new RegExp(`^ops ${name}: unknown option "--no-such-option"; this command takes --`));
  expect(lines[1]).toBe(`See "${command.invocation} --help".`);
  expect(lines[2]).toBe('');
});
