/**
 * Loading the config (lib/config/load.ts): the default files, problems of
 * every file in one error, missing files, bulk targets followed into the
 * project's own hosts, and how files are named in messages.
 */
import * as path from 'path';
import { displayName, loadConfig } from '../../lib/config/load';
import { DEFAULT_SITES_TEXT, defaultRule } from '../support/engine';
import { loadError } from '../support/load-error';

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
