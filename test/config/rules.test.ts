/**
 * The rules file's parser (lib/config/rules.ts): its syntax (docs/contract.md, "The
 * rules file"), every problem it reports with its exact message, and the
 * checks of the file as a whole. What the rules do at request time is in
 * test/lambda/engine/rules.test.ts.
 */
import { CompiledRule, OF_ANY_REGION, OF_REQUEST_REGION } from '../../lambda/engine';
import { regionOrder } from '../../lib/config/compile';
import { loadCatalog } from '../../lib/config/load';
import { formatProblem, ProblemList } from '../../lib/config/problems';
import { parseRules } from '../../lib/config/rules';
import { sites } from '../support/engine';

const SITES = sites();
const PRODUCTS = loadCatalog(SITES);

function problems(text: string): string[] {
  const p = new ProblemList('rules.txt');
  parseRules(text, p, { sites: SITES, regions: regionOrder(SITES), products: PRODUCTS });
  return p.problems.map(formatProblem);
}

function rules(text: string): CompiledRule[] {
  const p = new ProblemList('rules.txt');
  const out = parseRules(text, p, { sites: SITES, regions: regionOrder(SITES), products: PRODUCTS });
  if (!p.ok) throw new Error(p.problems.map(formatProblem).join('\n'));
  return out;
}

describe('syntax', () => {
  test('comments, blank lines, tabs and a trailing comment are allowed; ids name file, line and Name', () => {
    const r = rules('# a comment\n\n  /a\t:landing   301 Name=a-page  # trailing\n/b :store/b/\n');
    expect(r.map((x) => x.id)).toEqual(['rule:a-page@rules.txt:3', 'rule:rules.txt:4']);
    expect(r[1]).toMatchObject({ status: 301, query: true, splat: false, segments: [{ literal: 'b' }] });
  });

  test('a source may be scoped to a hostname, with or without https://', () => {
    const r = rules('po.co/x :landing\nhttps://uk.po.co/y :landing\n*.po.co :landing 302\n');
    expect(r.map((x) => [x.host, x.segments])).toEqual([
      ['po.co', [{ literal: 'x' }]],
      ['uk.po.co', [{ literal: 'y' }]],
      ['*.po.co', []],
    ]);
  });

  test('placeholders are typed by name: region, product (of the request region, a named one, any), globs, any', () => {
    const r = rules('/:region/:product :landing\n/z/:product@global :landing\n/x/:product@any/:slug(poco-*|pocophone*)/:other :landing\n');
    const global = regionOrder(SITES).findIndex((x) => x.name === 'global');
    expect(r[0].segments).toEqual([{ type: 'region' }, { type: 'product', of: OF_REQUEST_REGION }]);
    expect(r[1].segments).toEqual([{ literal: 'z' }, { type: 'product', of: global }]);
    expect(r[2].segments).toEqual([{ literal: 'x' }, { type: 'product', of: OF_ANY_REGION }, { type: 'any', globs: ['poco-*', 'pocophone*'] }, { type: 'any' }]);
  });

  test('each problem with its line, the bad value and the fix; every line is checked', () => {
    expect(
      problems(
        [
          '/only-a-source',
          '/a :landing 303',
          '/b :landing 301!',
          '/c :landing Color=red',
          '/d :landing Query=maybe',
          '/e :landing Name=Bad_Name',
          '/f :landing Country=gb',
          'http://po.co/g :landing',
          'example.com/h :landing',
          'in.po.co/i :landing',
          '/j?x=1 :landing',
          '/k/*/l :landing',
          '/M :landing',
          '/n//o :landing',
          '/p/../q :landing',
          '/r/index.html :landing',
          '/:Bad :landing',
          '/:splat :landing',
          '/:a/:a :landing',
          '/:slug@global :landing',
          '/:product@narnia :landing',
          '/:product@in :landing',
          '/:slug(Poco-*) :landing',
          '/:region(x*) :landing',
          '/s https://evil.example/',
          '/t http://www.mi.com/',
          '/u www.mi.com/u',
          '/v :store/a<b',
          '/w :store/?a=1',
          '/x :store/:nope',
          '/y :store/:splat',
          '/z :store/:store',
          '/aa/* /other 200 Query=drop',
          'po.co/bb /x 200',
          '/cc :landing Country=GB',
          '/dd :landing Query=keep Query=drop',
          `/${'e'.repeat(1100)} :landing`,
        ].join('\n'),
      ),
    ).toEqual([
      'rules.txt:1: "/only-a-source" has no target. Fix: write SOURCE TARGET [STATUS] [Country=CC,...] [Query=keep|drop] [Name=label], such as "/support/* :store/support/".',
      'rules.txt:2: STATUS "303" is not one this file takes. Fix: use 301 (the default), 302, 307 or 308 to redirect, 410 for a page that is gone, or 200 to rewrite the path and match the rules below.',
      'rules.txt:3: status "301!" is forced ("!"). Fix: remove the "!": forcing overrides a file that exists in Netlify; here no file is served, so write 301.',
      'rules.txt:4: "Color=red" is not an option. Fix: after SOURCE, TARGET and STATUS write options as Key=Value: Country=, Query=, Name=.',
      'rules.txt:5: Query "maybe" is neither keep nor drop. Fix: write Query=keep (the default: the visitor\'s query string is appended) or Query=drop.',
      'rules.txt:6: Name "Bad_Name" is not a rule name. Fix: use lower-case letters, digits and hyphens, starting with a letter, such as Name=product-page.',
      'rules.txt:7: Country "gb" is not a list of ISO 3166-1 alpha-2 codes. Fix: write them in upper case: Country=GB.',
      'rules.txt:8: SOURCE "http://po.co/g" is http://; CloudFront redirects http to https before the function runs, so it never matches. Fix: write it as "https://po.co/g" or without a scheme.',
      'rules.txt:9: SOURCE host "example.com" is not a hostname of a redirect site. Fix: use one of *.po.co, c.po.co, de.po.co, fr.po.co, po.co, poco.net, uk.po.co, www.po.co or www.poco.net, or start the source with "/" for every site.',
      'rules.txt:10: SOURCE host "in.po.co" is a frozen site\'s, which is never redirected: the rule never matches. Fix: remove the rule.',
      'rules.txt:11: SOURCE "/j?x=1" has a query string or fragment. Fix: match on the path only: rules never depend on the query string.',
      'rules.txt:12: SOURCE "/k/*/l" has "*" before its end. Fix: a splat stands for the rest of the path: put it last, or use a placeholder (":name") for one segment.',
      'rules.txt:13: SOURCE segment "M" is not in the form requests are matched in. Fix: write it as "m" (lower case, percent-encoded as requests are).',
      'rules.txt:14: SOURCE "/n//o" has an empty segment ("//"). Fix: write single slashes: requests are matched with repeated slashes collapsed.',
      'rules.txt:15: SOURCE "/p/../q" has a ".." segment, which requests resolve before matching: it never matches. Fix: write the path without dot segments.',
      'rules.txt:16: SOURCE "/r/index.html" ends in index.html, which requests drop before matching: it never matches. Fix: write it without index.html: "/r/".',
      'rules.txt:17: SOURCE segment ":Bad" is not a placeholder. Fix: write ":name" (letters, digits and "_"), ":name(poco-*|pocophone*)", ":region", ":product" or ":product@global".',
      'rules.txt:18: SOURCE placeholder ":splat" is the name of what "*" matches. Fix: write "*" as the last segment, or name the placeholder otherwise.',
      'rules.txt:19: SOURCE "/:a/:a" names ":a" twice. Fix: give each placeholder its own name.',
      'rules.txt:20: SOURCE placeholder ":slug@global" has a region qualifier; only ":product" takes one. Fix: write ":slug".',
      'rules.txt:21: SOURCE placeholder ":product@narnia": "narnia" is not a store region. Fix: use one of au, br, co, de, es, fr, global, id, it, mx, my, ph, pk, rs, ru, th, tr, tw, uk or vn.',
      'rules.txt:22: SOURCE placeholder ":product@in": "in" is not a store region. Fix: use one of au, br, co, de, es, fr, global, id, it, mx, my, ph, pk, rs, ru, th, tr, tw, uk or vn.',
      'rules.txt:23: SOURCE placeholder ":slug(Poco-*)" has the pattern "Poco-*". Fix: write alternatives of lower-case letters, digits, "-", ".", "_" or "~", each ending in "*" for "starts with", such as ":slug(poco-*|pocophone*)".',
      'rules.txt:24: SOURCE placeholder ":region(x*)" has a pattern; ":region" is typed by config already. Fix: write ":region".',
      'rules.txt:25: TARGET host "evil.example" is not in allowedTargetHosts. Fix: use one of www.mi.com, www.mi.co.id, new.c.mi.com or in.po.co, or add it to allowedTargetHosts in config/sites.json.',
      'rules.txt:26: TARGET "http://www.mi.com/" is not a URL. Fix: start it with ":store", ":landing", ":store@<region>" or "https://<allowed host>/".',
      'rules.txt:27: TARGET "www.mi.com/u" is not a URL. Fix: start it with ":store", ":landing", ":store@<region>" or "https://<allowed host>/".',
      'rules.txt:28: TARGET ":store/a<b" has characters URLs do not allow, or a fragment. Fix: percent-encode spaces, quotes, non-ASCII and <>\\^`{|}, and leave out "#...".',
      'rules.txt:29: TARGET ":store/?a=1" has a query string of its own, and Query=keep would append the visitor\'s. Fix: add Query=drop, or remove the query string from the target.',
      'rules.txt:30: TARGET ":store/:nope" uses ":nope", which the source does not name. Fix: name it in the source, such as "/product/:product".',
      'rules.txt:31: TARGET ":store/:splat" uses ":splat", but the source has no "*". Fix: end the source with "/*", or remove ":splat".',
      'rules.txt:32: TARGET ":store/:store" has ":store" after its start. Fix: ":store" can only begin a target.',
      'rules.txt:34: the rewrite (200) "po.co/bb" is scoped to a hostname. Fix: write its source as a path within a region ("/old/*"), or make it a redirect to a URL.',
      'rules.txt:35: the Country condition of "/cc" applies on *.po.co, c.po.co, de.po.co and 2 more, whose cache key has no country: every visitor there would get the first visitor\'s answer. Fix: scope the rule to a region-path hostname ("po.co/..."), whose cache key holds the country.',
      'rules.txt:36: Query is given twice. Fix: give Query once.',
      'rules.txt:37: SOURCE is 1101 characters long; a rule\'s fields are at most 1024. Fix: shorten it: a rule describes a shape of URL, a long literal URL belongs in the bulk list.',
    ]);
  });
});

describe('whole-file checks', () => {
  test('a rule that an earlier one always matches first is an error, naming both', () => {
    expect(
      problems(
        [
          '/product/:product/* :store/product/:product/',
          '/product/:product/specs :store/product/:product/specs/',
          '/:slug(poco-*)/* :landing',
          '/poco-f7 :landing',
          '/:region/x :landing',
          '/uk/x :landing',
          '/y/:product@any :landing',
          '/y/poco-f7 :landing',
          'po.co/* :landing',
          'po.co/z :landing',
          '/* :landing Name=no-match',
          '/anything/else :landing',
        ].join('\n'),
      ),
    ).toEqual([
      'rules.txt:2: "/product/:product/specs" never matches: the rule at line 1 ("/product/:product/*") matches every request it does and comes first. Fix: move it above line 1, or remove it.',
      'rules.txt:4: "/poco-f7" never matches: the rule at line 3 ("/:slug(poco-*)/*") matches every request it does and comes first. Fix: move it above line 3, or remove it.',
      'rules.txt:6: "/uk/x" never matches: the rule at line 5 ("/:region/x") matches every request it does and comes first. Fix: move it above line 5, or remove it.',
      'rules.txt:8: "/y/poco-f7" never matches: the rule at line 7 ("/y/:product@any") matches every request it does and comes first. Fix: move it above line 7, or remove it.',
      'rules.txt:10: "po.co/z" never matches: the rule at line 9 ("po.co/*") matches every request it does and comes first. Fix: move it above line 9, or remove it.',
      'rules.txt:12: "/anything/else" never matches: the rule at line 11 ("/*") matches every request it does and comes first. Fix: move it above line 11, or remove it.',
    ]);
  });

  test('what does not shadow: a narrower earlier rule, another scope, another type, a Country subset, a rewrite', () => {
    expect(
      problems(
        [
          '/product/:product/specs :store/product/:product/specs/',
          '/product/:product/* :store/product/:product/',
          '/product/:product@global/* :landing',
          'po.co/product/x :landing',
          'po.co/only-gb :landing Country=GB',
          'po.co/only-gb :landing',
          '/old/* /product/:splat 200',
          '/old/poco-f7 :landing',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  test('a product placeholder with an empty catalogue never matches', () => {
    expect(problems('/product/:product@uk :landing\n')).toEqual([]);
    expect(problems('/product/:product@ru/* :landing\n')).toEqual([
      'rules.txt:1: "/product/:product@ru/*" never matches: the store catalogue lists no product for region ru. Fix: build the catalogue (npm run ops -- catalog), or remove the rule.',
    ]);
  });
});

describe('Country conditions', () => {
  test('Country on a path that names a region is refused: the viewer-request function keeps the country out of that key', () => {
    expect(problems('po.co/uk/deal :landing Country=GB\npo.co/:region/deal :landing Country=GB\npo.co/:x/deal :landing Country=GB\npo.co/deals/* :landing Country=GB\npo.co/* :landing Country=GB\npo.co/ :landing Country=GB\n')).toEqual([
      'rules.txt:1: the Country condition of "po.co/uk/deal" applies to paths that name a region, whose cache key has no country (the answer there is the same for every visitor). Fix: start the source with a segment that is not a region, such as "po.co/deals/...".',
      'rules.txt:2: the Country condition of "po.co/:region/deal" applies to paths that name a region, whose cache key has no country (the answer there is the same for every visitor). Fix: start the source with a segment that is not a region, such as "po.co/deals/...".',
      'rules.txt:3: the Country condition of "po.co/:x/deal" applies to paths that name a region, whose cache key has no country (the answer there is the same for every visitor). Fix: start the source with a segment that is not a region, such as "po.co/deals/...".',
      'rules.txt:5: the Country condition of "po.co/*" applies to paths that name a region, whose cache key has no country (the answer there is the same for every visitor). Fix: start the source with a segment that is not a region, such as "po.co/deals/...".',
    ]);
  });

});
