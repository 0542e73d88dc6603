/** `npm run diff`: stacks as cdk diff prints them, and the redirect diff, offline. */
import * as fs from 'fs';
import * as path from 'path';
import { withoutBulkColumns } from '../../lib/config/compile';
import { bundleEdgeFunction } from '../../lib/edge/bundle';
import { main } from '../../lib/cli/poco';
import { loadConfig, PROJECT_ROOT } from '../../lib/config/load';
import { readAssembly, tablesFromBundleCode } from '../../lib/review/assembly';
import { compareAssemblies, renderRedirectDiff, renderResult } from '../../lib/review/diff';
import { configFiles, DEFAULT_SITES_JSON, SynthOptions, synthDeployment } from '../support/deployment';
import { defaultRule } from '../support/engine';
import { tmpDir } from '../support/tmp';

/** Synthesizes in process (the templates the CLI writes, as test/bin/app.test.ts shows) into a folder. */
function assembly(options: SynthOptions): string {
  const { app } = synthDeployment(options);
  return app.synth().directory;
}

const SHIPPED = fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'redirects.csv'), 'utf8');
const changedList =
  SHIPPED.replace('po.co/uk/offers,https://www.mi.com/uk/sale/,302,TRUE', 'po.co/uk/offers,https://www.mi.com/uk/deals/,302,TRUE').replace(
    /^po\.co\/de\/aktionen.*\n/m,
    '',
  ) + 'uk.po.co/old,https://www.mi.com/uk/support/\n';

const baseDir = assembly({});
const base = readAssembly(baseDir, 'main');

describe("the redirect function's tables are read back from its bundle", () => {
  test('the literal index.js embeds', () => {
    const { tables } = loadConfig();
    expect(tablesFromBundleCode(bundleEdgeFunction(tables).code)).toEqual({
      ...tables,
      bulk: { file: tables.bulk.file, keys: [], meta: [], target: [], line: [], targets: [], internalTargets: [] },
    });
    expect(withoutBulkColumns(tables)).toEqual(tablesFromBundleCode(bundleEdgeFunction(tables).code));
  });

  test('an assembly names its stacks, nested ones by their construct path, and finds the bundle', () => {
    expect([...base.names.values()].sort()).toEqual([
      'PocoSunset-default',
      'PocoSunset-default/Site-community',
      'PocoSunset-default/Site-de',
      'PocoSunset-default/Site-fr',
      'PocoSunset-default/Site-global',
      'PocoSunset-default/Site-in',
      'PocoSunset-default/Site-other',
      'PocoSunset-default/Site-uk',
    ]);
    expect(base.rules?.bulk.size).toBe(8);
  });
});

describe('compareAssemblies', () => {
  test('the same app: no differences anywhere', () => {
    const result = compareAssemblies(base, readAssembly(assembly({}), 'branch'));
    expect(result.stacks.filter((s) => !s.diff.isEmpty)).toEqual([]);
    expect(renderRedirectDiff(result.redirects!)).toBe('There were no differences\n');
  });

  test("a changed bulk list: the function's code in cdk diff form, and each entry with its example URL", () => {
    const current = readAssembly(assembly(configFiles({ redirects: changedList })), 'branch');
    const result = compareAssemblies(base, current);
    // The sites' templates take the function version as a parameter: only the stage stack changes.
    expect(result.stacks.filter((s) => !s.diff.isEmpty).map((s) => s.stack)).toEqual(['PocoSunset-default']);
    const text = renderResult(result, base, current);
    expect(text).toContain('Stack PocoSunset-default\nResources\n');
    expect(text).toMatch(/\[~\] AWS::Lambda::Function RedirectsFunction885FB819\n ├─ \[~\] Code\n/);
    expect(text).toContain('Stack PocoSunset-default/Site-in\nThere were no differences\n');
    expect(text.slice(text.indexOf('\nRedirects'))).toBe(
      [
        '',
        'Redirects (decided by the engine, for an unknown country unless one is shown)',
        '[-] po.co/de/aktionen (was line 5)',
        '    https://po.co/de/aktionen: 302 https://www.mi.com/de/sale/ -> 301 https://www.mi.com/de/',
        '[~] po.co/uk/offers (line 2)',
        '    https://po.co/uk/offers: 302 https://www.mi.com/uk/sale/ -> 302 https://www.mi.com/uk/deals/',
        '[+] uk.po.co/old (line 8)',
        '    https://uk.po.co/old: 301 https://www.mi.com/uk/ -> 301 https://www.mi.com/uk/support/',
        '',
        'diff: 1 of 8 stacks with differences, 3 redirect changes',
        '',
      ].join('\n'),
    );
  });

  test('a changed store: every answer of the rules walk that moved, with its country and the rule that answered', () => {
    const sites = structuredClone(DEFAULT_SITES_JSON);
    sites.regions.de.store = 'https://www.mi.com/de-de/';
    sites.countries.AT = 'de';
    // The catalogue names stores by URL: the same products, under the new one.
    const catalog = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'catalog.json'), 'utf8'));
    catalog.stores['https://www.mi.com/de-de/'] = catalog.stores['https://www.mi.com/de/'];
    delete catalog.stores['https://www.mi.com/de/'];
    const catalogFile = path.join(tmpDir('catalog-'), 'catalog.json');
    fs.writeFileSync(catalogFile, JSON.stringify(catalog));
    const result = compareAssemblies(base, readAssembly(assembly({ ...configFiles({ sites }), catalogFile }), 'branch'));
    expect(result.redirects!.changes.sitesChanged).toBe(true);
    const lines = renderRedirectDiff(result.redirects!).split('\n');
    expect(result.redirects!.changes.rulesChanged).toBe(false);
    expect(lines[0]).toBe('[~] the rules walked on every hostname (sites, regions, countries or headers changed):');
    expect(lines).toContain(
      `    https://po.co/ [AT]: 302 https://www.mi.com/global/poco/ -> 302 https://www.mi.com/de-de/ (${defaultRule('landing')})`,
    );
    expect(lines).toContain(
      `    https://de.po.co/: 301 https://www.mi.com/de/ -> 301 https://www.mi.com/de-de/ (${defaultRule('landing')})`,
    );
    expect(lines).toContain(
      `    https://de.po.co/support/x: 301 https://www.mi.com/de/support/ -> 301 https://www.mi.com/de-de/support/ (${defaultRule('support')})`,
    );
    // Bulk entries decide as before (their targets are absolute): not listed.
    expect(lines.filter((l) => l.includes('aktionen'))).toEqual([]);
    expect(lines.filter((l) => l.includes('www.mi.com/uk/'))).toEqual([]);
  });

  test("a changed rules file and catalogue: each rule by id and as written, the products per region, and the walk's answers that moved", () => {
    const dir = tmpDir('rules-');
    const rulesFile = path.join(dir, 'rules.txt');
    const shipped = fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'rules.txt'), 'utf8');
    fs.writeFileSync(
      rulesFile,
      shipped.replace(/^\/support\/\*.*$/m, '/support/*  :landing  302  Name=support\n/blog/*  :store/blog/  Name=blog'),
    );
    const catalog = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'config', 'catalog.json'), 'utf8'));
    catalog.stores['https://www.mi.com/fr/'] = ['poco-f7'];
    const catalogFile = path.join(dir, 'catalog.json');
    fs.writeFileSync(catalogFile, JSON.stringify(catalog));
    const result = compareAssemblies(base, readAssembly(assembly({ rulesFile, catalogFile }), 'branch'));
    expect(result.redirects!.changes).toMatchObject({ sitesChanged: false, rulesChanged: true, rules: [] });
    const lines = renderRedirectDiff(result.redirects!).split('\n');
    expect(lines.slice(0, 6)).toEqual([
      `[~] rule rule:support@${rulesFile}:47 (was ${defaultRule('support')})`,
      '    - /support/* :store/support/',
      '    + /support/* :landing 302',
      `[+] rule rule:blog@${rulesFile}:48`,
      '    /blog/* :store/blog/',
      '[~] catalogue fr: +poco-f7',
    ]);
    expect(lines).toContain('[~] the rules walked on every hostname (rules or catalogue changed):');
    expect(lines).toContain(
      `    https://uk.po.co/support/x: 301 https://www.mi.com/uk/support/ -> 302 https://www.mi.com/uk/ (${defaultRule('support')} -> rule:support@${rulesFile}:47)`,
    );
    // fr's store now sells poco-f7: its product page, where before the global store's was the answer.
    expect(lines).toContain(
      `    https://fr.po.co/product/poco-f7: 301 https://www.mi.com/global/product/poco-f7/ -> 301 https://www.mi.com/fr/product/poco-f7/ (${defaultRule('product-page', 1)} -> rule:product-page@${rulesFile}:36)`,
    );
    expect(lines.filter((l) => l.includes('*.po.co/'))).toEqual([]);
  });

  test('a folder of templates only: the stacks, and a note that there is no redirect diff', () => {
    const templatesOnly = tmpDir('templates-');
    for (const f of fs.readdirSync(baseDir).filter((f) => f.endsWith('.template.json')))
      fs.copyFileSync(path.join(baseDir, f), path.join(templatesOnly, f));
    const result = compareAssemblies(readAssembly(templatesOnly, templatesOnly), base);
    expect(result.stacks.filter((s) => !s.diff.isEmpty)).toEqual([]);
    expect(result.redirectsNote).toBe(`no redirect function bundle in ${templatesOnly} (a folder of templates only), so no redirect diff`);
  });
});

describe('npm run diff', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['diff', ...args], {
      stdin: process.stdin,
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    });
    return { code, out: out.join(''), err: err.join('') };
  }

  test('--baseline DIR --app DIR, and --fail', async () => {
    const changed = assembly(configFiles({ redirects: changedList }));
    expect((await run(['--baseline', baseDir, '--app', baseDir, '--fail'])).code).toBe(0);
    const r = await run(['--baseline', baseDir, '--app', changed, '--fail']);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe(`diff: ${baseDir} -> ${changed}`);
    expect(r.out).toMatch(/\ndiff: 1 of 8 stacks with differences, 3 redirect changes\n$/);
  });

  test('a git ref is synthesized from a git archive, with no credentials', async () => {
    const r = await run(['--baseline', 'HEAD', '--app', baseDir]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('diff: synthesizing the app at HEAD\n');
    expect(r.out.split('\n')[0]).toBe(`diff: HEAD -> ${baseDir}`);
  });

  test('a baseline that is neither a folder nor a ref', async () => {
    const r = await run(['--baseline', 'no-such-ref-or-folder']);
    expect([r.code, r.err.split('\n')[0]]).toEqual([
      2,
      'ops diff: --baseline "no-such-ref-or-folder" is neither a folder nor a git ref of this repository',
    ]);
  });

  test('--app DIR and --baseline DIR read the templates their manifest.json lists, not stale ones from an earlier synth', async () => {
    const stale = tmpDir('diff-stale-');
    fs.cpSync(baseDir, stale, { recursive: true });
    const topic = JSON.stringify({ Resources: { Old: { Type: 'AWS::SNS::Topic' } } });
    fs.writeFileSync(path.join(stale, 'PocoSunset-staging.template.json'), topic);
    fs.writeFileSync(path.join(stale, 'PocoSunsetdefaultSiteold12345678.nested.template.json'), topic);
    for (const args of [
      ['--baseline', baseDir, '--app', stale],
      ['--baseline', stale, '--app', baseDir],
    ]) {
      const r = await run([...args, '--fail']);
      expect(r.out).not.toMatch(/staging|Siteold/);
      expect([r.code, r.out.split('\n').slice(-2)[0]]).toEqual([0, 'diff: 0 of 8 stacks with differences, 0 redirect changes']);
    }
    // Without a manifest.json, every *.template.json is read, stale or not.
    const templatesOnly = tmpDir('diff-templates-only-');
    for (const f of fs.readdirSync(stale).filter((f) => f.endsWith('.template.json')))
      fs.copyFileSync(path.join(stale, f), path.join(templatesOnly, f));
    expect([...readAssembly(templatesOnly, 'templates').names.values()]).toContain('PocoSunset-staging');
    expect([...readAssembly(stale, 'stale').names.values()].sort()).toEqual([...base.names.values()].sort());
  });

  test('an --app DIR that is no folder: a usage error naming it, exit 2, before any baseline is synthesized', async () => {
    const missing = path.join(tmpDir('diff-missing-'), 'no-such-cdk.out');
    const r = await run(['--baseline', 'HEAD', '--app', missing]);
    expect([r.code, r.err.split('\n')[0]]).toEqual([2, `ops diff: --app ${missing}: no such folder`]);
    expect(r.err.split('\n').slice(1)).toEqual(['See "npm run diff -- --help".', '']); // one line and where the help is, not the whole usage
  });
});

describe('what the function package says', () => {
  /** A copy of the base assembly whose function package `edit` changes. */
  function edited(edit: (pkg: string) => void): string {
    const copy = tmpDir('assembly-copy-');
    fs.cpSync(baseDir, copy, { recursive: true });
    const parent = JSON.parse(fs.readFileSync(path.join(copy, 'PocoSunset-default.template.json'), 'utf8'));
    const fn = Object.values<{ Type: string; Metadata?: Record<string, string> }>(parent.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && fs.existsSync(path.join(copy, r.Metadata!['aws:asset:path'], 'bulk.bin')),
    )!;
    edit(path.join(copy, fn.Metadata!['aws:asset:path']));
    return copy;
  }

  test("a change to the function's code, not its rules, is said: the redirect diff cannot see it", () => {
    expect(compareAssemblies(base, base).engineChanged).toBe(false);
    const changed = readAssembly(
      edited((pkg) => fs.appendFileSync(path.join(pkg, 'index.js'), '\n// a changed engine\n')),
      'changed code',
    );
    const result = compareAssemblies(base, changed);
    expect(result.engineChanged).toBe(true);
    expect(renderResult(result, base, changed)).toContain("Note: the function's code changed too, not only its rules.");
  });

  test('a package from before bulk.bin (the bulk columns in the tables literal) is read too', () => {
    const { tables } = loadConfig();
    const old = readAssembly(
      edited((pkg) => {
        fs.rmSync(path.join(pkg, 'bulk.bin'));
        const code = bundleEdgeFunction(tables).code;
        const literal = (t: unknown): string => "'" + JSON.stringify(t).replace(/[\\']/g, (c) => '\\' + c) + "'";
        fs.writeFileSync(
          path.join(pkg, 'index.js'),
          code.replace(literal(withoutBulkColumns(tables)), () => literal(tables)),
        );
      }),
      'old package',
    );
    expect(old.rules!.bulk.size).toBe(8);
    expect(compareAssemblies(old, base).redirects!.changes.rules).toEqual([]);
  });
});
