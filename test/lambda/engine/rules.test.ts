/**
 * The rules file at request time (lambda/engine/rules.ts): what the rules
 * mean (first match in file order, rewrites, 410, Country, Query, region
 * placeholders, the fallback), and the compiled trie answering exactly as a
 * first-match scan of the rules in file order would. The parser's syntax and
 * problems are in test/config/rules.test.ts.
 */
import fc from 'fast-check';
import { CompiledRule, OF_ANY_REGION, OF_REQUEST_REGION, RuleIndex } from '../../../lambda/engine';
import { regionOrder } from '../../../lib/config/compile';
import { loadCatalog } from '../../../lib/config/load';
import { brief, engineFor, req, sites } from '../../support/engine';

const SITES = sites();
const PRODUCTS = loadCatalog(SITES);

/** `STATUS LOCATION RULE` of a request under a rules file of our own. */
function under(text: string): (url: string, country?: string) => string {
  const engine = engineFor('', undefined, text);
  return (url, country = '') => {
    const d = engine.decide(req(url, country));
    return `${brief(d)} ${d.rule}`;
  };
}

describe('meaning', () => {
  test('first match in file order, whatever the specificity', () => {
    const at = under('/* :landing Name=first\n');
    expect(at('https://po.co/uk/product/poco-f7')).toBe('301 https://www.mi.com/uk/ rule:first@config/rules.txt:1');
  });

  test('a hostname rule and a rule within a region: the earlier one wins', () => {
    const hostFirst = under('po.co/promo https://www.mi.com/global/sale/ 302 Name=promo\n/* :landing Name=any\n');
    expect(hostFirst('https://po.co/promo')).toBe('302 https://www.mi.com/global/sale/ rule:promo@config/rules.txt:1');
    expect(hostFirst('https://www.po.co/promo')).toMatch(/rule:any@/); // another hostname
    const regionFirst = under('/* :landing Name=any\npo.co/promo https://www.mi.com/global/sale/ 302 Name=promo\n');
    expect(regionFirst('https://po.co/promo')).toMatch(/^302 https:\/\/www.mi.com\/global\/poco\/ rule:any@/);
  });

  test('a hostname rule sees the whole path, region segment included; a region rule the path within the region', () => {
    const at = under('po.co/uk/x https://www.mi.com/uk/x/ Name=host\n/x :store/y/ Name=region\n');
    expect(at('https://po.co/uk/x')).toBe('301 https://www.mi.com/uk/x/ rule:host@config/rules.txt:1');
    expect(at('https://po.co/fr/x')).toBe('301 https://www.mi.com/fr/y/ rule:region@config/rules.txt:2');
    expect(at('https://uk.po.co/x')).toBe('301 https://www.mi.com/uk/y/ rule:region@config/rules.txt:2');
  });

  test('a rewrite (200) changes the path; only the rules below it match the new one', () => {
    const at = under('/a/* /b/:splat 200\n/b/* :store/b/:splat Name=b\n/a/* :landing Name=a\n');
    expect(at('https://po.co/uk/a/x/Y')).toBe('301 https://www.mi.com/uk/b/x/Y rule:b@config/rules.txt:2');
    const upward = under('/b/* :store/from-b/ Name=b\n/a/* /b/:splat 200\n/* :landing Name=rest\n');
    expect(upward('https://po.co/uk/a/x')).toBe('301 https://www.mi.com/uk/ rule:rest@config/rules.txt:3');
  });

  test('410: a gone page that links to the target, cached like a permanent answer', () => {
    const engine = engineFor('', undefined, '/discontinued/* :landing 410 Name=gone\n');
    const d = engine.decide(req('https://po.co/uk/discontinued/poco-x1?a=<b>'));
    expect(d).toMatchObject({
      action: 'respond',
      status: 410,
      rule: 'rule:gone@config/rules.txt:1',
      location: 'https://www.mi.com/uk/?a=%3Cb%3E',
    });
    expect(d.headers).toEqual({
      'Cache-Control': 'public, max-age=86400',
      'Content-Type': 'text/html; charset=utf-8',
      'Strict-Transport-Security': 'max-age=63072000',
    });
    expect(d.action === 'respond' && d.body).toBe(
      '<!doctype html><html lang="en"><meta charset="utf-8"><title>Page gone</title><p>This POCO page is gone. Continue to <a href="https://www.mi.com/uk/?a=%3Cb%3E">https://www.mi.com/uk/?a=%3Cb%3E</a>.</p></html>\n',
    );
  });

  test('Country: on a region-path hostname, the rule counts for those countries only, and the answer is per visitor', () => {
    const at = under('po.co/deal https://www.mi.com/uk/sale/ 301 Country=GB,IE Name=deal\n/* :landing Name=rest\n');
    expect(at('https://po.co/deal', 'GB')).toBe('302 https://www.mi.com/uk/sale/ rule:deal@config/rules.txt:1');
    expect(at('https://po.co/deal', 'FR')).toBe('302 https://www.mi.com/fr/ rule:rest@config/rules.txt:2');
    expect(at('https://po.co/uk/deal', 'FR')).toBe('301 https://www.mi.com/uk/ rule:rest@config/rules.txt:2');
  });

  test("Query=drop leaves the visitor's query string out; keep appends it, made safe", () => {
    const at = under('/a :store/a/ Query=drop\n/b :store/b/\n');
    expect(at('https://po.co/uk/a?x=1')).toMatch(/^301 https:\/\/www.mi.com\/uk\/a\/ /);
    expect(at('https://po.co/uk/b?x=1&y=%zz"')).toMatch(/^301 https:\/\/www.mi.com\/uk\/b\/\?x=1&y=%25zz%22 /);
  });

  test(':region in a source, :store@<region> and :landing@<region> in a target', () => {
    const at = under('c.po.co/:region/* :landing@id Name=c\n/shop/:region :store@global/:region/ Name=shop\n');
    expect(at('https://c.po.co/uk/t/1')).toBe('301 https://www.mi.co.id/id/product-list/phone/poco/ rule:c@config/rules.txt:1');
    expect(at('https://c.po.co/narnia/t/1')).toBe('302 https://www.mi.com/global/poco/ fallback:no-rule');
    expect(at('https://po.co/de/shop/UK')).toBe('301 https://www.mi.com/global/uk/ rule:shop@config/rules.txt:2');
  });

  test("no rule matches: the region's landing, as a fallback", () => {
    expect(under('/only :landing\n')('https://po.co/uk/other')).toBe('302 https://www.mi.com/uk/ fallback:no-rule');
  });

  test('308 decided by the country becomes 307', () => {
    expect(under('/x :store/x/ 308\n')('https://po.co/x', 'GB')).toMatch(/^307 https:\/\/www.mi.com\/uk\/x\/ /);
  });
});

describe('the trie answers as a first-match scan in file order', () => {
  const regions = regionOrder(SITES).map((r) => ({
    name: r.name,
    kind: r.kind,
    url: r.url,
    landing: r.landing,
    products: [...(PRODUCTS.get(r.name) ?? [])].sort(),
  }));
  const words = ['a', 'b', 'uk', 'global', 'poco-f7', 'poco-x7', 'poco-c40', 'pocophone-f1', 'x'];
  const segment = fc.oneof(
    fc.constantFrom(...words).map((literal) => ({ literal })),
    fc.constant({ type: 'any' as const }),
    fc.constant({ type: 'any' as const, globs: ['poco-*'] }),
    fc.constant({ type: 'region' as const }),
    fc.constantFrom(OF_REQUEST_REGION, OF_ANY_REGION, 0, 6).map((of) => ({ type: 'product' as const, of })),
  );
  const rule = fc.record({
    segments: fc.array(segment, { maxLength: 3 }),
    splat: fc.boolean(),
    countries: fc.option(fc.constantFrom(['GB'], ['FR', 'GB']), { nil: undefined }),
  });

  /** Whether `r` matches, by the rule's own definition, read left to right. */
  function naive(
    r: Pick<CompiledRule, 'segments' | 'splat' | 'countries'>,
    path: readonly string[],
    region: number,
    country: string,
  ): boolean {
    if (r.countries !== undefined && !r.countries.includes(country)) return false;
    if (r.splat ? path.length < r.segments.length : path.length !== r.segments.length) return false;
    return r.segments.every((s, i) => {
      const seg = path[i];
      if ('literal' in s) return s.literal === seg;
      if (s.type === 'any') return s.globs === undefined || s.globs.some((g) => seg.startsWith(g.slice(0, -1)));
      if (s.type === 'region') return regions.some((x) => x.name === seg);
      const of = s.of === OF_REQUEST_REGION ? region : s.of;
      return of === OF_ANY_REGION ? regions.some((x) => x.products.includes(seg)) : regions[of].products.includes(seg);
    });
  }

  test('for arbitrary rules, paths, regions and countries', () => {
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 12 }),
        fc.array(fc.constantFrom(...words, 'zzz'), { maxLength: 5 }),
        fc.nat(regions.length - 1),
        fc.constantFrom('', 'GB', 'FR', 'US'),
        fc.integer({ min: -1, max: 6 }),
        (raw, path, region, country, after) => {
          const compiled: CompiledRule[] = raw.map((r, i) => ({
            id: `r${i}`,
            ...r,
            status: 301,
            query: true,
            target: [],
            usesRegion: false,
          }));
          const index = new RuleIndex(compiled, regions);
          const expected = compiled.findIndex((r, i) => i > after && naive(r, path, region, country));
          expect(index.search(undefined, { segments: path, from: 0, region, country, after }).rule).toBe(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
