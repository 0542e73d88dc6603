/** verify against a URL where nothing listens (lib/ops/verify.ts): one error, not a FAILED line per probe. */
import * as net from 'net';
import { main } from '../../lib/cli/poco';

/** A port on 127.0.0.1 that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('nothing listening: the error once, no FAILED lines, exit 1', async () => {
  const port = await closedPort();
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['verify', '--base', `http://127.0.0.1:${port}`, '--sample', '50'], {
    stdin: process.stdin,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  });
  expect(code).toBe(1);
  expect(out.join('')).toMatch(/^verify: \d+ probes against http:\/\/127\.0\.0\.1:\d+ \(Host header set per probe\)\n$/);
  expect(out.join('')).not.toContain('FAILED');
  expect(err.join('')).toBe(
    `ops verify: no probe got an answer from http://127.0.0.1:${port} (error: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:${port}). Fix: check the URL; for the preview, start it first with npm start.\n`,
  );
});
