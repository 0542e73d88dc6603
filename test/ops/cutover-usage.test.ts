/** cutover's usage errors that need no AWS call (lib/ops/cutover.ts). */
import { main } from '../../lib/cli/poco';

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, {
    stdin: process.stdin,
    stdout: { write: () => undefined },
    stderr: { write: (s: string) => err.push(s) },
  });
  return { code, err: err.join('') };
}

test('--awaiting with an empty awaitingCutover says the list is empty (it said to give --awaiting)', async () => {
  const { code, err } = await run(['cutover', '--awaiting']);
  expect(code).toBe(2);
  expect(err.split('\n')[0]).toBe(
    'ops cutover: stages.default.awaitingCutover is empty: no hostname of the stage awaits cutover; name the hostnames to move, such as uk.po.co, or list them there',
  );
});

test('no hostnames and no --awaiting: how to name them', async () => {
  const { code, err } = await run(['cutover']);
  expect(code).toBe(2);
  expect(err.split('\n')[0]).toBe(
    "ops cutover: name the hostnames to move, such as uk.po.co, or give --awaiting for every hostname in the stage's awaitingCutover",
  );
});
