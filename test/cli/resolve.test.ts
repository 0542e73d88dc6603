/** The resolver CLI: same engine and tables as the bundle, JSON lines out, exit 2 on bad input. */
import { spawnSync } from 'child_process';
import { tmpDir } from '../support/tmp';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { runCommand } from '../../lib/cli/command';
import { resolveCommand } from '../../lib/cli/commands/resolve';
import { parseRawUrl } from '../../lib/rules/request';
import { defaultRule } from '../support/engine';

const ROOT = path.resolve(__dirname, '..', '..');

async function run(argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCommand(
    resolveCommand,
    argv,
    {
      stdin: Readable.from([stdin]),
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
    },
    'resolve',
  );
  return { code, out, err };
}

const lines = (out: string): unknown[] =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('resolve URL...', () => {
  test('one JSON object per URL, in order', async () => {
    const { code, out, err } = await run(['--country', 'gb', 'https://po.co/', 'https://in.po.co/x', 'https://po.co/uk/offers?a=1']);
    expect([code, err]).toEqual([0, '']);
    expect(lines(out)).toEqual([
      {
        url: 'https://po.co/',
        country: 'GB',
        action: 'redirect',
        status: 302,
        location: 'https://www.mi.com/uk/',
        rule: defaultRule('landing'),
      },
      { url: 'https://in.po.co/x', country: 'GB', action: 'origin', status: null, location: null, rule: 'origin:frozen-site' },
      {
        url: 'https://po.co/uk/offers?a=1',
        country: 'GB',
        action: 'redirect',
        status: 302,
        location: 'https://www.mi.com/uk/sale/?a=1',
        rule: 'bulk:config/redirects.csv:2',
      },
    ]);
  });

  test('--method and the respond action', async () => {
    const { out } = await run(['--method=post', 'https://po.co/uk/']);
    expect(lines(out)).toEqual([
      { url: 'https://po.co/uk/', country: null, action: 'respond', status: 405, location: null, rule: 'respond:method-not-allowed' },
    ]);
  });

  test('--redirects uses another list, named in the rule', async () => {
    const dir = tmpDir('poco-cli-');
    const list = path.join(dir, 'other.csv');
    fs.writeFileSync(list, 'po.co/x,https://www.mi.com/it/\n');
    const { out } = await run(['--redirects', list, 'po.co/x']);
    expect(lines(out)).toEqual([
      { url: 'po.co/x', country: null, action: 'redirect', status: 301, location: 'https://www.mi.com/it/', rule: 'bulk:other.csv:1' },
    ]);
  });

  test('bad arguments: message on stderr, nothing on stdout, exit 2', async () => {
    for (const [argv, message] of [
      [['--bogus'], 'resolve: unknown option "--bogus"; this command takes --redirects, --sites, --rules, --catalog, --country, --method'],
      [['--country', 'GBR', 'https://po.co/'], 'resolve: --country "GBR" is not a two-letter country code such as GB'],
      [['--redirects'], 'resolve: --redirects needs a value'],
      [['https://po.co/', 'ftp://po.co/x'], 'resolve: "ftp://po.co/x" has scheme "ftp"; only http and https reach CloudFront'],
    ] as [string[], string][]) {
      const { code, out, err } = await run(argv);
      expect([code, out, err.split('\n')[0]]).toEqual([2, '', message]);
    }
  });

  test('--rules and --catalog use another rules file and catalogue, named in the rule', async () => {
    const dir = tmpDir('poco-cli-');
    const rules = path.join(dir, 'rules.txt');
    const catalog = path.join(dir, 'catalog.json');
    fs.writeFileSync(rules, '/product/:product/* :store/p/:product/ Name=short\n/* :store 302 Name=all\n');
    fs.writeFileSync(catalog, JSON.stringify({ stores: { 'https://www.mi.com/uk/': ['poco-x1'] } }));
    const { code, out, err } = await run([
      '--rules',
      rules,
      '--catalog',
      catalog,
      'https://po.co/uk/product/POCO-X1/specs',
      'https://po.co/uk/product/poco-f7',
      'https://shop.po.co/',
    ]);
    expect([code, err]).toEqual([0, '']);
    expect(lines(out)).toEqual([
      {
        url: 'https://po.co/uk/product/POCO-X1/specs',
        country: null,
        action: 'redirect',
        status: 301,
        location: 'https://www.mi.com/uk/p/poco-x1/',
        rule: `rule:short@${rules}:1`,
      },
      {
        url: 'https://po.co/uk/product/poco-f7',
        country: null,
        action: 'redirect',
        status: 302,
        location: 'https://www.mi.com/uk/',
        rule: `rule:all@${rules}:2`,
      },
      {
        url: 'https://shop.po.co/',
        country: null,
        action: 'redirect',
        status: 302,
        location: 'https://www.mi.com/global/',
        rule: `rule:all@${rules}:2`,
      },
    ]);
  });

  test('a bad config: every problem on stderr, exit 2', async () => {
    const dir = tmpDir('poco-cli-');
    const list = path.join(dir, 'bad.csv');
    fs.writeFileSync(list, 'po.co/a,https://evil.com/\npo.co/b,https://www.mi.com/uk/,999\n');
    const { code, out, err } = await run(['--redirects', list, 'https://po.co/']);
    expect([code, out]).toEqual([2, '']);
    expect(err).toBe(
      [
        'resolve: Config is invalid (2 problems); nothing was written.',
        `  ${list}:1: TARGET_URL host "evil.com" is not on the allow-list. Fix: point it at www.mi.com, www.mi.co.id, new.c.mi.com or in.po.co, or add the host to allowedTargetHosts in config/sites.json.`,
        `  ${list}:2: STATUS_CODE "999" is not a redirect status. Fix: use 301, 302, 307 or 308 (empty means 301).`,
        '',
      ].join('\n'),
    );
  });

  test('--help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: npm run resolve -- \[options\] \[URL\.\.\.\]/);
  });
});

describe('resolve from standard input', () => {
  test('URL [COUNTRY] per line; comments and blank lines skipped; --country is the default', async () => {
    const { code, out } = await run(
      ['--country', 'DE'],
      '# replay\nhttps://po.co/\n\nhttps://po.co/ FR\n  https://po.co/product/X   in  \n',
    );
    expect(code).toBe(0);
    expect(lines(out).map((l) => (l as { location: string }).location)).toEqual([
      'https://www.mi.com/de/',
      'https://www.mi.com/fr/',
      'https://in.po.co/product/X',
    ]);
  });

  test('bad lines are reported with their number and skipped; exit 2 at the end', async () => {
    const { code, out, err } = await run(
      [],
      'https://po.co/uk/\nmailto:x\nhttps://po.co/ GBR\nhttps://po.co/ GB extra\nhttps://po.co/de/\n',
    );
    expect(code).toBe(2);
    expect(lines(out).map((l) => (l as { location: string }).location)).toEqual(['https://www.mi.com/uk/', 'https://www.mi.com/de/']);
    expect(err).toBe(
      [
        'resolve: stdin:2: "mailto:x" is not a URL; give one like https://po.co/uk/',
        'resolve: stdin:3: country "GBR" is not a two-letter code such as GB',
        'resolve: stdin:4: expected "URL [COUNTRY]", found 3 words',
        '',
      ].join('\n'),
    );
  });
});

describe('parseRawUrl keeps the path as sent', () => {
  test.each([
    ['https://po.co/a/../b//c?x=%2F#frag', { scheme: 'https', host: 'po.co', path: '/a/../b//c', query: 'x=%2F' }],
    ['po.co', { scheme: 'https', host: 'po.co', path: '/', query: '' }],
    ['HTTP://PO.CO:80/X', { scheme: 'http', host: 'PO.CO:80', path: '/X', query: '' }],
  ])('%s', (url, parsed) => expect(parseRawUrl(url)).toEqual(parsed));
});

describe('npm run resolve, as a process', () => {
  test('exit status 2 and a message, no stack trace, on a bad list', () => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        'lib/cli/poco.ts',
        'resolve',
        '--redirects',
        'nonexistent.csv',
        'https://po.co/',
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'nonexistent.csv: does not exist. Fix: give the path of a bulk redirect list in CSV (default config/redirects.csv).',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('reads standard input', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'lib/cli/poco.ts', 'resolve'], {
      cwd: ROOT,
      encoding: 'utf8',
      input: 'https://uk.po.co/product/POCO-F7\n',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      url: 'https://uk.po.co/product/POCO-F7',
      country: null,
      action: 'redirect',
      status: 301,
      location: 'https://www.mi.com/uk/product/poco-f7/',
      rule: defaultRule('product-page'),
    });
  });
});
