/** The walk of the rules file the reviewer tools and verify share (lib/rules/probes.ts `ruleWalk`): pure, deterministic, bounded. */
import { ruleText, ruleWalk, sampleHost, servedHostname } from '../../lib/rules/probes';
import { tablesFor } from '../support/engine';

const RULES = [
  'c.po.co/*                        https://new.c.mi.com/global/  Name=community',
  '/                                :landing                      Name=home',
  '/:region/compare/:product@uk     :store                        Name=compare',
  '/go/:slug(poco-*|x-*)/*          :store                        Name=glob',
  '/page/:anything                  :landing                      Name=any',
  '/*                               :landing                      Name=rest',
].join('\n');
const tables = tablesFor('', undefined, RULES);
const walk = ruleWalk(tables);
const ruleOf = (name: string): number => tables.rules.findIndex((r) => r.id.startsWith(`rule:${name}@`));

describe('ruleWalk', () => {
  test('each rule\'s example is made from its source: literals, a region, a listed slug, a glob prefix and "x", "example", a splat with and without a segment', () => {
    const uk = walk.filter((s) => s.host === 'uk.po.co' && s.rule !== undefined).map((s) => s.path);
    expect(uk).toEqual(['/', '/uk/compare/poco-f7', '/go/poco-x', '/go/poco-x/x', '/page/example', '/', '/x']);
  });

  test('on a region-path site, after one region segment (the default region first); each country and none at the root', () => {
    expect(walk.filter((s) => s.host === 'po.co' && s.rule === ruleOf('compare')).map((s) => s.path)).toEqual([
      '/global/global/compare/poco-f7',
    ]);
    expect(walk.filter((s) => s.host === 'po.co' && s.rule === ruleOf('home')).map((s) => s.path)).toEqual(['/global/']);
    const roots = walk.filter((s) => s.host === 'po.co' && s.rule === undefined);
    expect(roots.map((s) => s.country)).toEqual(['', ...[...new Set(tables.countries.map(([c]) => c))].sort()]);
    // The other hostnames of the site: their root only.
    expect(walk.filter((s) => s.host === 'www.po.co').map((s) => [s.path, s.country, s.rule])).toEqual([['/', '', undefined]]);
  });

  test('a rule scoped to a hostname is sent there only; where it takes every path, the rules within a region are not', () => {
    expect(walk.filter((s) => s.rule === ruleOf('community')).map((s) => `${s.host}${s.path}`)).toEqual(['c.po.co/', 'c.po.co/x']);
    expect(walk.filter((s) => s.host === 'c.po.co' && s.rule !== undefined && s.rule !== ruleOf('community'))).toEqual([]);
  });

  test('a wildcard hostname is sent as its sample name, never as "*.po.co"; the frozen site only at its root', () => {
    expect(walk.some((s) => s.host.includes('*'))).toBe(false);
    const other = walk.filter((s) => s.hostname === '*.po.co');
    expect(other.length).toBeGreaterThan(0);
    expect(new Set(other.map((s) => s.host))).toEqual(new Set(['any-name.po.co']));
    expect(walk.filter((s) => s.host === 'in.po.co').map((s) => [s.path, s.rule])).toEqual([['/', undefined]]);
  });

  test('deterministic, and bounded per site', () => {
    expect(ruleWalk(tablesFor('', undefined, RULES))).toEqual(walk);
    const perHost = new Map<string, number>();
    for (const s of walk) perHost.set(s.host, (perHost.get(s.host) ?? 0) + 1);
    expect(Math.max(...perHost.values())).toBeLessThanOrEqual(1 + tables.countries.length + 2 * tables.rules.length);
  });
});

describe('wildcard sample names', () => {
  test('any-name below the wildcard, another when a configured name holds it', () => {
    expect(sampleHost('*.po.co', new Set(['po.co']))).toBe('any-name.po.co');
    expect(sampleHost('*.po.co', new Set(['any-name.po.co', 'any-name-2.po.co']))).toBe('any-name-3.po.co');
    expect(sampleHost('uk.po.co', new Set())).toBe('uk.po.co');
  });

  test('a Host is served by its configured name first, else the wildcard one label up', () => {
    const names = new Set(['c.po.co', '*.po.co']);
    expect([
      servedHostname('c.po.co', names),
      servedHostname('shop.po.co', names),
      servedHostname('a.shop.po.co', names),
      servedHostname('po.co', names),
    ]).toEqual(['c.po.co', '*.po.co', undefined, undefined]);
  });
});

test('ruleText writes a compiled rule back as a line of the rules file', () => {
  expect(tables.rules.map((r) => ruleText(r, tables.regions))).toEqual([
    'c.po.co/* https://new.c.mi.com/global/',
    '/ :landing',
    '/:region/compare/:product@uk :store',
    '/go/:seg1(poco-*|x-*)/* :store',
    '/page/:seg1 :landing',
    '/* :landing',
  ]);
});
