/**
 * The preview under what a developer's machine throws at it: file names
 * beyond Latin-1, paths the file system cannot hold, a port in use, a
 * killed `npm start`, another address, and config edited while it runs.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { PROJECT_ROOT } from '../../lib/config/load';
import { main } from '../../lib/cli/poco';
import { headerValue, Preview, startPreview } from '../../lib/ops/preview';
import { snapshotLookup } from '../../lib/edge/frozen-site';
import { FROZEN_FIXTURE } from '../support/deployment';
import { tmpDir } from '../support/tmp';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP request to the preview, with any Host header. */
function get(base: string, target: string, headers: Record<string, string>): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: url.hostname, port: url.port, path: target, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`no answer to ${target} in 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Resolves once `check` is true, polling; rejects after `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether `port` of `host` can be listened on (the server that held it is gone). */
function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** Resolves to the URL the spawned preview prints when it is listening. */
function listeningUrl(child: ChildProcess, output: { text: string }): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => {
      output.text += c;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(output.text);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output.text}`)));
  });
}

const io = (out: string[], err: string[]) => ({
  stdin: process.stdin,
  stdout: { write: (s: string) => out.push(s) },
  stderr: { write: (s: string) => err.push(s) },
});

const dir = tmpDir('preview-robust-');
const spawned: ChildProcess[] = [];
afterAll(() => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('a rule named by a file beyond Latin-1', () => {
  test('x-preview-rule percent-encodes a bulk list path such as 列表.csv, and the server keeps answering', async () => {
    const listDir = path.join(dir, 'données');
    fs.mkdirSync(listDir);
    const list = path.join(listDir, '列表.csv');
    fs.writeFileSync(list, 'po.co/uk/old-phone,https://www.mi.com/uk/product/poco-f7/,301\n');
    const preview = await startPreview({ redirectsFile: list, port: 0, log: () => undefined });
    try {
      const a = await get(preview.url, '/uk/old-phone', { Host: 'po.co' });
      expect([a.status, a.headers.location]).toEqual([301, 'https://www.mi.com/uk/product/poco-f7/']);
      const rule = a.headers['x-preview-rule'] as string;
      // The rule names the list (as the bundle logs it), in printable ASCII: UTF-8 percent-encoded.
      expect(rule).toMatch(/^bulk:[\x20-\x7e]*%E5%88%97%E8%A1%A8\.csv:1$/);
      expect(decodeURIComponent(rule)).toMatch(/^bulk:.*列表\.csv:1$/);
      expect((await get(preview.url, '/fr/', { Host: 'po.co' })).status).toBe(301);
    } finally {
      await preview.close();
    }
    // Printable ASCII is kept as it is.
    expect(headerValue('rule:landing@config/rules.txt:12')).toBe('rule:landing@config/rules.txt:12');
  });
});

describe('snapshot paths the file system cannot hold', () => {
  const missing = ['/index.html/x', '/product/poco-c75/index.html/more', '/' + 'a'.repeat(300), '/product/' + 'é'.repeat(200) + '/x'];

  test('the lookup answers them as missing keys (S3: 403, the distribution: 404 with 404.html), never an error', () => {
    for (const uri of missing) {
      expect([uri, snapshotLookup(FROZEN_FIXTURE, uri)]).toEqual([
        uri,
        { status: 404, key: decodeURIComponent(uri), file: path.join(FROZEN_FIXTURE, '404.html') },
      ]);
    }
  });

  test('the preview answers 404 with the snapshot 404.html, never 500, never a path of this machine', async () => {
    const sitesFile = path.join(dir, 'frozen-sites.json');
    const sites = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'sites.json'), 'utf8')) as {
      sites: Record<string, Record<string, unknown>>;
    };
    fs.cpSync(FROZEN_FIXTURE, path.join(dir, 'snapshot'), { recursive: true });
    sites.sites.in.content = 'snapshot';
    fs.writeFileSync(sitesFile, JSON.stringify(sites));
    const preview = await startPreview({ sitesFile, port: 0, log: () => undefined });
    try {
      const notFound = fs.readFileSync(path.join(FROZEN_FIXTURE, '404.html'), 'utf8');
      for (const uri of [...missing.map((u) => encodeURI(u)), '/index.html/', '/%' + '41'.repeat(400)]) {
        const a = await get(preview.url, uri, { Host: 'in.po.co' });
        expect([uri.slice(0, 40), a.status, a.body]).toEqual([uri.slice(0, 40), 404, notFound]);
        expect(a.body).not.toContain(dir);
      }
    } finally {
      await preview.close();
    }
  });
});

describe('the command line', () => {
  test('a port in use is one line, exit 1, no "internal error"', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const out: string[] = [];
      const err: string[] = [];
      expect(await main(['preview', '--port', String(port)], io(out, err))).toBe(1);
      expect(err).toEqual([
        `ops preview: port ${port} on 127.0.0.1 is in use. Fix: stop what holds it, or choose another with PORT=8788 npm start (or --port 8788).\n`,
      ]);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  test('--host HOST is in the help, with its default', async () => {
    const out: string[] = [];
    expect(await main(['preview', '--help'], io(out, []))).toBe(0);
    expect(out.join('')).toMatch(/\n {2}--host HOST +address to listen on \(0\.0\.0\.0: every interface\) +\[127\.0\.0\.1\]\n/);
  });

  test('--host 127.0.0.2: listens there; SIGTERM stops it and frees the port', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        'lib/cli/poco.ts',
        'preview',
        '--host',
        '127.0.0.2',
        '--port',
        '0',
      ],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    spawned.push(child);
    const output = { text: '' };
    const url = await listeningUrl(child, output);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    const port = Number(new URL(url).port);
    expect((await get(url, '/fr/', { Host: 'po.co' })).status).toBe(301);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(await canBind(port, '127.0.0.2')).toBe(true);
  });

  test('npm start killed with SIGTERM: the server under it stops too, and the port is free again', async () => {
    const npm = spawn('npm', ['start', '--silent', '--', '--port', '0'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: '0' },
    });
    spawned.push(npm);
    const output = { text: '' };
    const url = await listeningUrl(npm, output);
    const port = Number(new URL(url).port);
    expect((await get(url, '/fr/', { Host: 'po.co' })).status).toBe(301);
    const exit = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
    npm.kill('SIGTERM');
    await exit;
    await eventually(() => canBind(port, '127.0.0.1'), 5000, `port ${port} free after npm start is killed`);
  });
});

describe('reload when the config changes', () => {
  const work = path.join(dir, 'config');
  const copy = (name: string): string => {
    const file = path.join(work, name);
    fs.copyFileSync(path.join(PROJECT_ROOT, 'config', name), file);
    return file;
  };
  let preview: Preview;
  const log: string[] = [];
  const warnings: string[] = [];
  let rulesFile: string;

  beforeAll(async () => {
    fs.mkdirSync(work, { recursive: true });
    fs.cpSync(FROZEN_FIXTURE, path.join(work, 'frozen', 'in'), { recursive: true });
    rulesFile = copy('rules.txt');
    preview = await startPreview({
      sitesFile: copy('sites.json'),
      redirectsFile: copy('redirects.csv'),
      rulesFile,
      catalogFile: copy('catalog.json'),
      port: 0,
      watch: true,
      log: (l) => log.push(l),
      warn: (m) => warnings.push(m),
    });
  });
  afterAll(() => preview.close());

  const community = async (): Promise<string> => {
    const a = await get(preview.url, '/', { Host: 'c.po.co' });
    return `${a.status} ${a.headers.location ?? ''}`;
  };

  test('watches the four files in use', () => {
    expect(preview.watched.map((f) => path.basename(f)).sort()).toEqual(['catalog.json', 'redirects.csv', 'rules.txt', 'sites.json']);
  });

  test('a changed rule is served once saved, with a line saying so; a broken file is reported and the last good config kept', async () => {
    expect(await community()).toBe('301 https://new.c.mi.com/global/');
    const rules = fs.readFileSync(rulesFile, 'utf8');
    expect(rules).toContain('https://new.c.mi.com/global/');
    fs.writeFileSync(rulesFile, rules.replace('https://new.c.mi.com/global/', 'https://new.c.mi.com/changed/'));
    await eventually(async () => (await community()) === '301 https://new.c.mi.com/changed/', 10000, 'the changed rule served');
    expect(log.filter((l) => l.startsWith('preview: '))).toEqual([
      expect.stringMatching(/^preview: .*rules\.txt changed; reloaded \(bundle \d+\.\d KiB\)$/),
    ]);

    fs.writeFileSync(
      rulesFile,
      rules.replace('https://new.c.mi.com/global/             301', 'https://new.c.mi.com/global/             399'),
    );
    await eventually(() => warnings.length > 0, 10000, 'the bad config reported');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^preview: .*rules\.txt changed, but the config cannot be loaded; still serving the last good config\.\nConfig is invalid/,
    );
    expect(warnings[0]).toContain('399');
    expect(await community()).toBe('301 https://new.c.mi.com/changed/');
    expect(log.filter((l) => l.startsWith('preview: '))).toHaveLength(1);
  });
});
