/**
 * The redirect contract of the default config (docs/contract.md, "The redirect
 * contract"): config/sites.json, config/rules.txt and config/catalog.json,
 * row by row, without synth. Every row and example of the contract is a test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RedirectEngine } from '../../../lambda/engine';
import { loadConfig } from '../../../lib/config/load';
import { brief, engineFor, req, tablesFor } from '../../support/engine';
import { tmpDir } from '../../support/tmp';

const engine = engineFor(''); // default sites, rules and catalogue; empty bulk list

const RULES = 'config/rules.txt';
/** The rule id of the default rules file's rule named `name` (at whichever line it stands). */
function ruleNamed(name: string): RegExp {
  return new RegExp(`^rule:${name}@${RULES.replace('.', '\\.')}:\\d+$`);
}

const STORE_REGIONS = ['uk', 'fr', 'de', 'es', 'it', 'ru', 'tr', 'rs', 'ph', 'th', 'my', 'vn', 'tw', 'pk', 'au', 'mx', 'co', 'br'];
const LANDING: Record<string, string> = {
  global: 'https://www.mi.com/global/poco/',
  id: 'https://www.mi.co.id/id/product-list/phone/poco/',
  ...Object.fromEntries(STORE_REGIONS.map((r) => [r, `https://www.mi.com/${r}/`])),
};
const STORE: Record<string, string> = {
  global: 'https://www.mi.com/global/',
  id: 'https://www.mi.co.id/id/',
  ...Object.fromEntries(STORE_REGIONS.map((r) => [r, `https://www.mi.com/${r}/`])),
};

describe('the examples of the contract', () => {
  test.each([
    ['https://www.po.co/global/product/poco-f6/specs/', '', '301 https://www.mi.com/global/product/poco-f6/specs/'],
    ['https://www.po.co/global/poco-x3-nfc/specs/', '', '301 https://www.mi.com/global/poco/'],
    ['https://po.co/FR/Product/POCO-X7/specs?ref=a', '', '301 https://www.mi.com/global/product/poco-x7/specs/?ref=a'],
    ['https://www.po.co/tw/', '', '301 https://www.mi.com/tw/'],
    ['https://www.po.co/', 'ID', '302 https://www.mi.co.id/id/product-list/phone/poco/'],
    ['https://www.po.co/', '', '302 https://www.mi.com/global/poco/'],
    ['https://c.po.co/global/', '', '301 https://new.c.mi.com/global/'],
    ['https://po.co/in/', '', '301 https://in.po.co/'],
    ['https://in.po.co/anything', '', 'origin'],
  ])('%s [%s] -> %s', (url, country, expected) => {
    expect(brief(engine.decide(req(url, country)))).toBe(expected);
  });

  test('the unknown product of the second example is named so', () => {
    expect(engine.decide(req('https://www.po.co/global/poco-x3-nfc/specs/')).rule).toMatch(ruleNamed('unknown-product'));
  });
});

describe('regions and stores: the region segment leads to its landing, whatever the country', () => {
  test.each(Object.entries(LANDING))('/%s/ -> 301 %s', (region, landing) => {
    for (const host of ['po.co', 'www.po.co', 'poco.net', 'www.poco.net']) {
      for (const country of ['', 'GB', 'US', 'IN']) {
        const d = engine.decide(req(`https://${host}/${region}/`, country));
        expect(brief(d)).toBe(`301 ${landing}`);
        expect(d.rule).toMatch(ruleNamed('landing'));
      }
    }
  });

  test('/in/ is the frozen site, passed through', () => {
    expect(brief(engine.decide(req('https://www.po.co/in/')))).toBe('301 https://in.po.co/');
    expect(engine.decide(req('https://www.po.co/in/')).rule).toBe('default:frozen-passthrough');
  });

  test('a region segment in another case, with extra slashes or dot segments, names the region', () => {
    for (const p of ['/TW/', '//tw//', '/x/../tw/', '/%74w/'])
      expect(brief(engine.decide(req(`https://po.co${p}`)))).toBe('301 https://www.mi.com/tw/');
  });
});

describe('countries: each region country maps to it; any other, or none, to global', () => {
  const COUNTRY: Record<string, string> = {
    uk: 'GB',
    id: 'ID',
    ...Object.fromEntries(STORE_REGIONS.filter((r) => r !== 'uk').map((r) => [r, r.toUpperCase()])),
  };
  test.each(Object.entries(COUNTRY))('%s <- %s', (region, country) => {
    const d = engine.decide(req('https://po.co/', country));
    expect(brief(d)).toBe(`302 ${LANDING[region]}`);
    expect(d.perVisitor).toBe(true);
    expect(d.headers['Cache-Control']).toBe('private, no-store');
  });

  test.each(['US', 'NL', '', 'XX-junk', 'gb1'])('%j -> the global landing', (country) => {
    expect(brief(engine.decide(req('https://po.co/', country)))).toBe('302 https://www.mi.com/global/poco/');
  });

  test('IN -> the frozen site', () => {
    expect(brief(engine.decide(req('https://po.co/', 'IN')))).toBe('302 https://in.po.co/');
    expect(brief(engine.decide(req('https://po.co/product/poco-c75', 'IN')))).toBe('302 https://in.po.co/product/poco-c75');
  });

  test('a lower-case country is read as CloudFront would send it', () => {
    expect(brief(engine.decide(req('https://po.co/', 'gb')))).toBe('302 https://www.mi.com/uk/');
  });
});

describe('hostnames', () => {
  test.each(['po.co', 'www.po.co', 'poco.net', 'www.poco.net'])('%s: region in the first path segment', (host) => {
    expect(brief(engine.decide(req(`https://${host}/uk/product/poco-f7/specs`)))).toBe('301 https://www.mi.com/uk/product/poco-f7/specs/');
    expect(brief(engine.decide(req(`https://${host}/`, 'GB')))).toBe('302 https://www.mi.com/uk/');
  });

  test('the earlier domain, as found in the wild', () => {
    expect(brief(engine.decide(req('https://www.poco.net/global/poco-f2-pro/specs_m/')))).toBe('301 https://www.mi.com/global/poco/');
    expect(brief(engine.decide(req('https://www.poco.net/global/poco-f6/specs_m/')))).toBe(
      '301 https://www.mi.com/global/product/poco-f6/specs/',
    );
  });

  test.each([
    ['uk.po.co', 'uk'],
    ['fr.po.co', 'fr'],
    ['de.po.co', 'de'],
  ])('%s: the hostname is the region and paths carry no region segment', (host, region) => {
    expect(brief(engine.decide(req(`https://${host}/`)))).toBe(`301 ${LANDING[region]}`);
    expect(brief(engine.decide(req(`https://${host}/product/Poco-X7-Pro`)))).toBe(`301 https://www.mi.com/global/product/poco-x7-pro/`);
    expect(brief(engine.decide(req(`https://${host}/support/x`)))).toBe(`301 ${STORE[region]}support/`);
    expect(brief(engine.decide(req(`https://${host}/uk/product/x`, 'DE')))).toBe(`301 ${LANDING[region]}`);
  });

  test('uk.po.co sells the products of the uk store on it', () => {
    expect(brief(engine.decide(req('https://uk.po.co/product/poco-f8-pro/buy')))).toBe(
      '301 https://www.mi.com/uk/product/poco-f8-pro/buy/',
    );
  });

  test('in.po.co is frozen: served by its origin', () => {
    expect(engine.decide(req('https://in.po.co/product/poco-c75'))).toMatchObject({ action: 'origin', rule: 'origin:frozen-site' });
  });

  test.each(['/', '/global/', '/thread-12345-1-1.html', '/forum.php?mod=viewthread&tid=1'])(
    'c.po.co%s -> 301 the community, query dropped',
    (p) => {
      const d = engine.decide(req(`https://c.po.co${p}`, 'GB'));
      expect(brief(d)).toBe('301 https://new.c.mi.com/global/');
      expect(d.rule).toMatch(ruleNamed('community'));
      expect(d.perVisitor).toBe(false);
    },
  );

  test.each(['shop.po.co', 'WWW2.PO.CO', 'blog.po.co:443'])('any other name below po.co (%s) -> 302 the global landing', (host) => {
    for (const p of ['/', '/uk/product/poco-f7', '/x?y=1']) {
      const d = engine.decide(req(`https://${host}${p}`, 'GB'));
      expect(brief(d)).toBe('302 https://www.mi.com/global/poco/');
      expect(d.rule).toMatch(ruleNamed('other-host'));
    }
  });

  test('a name two labels below po.co is no site (no certificate covers it): the unknown-host fallback', () => {
    const d = engine.decide(req('https://a.b.po.co/'));
    expect(d.rule).toBe('fallback:unknown-host');
    expect(brief(d)).toBe('302 https://www.mi.com/global/poco/');
  });
});

describe('allowed target hosts', () => {
  test('are the stores, the community and the frozen site', () => {
    expect(tablesFor('').allowedHosts).toEqual(['in.po.co', 'new.c.mi.com', 'www.mi.co.id', 'www.mi.com']);
  });
});

describe('pages within a region', () => {
  test.each([
    // [path after /<region>, region, expected location, rule name]
    ['/', 'uk', LANDING.uk, 'landing'],
    ['', 'global', LANDING.global, 'landing'],
    ['/index.html', 'id', LANDING.id, 'landing'],
    // catalogued for the region
    ['/product/poco-f7', 'uk', 'https://www.mi.com/uk/product/poco-f7/', 'product-page'],
    ['/product/poco-f7/', 'id', 'https://www.mi.co.id/id/product/poco-f7/', 'product-page'],
    ['/product/poco-f7/specs', 'tw', 'https://www.mi.com/tw/product/poco-f7/specs/', 'product-subpage'],
    ['/product/poco-f7/specs_m', 'tr', 'https://www.mi.com/tr/product/poco-f7/specs/', 'product-subpage'],
    ['/product/poco-x7-pro/buy', 'th', 'https://www.mi.com/th/product/poco-x7-pro/buy/', 'product-subpage'],
    ['/product/poco-x7-pro/gallery/2', 'mx', 'https://www.mi.com/mx/product/poco-x7-pro/', 'product-page'],
    // catalogued only for global
    ['/product/poco-x7', 'uk', 'https://www.mi.com/global/product/poco-x7/', 'product-page'],
    ['/product/poco-x7/specs/', 'fr', 'https://www.mi.com/global/product/poco-x7/specs/', 'product-subpage'],
    ['/product/poco-x7/specs_m', 'de', 'https://www.mi.com/global/product/poco-x7/specs/', 'product-subpage'],
    ['/product/poco-x7/buy', 'ru', 'https://www.mi.com/global/product/poco-x7/buy/', 'product-subpage'],
    ['/product/poco-x7/reviews', 'vn', 'https://www.mi.com/global/product/poco-x7/', 'product-page'],
    // catalogued nowhere
    ['/product/poco-f4-gt', 'global', LANDING.global, 'unknown-product'],
    ['/product/poco-f2-pro/specs', 'id', LANDING.id, 'unknown-product'],
    ['/product', 'uk', LANDING.uk, 'unknown-product'],
    // the old shape, without /product/
    ['/poco-f6/specs', 'global', 'https://www.mi.com/global/product/poco-f6/specs/', 'product-subpage'],
    ['/POCO-F7', 'uk', 'https://www.mi.com/uk/product/poco-f7/', 'product-page'],
    ['/poco-x7-pro/specs_m/', 'th', 'https://www.mi.com/th/product/poco-x7-pro/specs/', 'product-subpage'],
    ['/poco-f3/', 'global', LANDING.global, 'unknown-product'],
    ['/pocophone-f1/specs', 'global', LANDING.global, 'unknown-product'],
    ['/ru-only-thing', 'ru', LANDING.ru, 'no-match'],
    // support
    ['/support', 'de', 'https://www.mi.com/de/support/', 'support'],
    ['/SUPPORT/faq/battery', 'id', 'https://www.mi.co.id/id/support/', 'support'],
    // anything else
    ['/blog/2023/launch', 'es', LANDING.es, 'no-match'],
    ['/products/poco-f7', 'uk', LANDING.uk, 'no-match'],
  ])('po.co/<%s>%s -> %s (%s)', (rest, region, location, name) => {
    const d = engine.decide(req(`https://po.co/${region}${rest}`));
    expect(brief(d)).toBe(`301 ${location}`);
    expect(d.rule).toMatch(ruleNamed(name));
  });

  test('an unknown page of region global goes to its POCO page, not the store home', () => {
    expect(brief(engine.decide(req('https://po.co/global/forum')))).toBe('301 https://www.mi.com/global/poco/');
  });
});

describe('a catalogued slug without a poco prefix is a product in the old shape too', () => {
  // A catalogue of our own: the default one lists only poco-* slugs.
  const catalog = path.join(tmpDir('catalog-'), 'catalog.json');
  fs.writeFileSync(catalog, JSON.stringify({ stores: { 'https://www.mi.com/global/': ['f5-pro', 'poco-f6'] } }));
  const custom = new RedirectEngine(loadConfig({ catalogFile: catalog }).tables);

  test.each([
    ['https://po.co/global/f5-pro/specs', '301 https://www.mi.com/global/product/f5-pro/specs/'],
    ['https://po.co/uk/F5-Pro', '301 https://www.mi.com/global/product/f5-pro/'],
    ['https://po.co/uk/f6-pro', '301 https://www.mi.com/uk/'],
  ])('%s -> %s', (url, expected) => {
    expect(brief(custom.decide(req(url)))).toBe(expected);
  });
});

describe('status, query and case', () => {
  test('301 when the path decides; 302 and per visitor when the country does', () => {
    const fixed = engine.decide(req('https://po.co/uk/'));
    expect(fixed.status).toBe(301);
    expect(fixed.headers).toEqual({
      Location: 'https://www.mi.com/uk/',
      'Cache-Control': 'public, max-age=86400',
      'Strict-Transport-Security': 'max-age=63072000',
    });
    const visitor = engine.decide(req('https://po.co/product/poco-f7/specs', 'TW'));
    expect(brief(visitor)).toBe('302 https://www.mi.com/tw/product/poco-f7/specs/');
    expect(visitor.perVisitor).toBe(true);
    expect(visitor.headers['Cache-Control']).toBe('private, no-store');
  });

  test('the query string is kept on every page rule, unchanged', () => {
    for (const p of ['/', '/uk/', '/uk/product/poco-f7', '/uk/product/nope', '/uk/support/y', '/uk/zzz', '/in/a', '/poco-f6/specs']) {
      expect(engine.decide(req(`https://po.co${p}?utm_source=box&a=%2F&b=1+2`)).location).toMatch(/\?utm_source=box&a=%2F&b=1\+2$/);
    }
  });

  test('slugs are lower-cased, escapes keep their upper-case hex', () => {
    expect(brief(engine.decide(req('https://po.co/uk/Product/POCO-F7/SPECS')))).toBe('301 https://www.mi.com/uk/product/poco-f7/specs/');
  });

  test('HEAD is answered like GET; other methods get 405', () => {
    expect(brief(engine.decide(req('https://po.co/uk/', '', 'HEAD')))).toBe('301 https://www.mi.com/uk/');
    const post = engine.decide(req('https://po.co/uk/', '', 'POST'));
    expect(post).toMatchObject({ action: 'respond', status: 405, rule: 'respond:method-not-allowed' });
    expect(post.headers.Allow).toBe('GET, HEAD');
  });

  test('an unknown host still gets a redirect, to the default landing', () => {
    const d = engine.decide(req('https://example.com/uk/'));
    expect(brief(d)).toBe('302 https://www.mi.com/global/poco/');
    expect(d.rule).toBe('fallback:unknown-host');
  });

  test('host case, port and trailing dot do not matter', () => {
    expect(brief(engine.decide(req('https://UK.PO.CO:443/product/poco-f7')))).toBe('301 https://www.mi.com/uk/product/poco-f7/');
    expect(brief(engine.decide({ ...req('https://po.co/uk/'), host: 'po.co.' }))).toBe('301 https://www.mi.com/uk/');
  });
});

describe('region in: the remainder passes through unchanged', () => {
  test.each([
    ['/in', '301 https://in.po.co/'],
    ['/IN/Product/POCO-C75', '301 https://in.po.co/Product/POCO-C75'],
    ['/in/product/poco-c75/', '301 https://in.po.co/product/poco-c75/'],
    ['/in/index.html', '301 https://in.po.co/index.html'],
    ['/in/a/b/index.html?q=1', '301 https://in.po.co/a/b/index.html?q=1'],
    ['/in//a///b', '301 https://in.po.co/a/b'],
  ])('po.co%s -> %s', (p, expected) => {
    expect(brief(engine.decide(req(`https://po.co${p}`)))).toBe(expected);
  });
});

describe('normalisation before matching', () => {
  test.each([
    ['//uk///product//poco-f7', 'https://www.mi.com/uk/product/poco-f7/'],
    ['/uk/./product/../product/poco-f7', 'https://www.mi.com/uk/product/poco-f7/'],
    ['/fr/../uk/product/poco-f7', 'https://www.mi.com/uk/product/poco-f7/'],
    ['/../../uk/product/poco-f7', 'https://www.mi.com/uk/product/poco-f7/'],
    ['/%75%6B/%70roduct/poco%2Df7', 'https://www.mi.com/uk/product/poco-f7/'],
    ['/uk/product/poco-f7/index.html', 'https://www.mi.com/uk/product/poco-f7/'],
    ['/uk/%2e%2e/tw/product/poco-f7', 'https://www.mi.com/tw/product/poco-f7/'],
    ['/uk/product/caf%c3%a9', 'https://www.mi.com/uk/'],
  ])('po.co%s -> %s', (p, location) => {
    expect(engine.decide(req(`https://po.co${p}`)).location).toBe(location);
  });
});

describe('the real legacy links of ../shared/data/legacy-links/sample.txt', () => {
  const sample = fs
    .readFileSync(path.join(__dirname, '..', '..', '..', '..', 'shared', 'data', 'legacy-links', 'sample.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const EXPECTED: Record<string, string> = {
    'https://www.po.co/global/product/poco-f6/specs/': '301 https://www.mi.com/global/product/poco-f6/specs/',
    'https://www.po.co/global/product/poco-f6-pro/': '301 https://www.mi.com/global/poco/',
    'https://www.po.co/global/product/poco-x5-pro-5g/specs': '301 https://www.mi.com/global/poco/',
    'https://www.po.co/global/poco-x3-nfc/specs/': '301 https://www.mi.com/global/poco/',
    'https://www.po.co/global/poco-f3/': '301 https://www.mi.com/global/poco/',
    'https://www.po.co/ru/poco-x4-pro-5g/specs': '301 https://www.mi.com/ru/',
    'https://www.po.co/global/': '301 https://www.mi.com/global/poco/',
    'https://www.po.co/tw/': '301 https://www.mi.com/tw/',
    'https://www.po.co/': '302 https://www.mi.com/global/poco/',
    'https://c.po.co/global/': '301 https://new.c.mi.com/global/',
    'https://www.po.co/global/support/contact/': '301 https://www.mi.com/global/support/',
    'https://www.po.co/global/product/poco-m5/': '301 https://www.mi.com/global/poco/',
    'https://www.po.co/global/product/poco-x7-pro/specs/': '301 https://www.mi.com/global/product/poco-x7-pro/specs/',
    'po.co/in/': '301 https://in.po.co/',
    'https://www.po.co/global/product/poco-pad-x1/specs/': '301 https://www.mi.com/global/product/poco-pad-x1/specs/',
    'https://www.po.co/global/product/poco-f4-gt/': '301 https://www.mi.com/global/poco/',
  };

  test('every link has its expected answer here', () => {
    expect([...sample].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(Object.entries(EXPECTED))('%s -> %s', (link, expected) => {
    const d = engine.decide(req(link.includes('://') ? link : `https://${link}`));
    expect(brief(d)).toBe(expected);
    expect(d.rule).not.toMatch(/^fallback:/);
  });
});
