/** What a config change changes for visitors, and what `invalidate` removes from the caches. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../lib/cli/args';
import { LoadedConfig, loadConfig, PROJECT_ROOT } from '../lib/config/load';
import { configAtRef, engineChangedSince } from '../lib/ops/invalidate';
import { configChanges as compare, ConfigChanges, invalidationPaths, MAX_WILDCARD_PATHS, ruleSetOf } from '../lib/ops/redirect-changes';
import { configFiles, DEFAULT_SITES_JSON } from './support/deployment';
import { tmpDir } from './support/tmp';

const SHIPPED = fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'redirects.csv'), 'utf8');
const withList = (csv: string, sites?: unknown): LoadedConfig => loadConfig(configFiles({ redirects: csv, sites }));
const base = withList(SHIPPED);

const configChanges = (before: LoadedConfig, after: LoadedConfig): ConfigChanges => compare(ruleSetOf(before.tables), ruleSetOf(after.tables));

function plan(after: LoadedConfig, before: LoadedConfig = base): Record<string, string[]> {
  return Object.fromEntries(invalidationPaths(after.tables, configChanges(before, after)));
}

describe('configChanges', () => {
  test('the same config: no change', () => {
    expect(configChanges(base, withList(SHIPPED))).toEqual({ sitesChanged: false, rules: [] });
  });

  test('moving lines changes nothing for visitors', () => {
    const lines = SHIPPED.trim().split('\n');
    expect(configChanges(base, withList([...lines].reverse().join('\n'))).rules).toEqual([]);
  });

  test('an entry whose followed target changed is listed, though its own line did not change', () => {
    const after = withList(SHIPPED + 'po.co/global/product/poco-f6,https://www.mi.com/global/product/poco-f7/\n');
    expect(configChanges(base, after).rules).toEqual([
      { kind: 'changed', source: 'po.co/f6', host: 'po.co', path: '/f6', includeSubdomains: false, example: 'https://po.co/f6', before: '301 https://www.mi.com/global/product/poco-f6/', after: '301 https://www.mi.com/global/product/poco-f7/', lineBefore: 8, lineAfter: 8 },
      { kind: 'added', source: 'po.co/global/product/poco-f6', host: 'po.co', path: '/global/product/poco-f6', includeSubdomains: false, example: 'https://po.co/global/product/poco-f6', before: '301 https://www.mi.com/global/product/poco-f6/', after: '301 https://www.mi.com/global/product/poco-f7/', lineAfter: 9 },
    ]);
    expect(plan(after)).toEqual({ global: ['/f6*', '/global/product/poco-f6*'] });
  });

  test('a changed flag with the same destination at the example URL is still a change (query strings differ)', () => {
    const after = withList(SHIPPED.replace('po.co/uk/offers,https://www.mi.com/uk/sale/,302,TRUE', 'po.co/uk/offers,https://www.mi.com/uk/sale/,302,FALSE'));
    expect(configChanges(base, after).rules.map((r) => `${r.kind} ${r.source} ${r.before} -> ${r.after}`)).toEqual(['changed po.co/uk/offers 302 https://www.mi.com/uk/sale/ -> 302 https://www.mi.com/uk/sale/']);
  });
});

describe('invalidationPaths', () => {
  test('include-subdomains reaches every configured subdomain, on each of their distributions; frozen sites never', () => {
    const after = withList(SHIPPED + 'po.co/legal,https://www.mi.com/global/support/,301,FALSE,TRUE\n');
    expect(plan(after)).toEqual({ de: ['/legal*'], fr: ['/legal*'], global: ['/legal*'], uk: ['/legal*'] });
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
    expect(configChanges(base, after).sitesChanged).toBe(true);
    expect(plan(after)).toEqual({ de: ['/*'], fr: ['/*'], global: ['/*'], uk: ['/*'] });
  });
});

describe('configAtRef: the config as a git ref has it', () => {
  const repo = tmpDir('baseline-repo-');
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  fs.mkdirSync(path.join(repo, 'config'));
  fs.copyFileSync(path.join(PROJECT_ROOT, 'config', 'sites.json'), path.join(repo, 'config', 'sites.json'));
  fs.writeFileSync(path.join(repo, 'config', 'redirects.csv'), SHIPPED);
  git('init', '-q');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'deployed');
  fs.writeFileSync(path.join(repo, 'config', 'redirects.csv'), 'po.co/new,https://www.mi.com/global/\n');
  const files = { sitesFile: path.join(repo, 'config', 'sites.json'), redirectsFile: path.join(repo, 'config', 'redirects.csv') };

  test('reads the files at the ref, not the working tree', () => {
    expect(configAtRef('HEAD', files).entries.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(loadConfig(files).entries).toHaveLength(1);
  });

  test('a change to the engine\'s code since the ref is found, so that invalidate removes everything', () => {
    expect(engineChangedSince('HEAD', repo)).toBe(false);
    fs.mkdirSync(path.join(repo, 'lambda'));
    fs.writeFileSync(path.join(repo, 'lambda', 'handler.ts'), 'export {};\n');
    git('add', 'lambda');
    expect(engineChangedSince('HEAD', repo)).toBe(true);
    expect(() => engineChangedSince('v9.9.9', repo)).toThrow('cannot compare lambda/ with "v9.9.9"; give a ref such as origin/main or the tag of the last deploy');
  });

  test('a ref that is not a commit is a usage error', () => {
    expect(() => configAtRef('v9.9.9', files)).toThrow(UsageError);
    expect(() => configAtRef('v9.9.9', files)).toThrow(`"v9.9.9" is not a commit of the git repository holding ${files.sitesFile}; give a ref such as origin/main or the tag of the last deploy`);
  });
});
