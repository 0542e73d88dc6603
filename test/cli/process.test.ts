/**
 * The entry points as a shell runs them, in a child process: a reader that
 * goes away (`| head`), paths relative to the user's directory (npm's
 * INIT_CWD), --version.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCommand } from '../../lib/cli/command';
import { benchCommand } from '../../lib/cli/commands/bench';
import { reportCheckCommand } from '../../lib/cli/commands/report-check';
import { main } from '../../lib/cli/poco';
import { PROJECT_ROOT } from '../../lib/config/load';
import { tmpDir } from '../support/tmp';

const TSX = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const PKG = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

/** Runs an entry file with `args`, `input` on stdin; reads one line of its stdout, then closes the pipe, as `| head -1` does. */
function runThenCloseAfterOneLine(
  entry: string,
  args: string[],
  input: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; firstLine: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [TSX, entry, ...args], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let firstLine = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (firstLine) return;
      out += chunk.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        firstLine = out.slice(0, nl);
        child.stdout.destroy();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, firstLine, stderr, ms: Date.now() - started });
    });
  });
}

describe('a reader that goes away (| head)', () => {
  test('resolve, reading many URLs, ends quietly: no EPIPE, no stack trace, exit 0', async () => {
    const urls = Array.from({ length: 20000 }, (_, i) => `https://po.co/uk/page-${i}`).join('\n') + '\n';
    const r = await runThenCloseAfterOneLine('lib/cli/poco.ts', ['resolve'], urls);
    expect(JSON.parse(r.firstLine)).toMatchObject({ url: 'https://po.co/uk/page-0' });
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
    expect([r.code, r.signal]).toEqual([0, null]);
    expect(r.ms).toBeLessThan(30000);
  }, 60000);

  test('resolve with many URL arguments ends quietly too', async () => {
    const urls = Array.from({ length: 3000 }, (_, i) => `po.co/uk/p${i}`);
    const r = await runThenCloseAfterOneLine('lib/cli/poco.ts', ['resolve', ...urls], '');
    expect(r.firstLine).toContain('"url":"po.co/uk/p0"');
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(r.code).toBe(0);
  }, 60000);
});

describe('paths on the command line are relative to the directory the user is in', () => {
  test('--redirects in the user directory (INIT_CWD), not the project root', () => {
    const dir = tmpDir('poco-cwd-');
    fs.writeFileSync(path.join(dir, 'mine.csv'), 'po.co/x,https://www.mi.com/global/mine/,301\n');
    const r = spawnSync(
      process.execPath,
      [TSX, path.join(PROJECT_ROOT, 'lib/cli/poco.ts'), 'resolve', '--redirects', 'mine.csv', 'po.co/x'],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        env: { ...process.env, INIT_CWD: dir },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      location: 'https://www.mi.com/global/mine/',
      rule: expect.stringMatching(/^bulk:.*mine\.csv:1$/),
    });
  }, 60000);

  test('without INIT_CWD, the current directory', () => {
    const dir = tmpDir('poco-cwd-');
    fs.writeFileSync(path.join(dir, 'mine.csv'), 'po.co/x,https://www.mi.com/global/mine/,301\n');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.INIT_CWD;
    const r = spawnSync(
      process.execPath,
      [TSX, path.join(PROJECT_ROOT, 'lib/cli/poco.ts'), 'resolve', '--redirects', 'mine.csv', 'po.co/x'],
      {
        cwd: dir,
        encoding: 'utf8',
        env,
      },
    );
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ location: 'https://www.mi.com/global/mine/' });
  }, 60000);

  test('replay: the file positional and --output, in the user directory; named as given', async () => {
    const dir = tmpDir('poco-cwd-');
    fs.writeFileSync(path.join(dir, 'urls.txt'), 'https://po.co/uk/no-such-page-at-all\n');
    const saved = process.env.INIT_CWD;
    process.env.INIT_CWD = dir;
    let err = '';
    try {
      const code = await main(['replay', '--output', 'out.csv', 'urls.txt'], {
        stdin: process.stdin,
        stdout: { write: () => undefined },
        stderr: { write: (s: string) => (err += s) },
      });
      expect(code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
    }
    expect(err).toContain('replay: urls.txt: url-list, 1 record');
    expect(err).toContain('replay: wrote 0 entries to out.csv\n');
    expect(fs.existsSync(path.join(dir, 'out.csv'))).toBe(true);
    expect(fs.existsSync(path.join(PROJECT_ROOT, 'out.csv'))).toBe(false);
  });
});

describe('--version', () => {
  const line = `${PKG.name} ${PKG.version}\n`;

  async function run(f: (io: Parameters<typeof main>[1]) => Promise<number>): Promise<[number, string, string]> {
    let out = '';
    let err = '';
    const code = await f({
      stdin: process.stdin,
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
    });
    return [code, out, err];
  }

  test('npm run ops -- --version, and every command with --version: the name and version, exit 0', async () => {
    expect(await run((io) => main(['--version'], io))).toEqual([0, line, '']);
    for (const name of ['resolve', 'replay', 'catalog', 'verify', 'diff', 'status'])
      expect(await run((io) => main([name, '--version'], io))).toEqual([0, line, '']);
    expect(await run((io) => runCommand(benchCommand, ['--version'], io, 'bench'))).toEqual([0, line, '']);
    expect(await run((io) => runCommand(reportCheckCommand, ['--version'], io, 'report:check'))).toEqual([0, line, '']);
  });

  test('the entry files print it too (npm run bench -- --version)', () => {
    for (const entry of ['lib/cli/bench.ts', 'lib/cli/report-check.ts']) {
      const r = spawnSync(process.execPath, [TSX, entry, '--version'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
      expect([r.status, r.stdout, r.stderr]).toEqual([0, line, '']);
    }
  }, 60000);
});
