/** What a config change changes for visitors, and what `invalidate` removes from the caches. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../lib/config/problems';
import { LoadedConfig, loadConfig, PROJECT_ROOT } from '../../lib/config/load';
import { configAtRef, engineChangedSince } from '../../lib/ops/invalidate';
import {
  catalogueChanges,
  configChanges as compare,
  ConfigChanges,
  invalidationPaths,
  MAX_WILDCARD_PATHS,
  ruleSetOf,
  rulesFileChanges,
} from '../../lib/rules/redirect-changes';
import { configFiles, DEFAULT_SITES_JSON } from '../support/deployment';
import { tmpDir } from '../support/tmp';

const SHIPPED = fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'redirects.csv'), 'utf8');
const withList = (csv: string, sites?: unknown): LoadedConfig => loadConfig(configFiles({ redirects: csv, sites }));
const RULES = fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'rules.txt'), 'utf8');
const CATALOG = fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'catalog.json'), 'utf8');
/** The shipped config with another rules file and catalogue (written to a temporary folder). */
function withRules(rules: string, catalog = CATALOG): LoadedConfig {
  const dir = tmpDir('poco-rules-');
  fs.writeFileSync(path.join(dir, 'rules.txt'), rules);
  fs.writeFileSync(path.join(dir, 'catalog.json'), catalog);
  return loadConfig({ rulesFile: path.join(dir, 'rules.txt'), catalogFile: path.join(dir, 'catalog.json') });
}
const base = withList(SHIPPED);

const configChanges = (before: LoadedConfig, after: LoadedConfig): ConfigChanges =>
  compare(ruleSetOf(before.tables), ruleSetOf(after.tables));

function plan(after: LoadedConfig, before: LoadedConfig = base): Record<string, string[]> {
  return Object.fromEntries(invalidationPaths(after.tables, configChanges(before, after)));
}

describe('configChanges', () => {
  test('the same config: no change', () => {
    expect(configChanges(base, withList(SHIPPED))).toEqual({ sitesChanged: false, rulesChanged: false, rules: [] });
  });

  test('moving lines changes nothing for visitors', () => {
    const lines = SHIPPED.trim().split('\n');
    expect(configChanges(base, withList([...lines].reverse().join('\n'))).rules).toEqual([]);
  });

  test('an entry whose followed target changed is listed, though its own line did not change', () => {
    const after = withList(SHIPPED + 'po.co/global/product/poco-f6,https://www.mi.com/global/product/poco-f7/\n');
    expect(configChanges(base, after).rules).toEqual([
      {
        kind: 'changed',
        source: 'po.co/f6',
        host: 'po.co',
        path: '/f6',
        includeSubdomains: false,
        example: 'https://po.co/f6',
        before: '301 https://www.mi.com/global/product/poco-f6/',
        after: '301 https://www.mi.com/global/product/poco-f7/',
        lineBefore: 8,
        lineAfter: 8,
      },
      {
        kind: 'added',
        source: 'po.co/global/product/poco-f6',
        host: 'po.co',
        path: '/global/product/poco-f6',
        includeSubdomains: false,
        example: 'https://po.co/global/product/poco-f6',
        before: '301 https://www.mi.com/global/product/poco-f6/',
        after: '301 https://www.mi.com/global/product/poco-f7/',
        lineAfter: 9,
      },
    ]);
    expect(plan(after)).toEqual({ global: ['/f6*', '/global/product/poco-f6*'] });
  });

  test('a changed flag with the same destination at the example URL is still a change (query strings differ)', () => {
    const after = withList(
      SHIPPED.replace('po.co/uk/offers,https://www.mi.com/uk/sale/,302,TRUE', 'po.co/uk/offers,https://www.mi.com/uk/sale/,302,FALSE'),
    );
    expect(configChanges(base, after).rules.map((r) => `${r.kind} ${r.source} ${r.before} -> ${r.after}`)).toEqual([
      'changed po.co/uk/offers 302 https://www.mi.com/uk/sale/ -> 302 https://www.mi.com/uk/sale/',
    ]);
  });
});

describe('invalidationPaths', () => {
  test('include-subdomains reaches every configured subdomain, on each of their distributions; frozen sites never', () => {
    const after = withList(SHIPPED + 'po.co/legal,https://www.mi.com/global/support/,301,FALSE,TRUE\n');
    // c.po.co is a subdomain, and so is every name *.po.co answers (the site "other").
    expect(plan(after)).toEqual({
      community: ['/legal*'],
      de: ['/legal*'],
      fr: ['/legal*'],
      global: ['/legal*'],
      other: ['/legal*'],
      uk: ['/legal*'],
    });
  });

  test('a source at the root is /*', () => {
    expect(plan(withList(SHIPPED + 'de.po.co/,https://www.mi.com/de/sale/\n'))).toEqual({ de: ['/*'] });
  });

  test(`more than ${MAX_WILDCARD_PATHS} paths on one distribution become /*`, () => {
    const extra = (n: number): string => Array.from({ length: n }, (_, i) => `fr.po.co/old-${i},https://www.mi.com/fr/\n`).join('');
    expect(plan(withList(SHIPPED + extra(MAX_WILDCARD_PATHS)))['fr']).toHaveLength(MAX_WILDCARD_PATHS);
    expect(plan(withList(SHIPPED + extra(MAX_WILDCARD_PATHS + 1)))).toEqual({ fr: ['/*'] });
  });

  test('sites, regions, countries or headers changing means /* on every redirect site', () => {
    const sites = structuredClone(DEFAULT_SITES_JSON);
    sites.countries.AT = 'de';
    const after = withList(SHIPPED, sites);
    expect(configChanges(base, after)).toMatchObject({ sitesChanged: true, rulesChanged: false });
    expect(plan(after)).toEqual({ community: ['/*'], de: ['/*'], fr: ['/*'], global: ['/*'], other: ['/*'], uk: ['/*'] });
  });

  const everySite = { community: ['/*'], de: ['/*'], fr: ['/*'], global: ['/*'], other: ['/*'], uk: ['/*'] };

  test('a rule of the rules file changing means /* on every redirect site: a rule can decide any path', () => {
    const after = withRules(
      RULES.replace('/support/*                         :store/support/  ', '/support/*                         :landing         '),
    );
    expect(configChanges(base, after)).toEqual({ sitesChanged: false, rulesChanged: true, rules: [] });
    expect(plan(after)).toEqual(everySite);
    expect(rulesFileChanges(base.tables, after.tables)).toEqual([
      {
        kind: 'changed',
        before: '/support/* :store/support/',
        after: '/support/* :landing',
        idBefore: 'rule:support@config/rules.txt:47',
        idAfter: expect.stringMatching(/^rule:support@\/.*\/rules\.txt:47$/),
      },
    ]);
  });

  test('rules added and removed are listed by source; a rule that only moved to another line is not', () => {
    const lines = RULES.split('\n');
    const support = lines.findIndex((l) => l.startsWith('/support/*'));
    const moved = [
      ...lines.slice(0, support),
      '# a comment',
      lines[support],
      '/blog/*  :store/blog/  Name=blog',
      ...lines.slice(support + 1),
    ]
      .join('\n')
      .replace(/^\/product\/\*.*\n/m, '');
    const after = withRules(moved);
    expect(rulesFileChanges(base.tables, after.tables).map((c) => `${c.kind} ${c.after ?? c.before}`)).toEqual([
      'added /blog/* :store/blog/',
      'removed /product/* :landing',
    ]);
    // A comment above a rule changes its id, not what any visitor gets.
    const commented = withRules('# one more line\n' + RULES);
    expect(configChanges(base, commented).rulesChanged).toBe(false);
    expect(plan(commented)).toEqual({});
  });

  test('the catalogue changing means /* on every redirect site, and says which products', () => {
    const catalog = JSON.parse(CATALOG);
    catalog.stores['https://www.mi.com/uk/'] = [
      ...catalog.stores['https://www.mi.com/uk/'].filter((p: string) => p !== 'poco-f7'),
      'poco-x9',
    ];
    const after = withRules(RULES, JSON.stringify(catalog));
    expect(configChanges(base, after)).toEqual({ sitesChanged: false, rulesChanged: true, rules: [] });
    expect(plan(after)).toEqual(everySite);
    expect(catalogueChanges(base.tables, after.tables)).toEqual([{ region: 'uk', added: ['poco-x9'], removed: ['poco-f7'] }]);
  });
});

describe('configAtRef: the config as a git ref has it', () => {
  const repo = tmpDir('baseline-repo-');
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  fs.mkdirSync(path.join(repo, 'config'));
  fs.copyFileSync(path.join(PROJECT_ROOT, 'config', 'sites.json'), path.join(repo, 'config', 'sites.json'));
  fs.writeFileSync(path.join(repo, 'config', 'redirects.csv'), SHIPPED);
  fs.writeFileSync(path.join(repo, 'config', 'rules.txt'), RULES);
  fs.writeFileSync(path.join(repo, 'config', 'catalog.json'), CATALOG);
  git('init', '-q');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'deployed');
  fs.writeFileSync(path.join(repo, 'config', 'redirects.csv'), 'po.co/new,https://www.mi.com/global/\n');
  fs.writeFileSync(path.join(repo, 'config', 'rules.txt'), RULES.replace(/^\/support\/\*.*\n/m, ''));
  const files = {
    sitesFile: path.join(repo, 'config', 'sites.json'),
    redirectsFile: path.join(repo, 'config', 'redirects.csv'),
    rulesFile: path.join(repo, 'config', 'rules.txt'),
    catalogFile: path.join(repo, 'config', 'catalog.json'),
  };

  test('reads the files at the ref, not the working tree: bulk list, rules file and catalogue', () => {
    const then = configAtRef('HEAD', files);
    expect(then.entries.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(then.tables.rules.map((r) => r.id.replace(/@.*:/, '@:'))).toEqual(base.tables.rules.map((r) => r.id.replace(/@.*:/, '@:')));
    expect(then.tables.regions.map((r) => r.products)).toEqual(base.tables.regions.map((r) => r.products));
    const now = loadConfig(files);
    expect(now.entries).toHaveLength(1);
    expect(now.tables.rules).toHaveLength(base.tables.rules.length - 1);
    expect(configChanges(then, now)).toMatchObject({ sitesChanged: false, rulesChanged: true });
  });

  test('a rules file the ref does not have is an error that names it', () => {
    expect(() => configAtRef('HEAD', { ...files, rulesFile: path.join(repo, 'config', 'other-rules.txt') })).toThrow(
      'config/other-rules.txt does not exist at HEAD; give a ref where it does',
    );
  });

  test("a change to the engine's code since the ref is found, so that invalidate removes everything", () => {
    expect(engineChangedSince('HEAD', repo)).toBe(false);
    fs.mkdirSync(path.join(repo, 'lambda'));
    fs.writeFileSync(path.join(repo, 'lambda', 'handler.ts'), 'export {};\n');
    git('add', 'lambda');
    expect(engineChangedSince('HEAD', repo)).toBe(true);
    expect(() => engineChangedSince('v9.9.9', repo)).toThrow(
      'cannot compare lambda/ with "v9.9.9"; give a ref such as origin/main or the tag of the last deploy',
    );
  });

  test('a ref that is not a commit is a usage error', () => {
    expect(() => configAtRef('v9.9.9', files)).toThrow(UsageError);
    expect(() => configAtRef('v9.9.9', files)).toThrow(
      `"v9.9.9" is not a commit of the git repository holding ${files.sitesFile}; give a ref such as origin/main or the tag of the last deploy`,
    );
  });
});
