/**
 * Loading the config (lib/config/load.ts): the default files, problems of
 * every file in one error, missing files, bulk targets followed into the
 * project's own hosts, and how files are named in messages.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RedirectEngine } from '../../lambda/engine';
import { bundleName, displayName, loadConfig } from '../../lib/config/load';
import { ConfigError } from '../../lib/config/problems';
import { DEFAULT_SITES_TEXT, defaultRule } from '../support/engine';
import { loadError } from '../support/load-error';
import { tmpDir } from '../support/tmp';

describe('the default config', () => {
  test('loads and names its files relative to the project root', () => {
    const { tables, entries } = loadConfig();
    expect(tables.bulk.file).toBe('config/redirects.csv');
    expect(entries.length).toBeGreaterThan(0);
    expect(tables.sites.map((s) => s.name)).toEqual(['community', 'de', 'fr', 'global', 'in', 'other', 'uk']);
    expect(tables.rules.length).toBeGreaterThan(0);
    expect(tables.rules.every((r) => r.id.includes('@config/rules.txt:'))).toBe(true);
  });
});

describe('bulk targets followed into this project', () => {
  test('a target that leads to a country-dependent answer where the cache key holds no country is an error at its line', () => {
    expect(loadError(DEFAULT_SITES_TEXT, 'uk.po.co/x,https://po.co/\npo.co/uk/x,https://po.co/\npo.co/x,https://po.co/\npo.co/y,https://po.co/uk/')).toEqual([
      'Config is invalid (2 problems); nothing was written.',
      `  list.csv:1: TARGET_URL "https://po.co/" leads to an answer that depends on the visitor's country (bulk:list.csv:1 > ${defaultRule('landing')}), but the cache key of uk.po.co/x holds no country: every visitor would get the first one's answer. Fix: point the target at a page that names its region, such as https://po.co/global/..., or at the store page itself.`,
      `  list.csv:2: TARGET_URL "https://po.co/" leads to an answer that depends on the visitor's country (bulk:list.csv:2 > ${defaultRule('landing')}), but the cache key of po.co/uk/x holds no country: every visitor would get the first one's answer. Fix: point the target at a page that names its region, such as https://po.co/global/..., or at the store page itself.`,
    ]);
  });

  test('a target that leads back into the list in a loop is an error at its line', () => {
    expect(loadError(DEFAULT_SITES_TEXT, 'po.co/ok,https://www.mi.com/uk/\npo.co/loop1,https://po.co/loop2\npo.co/loop2,https://po.co/loop1')).toEqual([
      'Config is invalid (2 problems); nothing was written.',
      '  list.csv:2: TARGET_URL "https://po.co/loop2" leads back into this list in a loop, or through more than 8 of its entries. Fix: point the target at the final destination.',
      '  list.csv:3: TARGET_URL "https://po.co/loop1" leads back into this list in a loop, or through more than 8 of its entries. Fix: point the target at the final destination.',
    ]);
  });
});

describe('files', () => {
  test('missing files are named with what they should be', () => {
    expect(() => loadConfig({ sitesFile: '/nonexistent/sites.json', redirectsFile: '/nonexistent/list.csv' })).toThrow(
      [
        'Config is invalid (2 problems); nothing was written.',
        '  /nonexistent/sites.json: does not exist. Fix: give the path of the sites file (default config/sites.json).',
        '  /nonexistent/list.csv: does not exist. Fix: give the path of a bulk redirect list in CSV (default config/redirects.csv).',
      ].join('\n'),
    );
  });

  test('displayName is project-relative inside the project and absolute outside', () => {
    expect(displayName(path.join(__dirname, '..', '..', 'config', 'redirects.csv'))).toBe('config/redirects.csv');
    expect(displayName('/tmp/x.csv')).toBe('/tmp/x.csv');
  });
});

describe('bulk chains, as the engine follows them', () => {
  const LOOP = 'Fix: point the target at the final destination.';

  test('a loop that only a subdomain request takes (INCLUDE_SUBDOMAINS) is an error at its line', () => {
    expect(loadError(DEFAULT_SITES_TEXT, 'https://po.co/a,https://www.mi.com/ok/\npo.co/a,https://www.po.co/a,301,FALSE,TRUE')).toEqual([
      'Config is invalid (1 problem); nothing was written.',
      `  list.csv:2: TARGET_URL "https://www.po.co/a" leads back into this list in a loop, or through more than 8 of its entries (a request to https://www.po.co/a does). ${LOOP}`,
    ]);
  });

  test('a chain of 9 entries is an error at its first line, though the engine would follow it', () => {
    const chain = Array.from({ length: 8 }, (_, i) => `po.co/c${i},https://po.co/c${i + 1}`).join('\n') + '\npo.co/c8,https://www.mi.com/uk/';
    expect(loadError(DEFAULT_SITES_TEXT, chain)).toEqual([
      'Config is invalid (1 problem); nothing was written.',
      `  list.csv:1: TARGET_URL "https://po.co/c1" leads back into this list in a loop, or through more than 8 of its entries. ${LOOP}`,
    ]);
  });

  test('a chain of 8 entries loads', () => {
    const chain = Array.from({ length: 7 }, (_, i) => `po.co/c${i},https://po.co/c${i + 1}`).join('\n') + '\npo.co/c7,https://www.mi.com/uk/';
    expect(loadAt({ 'list.csv': chain }).tables.bulk.line).toHaveLength(8);
  });

  test('chains and loops that only some paths below a subpath source take are errors', () => {
    const subpathChain = Array.from({ length: 8 }, (_, i) => `po.co/c${i},https://po.co/c${i + 1},301,,,TRUE`).join('\n') + '\npo.co/c8/x,https://www.mi.com/uk/';
    expect(loadError(DEFAULT_SITES_TEXT, subpathChain)).toEqual([
      'Config is invalid (1 problem); nothing was written.',
      `  list.csv:1: TARGET_URL "https://po.co/c1" leads back into this list in a loop, or through more than 8 of its entries (a request to https://po.co/c0/x does). ${LOOP}`,
    ]);
    expect(loadError(DEFAULT_SITES_TEXT, 'po.co/a,https://po.co/b,301,,,TRUE\npo.co/b/c,https://po.co/a/c')).toEqual([
      'Config is invalid (2 problems); nothing was written.',
      `  list.csv:1: TARGET_URL "https://po.co/b" leads back into this list in a loop, or through more than 8 of its entries (a request to https://po.co/a/c does). ${LOOP}`,
      `  list.csv:2: TARGET_URL "https://po.co/a/c" leads back into this list in a loop, or through more than 8 of its entries. ${LOOP}`,
    ]);
  });
});

/** Loads `files` (list.csv, and optionally sites.json and rules.txt) from a temporary folder, collecting warnings. */
function loadAt(files: Record<string, string | Buffer>, warnings: string[] = []): ReturnType<typeof loadConfig> {
  const dir = tmpDir('poco-load-');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const at = (name: string): string | undefined => (name in files ? path.join(dir, name) : undefined);
  return loadConfig({ sitesFile: at('sites.json'), redirectsFile: at('list.csv'), rulesFile: at('rules.txt'), onWarning: (w) => warnings.push(w.split(dir + path.sep).join('')) });
}

/** The error lines of loading `files`, the temporary folder left out. */
function loadErrorAt(files: Record<string, string | Buffer>): string[] {
  const dir = tmpDir('poco-load-');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  try {
    loadConfig({ redirectsFile: path.join(dir, 'list.csv') });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message.split('\n').map((l) => l.split(dir + path.sep).join(''));
  }
  throw new Error('expected a ConfigError');
}

describe('reading files', () => {
  test('what is not a regular file is refused without being read', () => {
    expect(() => loadConfig({ redirectsFile: '/dev/zero' })).toThrow(
      [
        'Config is invalid (1 problem); nothing was written.',
        '  /dev/zero: is not a regular file (a device, pipe or socket). Fix: give the path of a bulk redirect list in CSV (default config/redirects.csv).',
      ].join('\n'),
    );
  });

  test('a list that is not valid UTF-8 is refused at the line of the first bad byte', () => {
    const bytes = Buffer.concat([Buffer.from('po.co/a,https://www.mi.com/\n\npo.co/b'), Buffer.from([0xe9]), Buffer.from(',https://www.mi.com/\n')]);
    expect(loadErrorAt({ 'list.csv': bytes })).toEqual([
      'Config is invalid (1 problem); nothing was written.',
      '  list.csv:3: is not valid UTF-8: byte 0xE9 does not start or continue a character. Fix: save the file as UTF-8 (percent-encode non-ASCII characters in URLs).',
    ]);
  });

  test('UTF-8 with a BOM and non-ASCII sources still load', () => {
    expect(loadAt({ 'list.csv': '\uFEFFpo.co/café,https://www.mi.com/uk/\n' }).entries.map((e) => e.path)).toEqual(['/caf%C3%A9']);
  });
});

describe('entries that never answer or change nothing', () => {
  test('are warnings at load, each at its line', () => {
    const warnings: string[] = [];
    const list = [
      'http://po.co/old-http,https://www.mi.com/global/',
      'po.co/twice,https://www.mi.com/global/a/',
      'https://po.co/twice,https://www.mi.com/global/b/',
      'po.co/uk/product/poco-f7,https://www.mi.com/uk/product/poco-f7/',
      'po.co/kept,https://www.mi.com/global/',
    ].join('\n');
    loadAt({ 'list.csv': list }, warnings);
    expect(warnings).toEqual([
      'list.csv:1: SOURCE_URL "http://po.co/old-http" never matches: CloudFront redirects HTTP to HTTPS before the function runs. Fix: write https:// or no scheme.',
      'list.csv:2: SOURCE_URL "po.co/twice" is shadowed: at https://po.co/twice line 3 ("https://po.co/twice") answers, and CloudFront sends only HTTPS. Fix: keep one of lines 2 and 3.',
      `list.csv:4: is redundant: the rules file already answers 301 https://www.mi.com/uk/product/poco-f7/ at https://po.co/uk/product/poco-f7 (${defaultRule('product-page')}). Fix: remove this line.`,
    ]);
  });

  test('the default config has none', () => {
    const warnings: string[] = [];
    loadConfig({ onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
  });
});

describe('names in the bundle', () => {
  test('a bulk list outside the project is named by its file name alone', () => {
    const { tables } = loadAt({ 'list.csv': 'po.co/a,https://www.mi.com/uk/\n' });
    expect(tables.bulk.file).toBe('list.csv');
    expect(new RedirectEngine(tables).decide({ method: 'GET', scheme: 'https', host: 'po.co', path: '/a', query: '' }).rule).toBe('bulk:list.csv:1');
    expect(bundleName('/tmp/some/where/cf.csv')).toBe('cf.csv');
    expect(bundleName(path.join(__dirname, '..', '..', 'config', 'redirects.csv'))).toBe('config/redirects.csv');
  });
});
