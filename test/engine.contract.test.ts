/**
 * The redirect contract of the default config (README "The redirect contract"),
 * row by row, without synth.
 */
import { brief, engineFor, req } from './support/engine';

const engine = engineFor(''); // default sites, empty bulk list: default rules only

describe('the examples of the contract', () => {
  test.each([
    ['https://po.co/', 'GB', '302 https://www.mi.com/uk/'],
    ['https://po.co/', '', '302 https://www.mi.com/global/'],
    ['https://po.co/product/poco-f6', 'DE', '302 https://www.mi.com/de/product/poco-f6/'],
    ['https://www.po.co/global/', '', '301 https://www.mi.com/global/'],
    ['https://po.co/uk/product/poco-f6-pro', '', '301 https://www.mi.com/uk/product/poco-f6-pro/'],
    ['https://po.co/FR/Product/POCO-X7/specs?ref=a', '', '301 https://www.mi.com/fr/product/poco-x7/?ref=a'],
    ['https://po.co/de/support/warranty', '', '301 https://www.mi.com/de/support/'],
    ['https://po.co/es/some/old/page', '', '301 https://www.mi.com/es/'],
    ['https://uk.po.co/product/poco-m6', '', '301 https://www.mi.com/uk/product/poco-m6/'],
    ['https://po.co/in/product/poco-c75', '', '301 https://in.po.co/product/poco-c75'],
    ['https://in.po.co/anything', '', 'origin'],
  ])('%s [%s] -> %s', (url, country, expected) => {
    expect(brief(engine.decide(req(url, country)))).toBe(expected);
  });
});

describe('regions named by the first path segment on po.co and www.po.co', () => {
  test.each([
    ['global', 'https://www.mi.com/global/'],
    ['uk', 'https://www.mi.com/uk/'],
    ['fr', 'https://www.mi.com/fr/'],
    ['de', 'https://www.mi.com/de/'],
    ['es', 'https://www.mi.com/es/'],
    ['it', 'https://www.mi.com/it/'],
    ['in', 'https://in.po.co/'],
  ])('/%s/ -> %s with 301 whatever the country', (region, store) => {
    for (const host of ['po.co', 'www.po.co']) {
      for (const country of ['', 'GB', 'US', 'IN']) {
        expect(brief(engine.decide(req(`https://${host}/${region}/`, country)))).toBe(`301 ${store}`);
      }
    }
  });
});

describe('the visitor country decides when the path has no region', () => {
  test.each([
    ['GB', 'https://www.mi.com/uk/'],
    ['FR', 'https://www.mi.com/fr/'],
    ['DE', 'https://www.mi.com/de/'],
    ['ES', 'https://www.mi.com/es/'],
    ['IT', 'https://www.mi.com/it/'],
    ['IN', 'https://in.po.co/'],
    ['US', 'https://www.mi.com/global/'],
    ['', 'https://www.mi.com/global/'],
    ['gb', 'https://www.mi.com/uk/'],
    ['XX-junk', 'https://www.mi.com/global/'],
  ])('country %j -> 302 %s', (country, store) => {
    const d = engine.decide(req('https://po.co/', country));
    expect(brief(d)).toBe(`302 ${store}`);
    expect(d.perVisitor).toBe(true);
  });

  test('a country-decided product page keeps the remainder', () => {
    expect(brief(engine.decide(req('https://www.po.co/product/Poco-F6/gallery?x=1', 'IT')))).toBe('302 https://www.mi.com/it/product/poco-f6/?x=1');
    expect(brief(engine.decide(req('https://po.co/product/poco-c75', 'IN')))).toBe('302 https://in.po.co/product/poco-c75');
  });
});

describe('rules within a region', () => {
  test.each([
    ['/uk', '301 https://www.mi.com/uk/', 'default:home'],
    ['/uk/', '301 https://www.mi.com/uk/', 'default:home'],
    ['/uk/index.html', '301 https://www.mi.com/uk/', 'default:home'],
    ['/uk/product/poco-f6', '301 https://www.mi.com/uk/product/poco-f6/', 'default:product'],
    ['/uk/product/POCO-F6/', '301 https://www.mi.com/uk/product/poco-f6/', 'default:product'],
    ['/uk/product/poco-f6/specs/camera', '301 https://www.mi.com/uk/product/poco-f6/', 'default:product'],
    ['/uk/product', '301 https://www.mi.com/uk/', 'fallback:store-home'],
    ['/uk/products/poco-f6', '301 https://www.mi.com/uk/', 'fallback:store-home'],
    ['/uk/support', '301 https://www.mi.com/uk/support/', 'default:support'],
    ['/uk/SUPPORT/faq/battery', '301 https://www.mi.com/uk/support/', 'default:support'],
    ['/uk/blog/2023/launch', '301 https://www.mi.com/uk/', 'fallback:store-home'],
  ])('po.co%s -> %s (%s)', (path, expected, rule) => {
    const d = engine.decide(req(`https://po.co${path}`));
    expect(brief(d)).toBe(expected);
    expect(d.rule).toBe(rule);
  });

  test.each([
    ['uk.po.co', 'uk'],
    ['fr.po.co', 'fr'],
    ['de.po.co', 'de'],
  ])('%s: the hostname is the region and paths carry no region segment', (host, region) => {
    expect(brief(engine.decide(req(`https://${host}/`)))).toBe(`301 https://www.mi.com/${region}/`);
    expect(brief(engine.decide(req(`https://${host}/product/Poco-X7-Pro`)))).toBe(`301 https://www.mi.com/${region}/product/poco-x7-pro/`);
    expect(brief(engine.decide(req(`https://${host}/support/x`)))).toBe(`301 https://www.mi.com/${region}/support/`);
    expect(brief(engine.decide(req(`https://${host}/uk/product/x`, 'DE')))).toBe(`301 https://www.mi.com/${region}/`);
  });

  test.each([
    ['/in', '301 https://in.po.co/'],
    ['/in/', '301 https://in.po.co/'],
    ['/IN/Product/POCO-C75', '301 https://in.po.co/Product/POCO-C75'],
    ['/in/product/poco-c75/', '301 https://in.po.co/product/poco-c75/'],
    ['/in/index.html', '301 https://in.po.co/index.html'],
    ['/in/a/b/index.html?q=1', '301 https://in.po.co/a/b/index.html?q=1'],
    ['/in//a///b', '301 https://in.po.co/a/b'],
  ])('region in passes the remainder through unchanged: po.co%s -> %s', (path, expected) => {
    expect(brief(engine.decide(req(`https://po.co${path}`)))).toBe(expected);
  });
});

describe('normalisation before matching', () => {
  test.each([
    ['//uk///product//poco-f6', 'https://www.mi.com/uk/product/poco-f6/'],
    ['/uk/./product/../product/poco-f6', 'https://www.mi.com/uk/product/poco-f6/'],
    ['/fr/../uk/product/poco-f6', 'https://www.mi.com/uk/product/poco-f6/'],
    ['/../../uk/product/poco-f6', 'https://www.mi.com/uk/product/poco-f6/'],
    ['/%75%6B/%70roduct/poco%2Df6', 'https://www.mi.com/uk/product/poco-f6/'],
    ['/uk/product/poco-f6/index.html', 'https://www.mi.com/uk/product/poco-f6/'],
    ['/uk/%2e%2e/de/product/x', 'https://www.mi.com/de/product/x/'],
    ['/uk/product/caf%c3%a9', 'https://www.mi.com/uk/product/caf%C3%A9/'],
    ['/uk/product/a%2Fb', 'https://www.mi.com/uk/product/a%2Fb/'],
    ['/uk/product/a b', 'https://www.mi.com/uk/product/a%20b/'],
    ['/uk/product/ÉCRAN', 'https://www.mi.com/uk/product/%C3%89cran/'], // ASCII letters lower-case; escapes stay as sent,
  ])('po.co%s -> %s', (path, location) => {
    expect(engine.decide(req(`https://po.co${path}`)).location).toBe(location);
  });
});

describe('status and headers', () => {
  test('path-decided redirects are 301 and cacheable; country-decided ones are 302 and never stored outside CloudFront', () => {
    const fixed = engine.decide(req('https://po.co/uk/'));
    expect(fixed.status).toBe(301);
    expect(fixed.headers).toEqual({
      Location: 'https://www.mi.com/uk/',
      'Cache-Control': 'public, max-age=86400',
      'Strict-Transport-Security': 'max-age=63072000',
    });
    const visitor = engine.decide(req('https://po.co/', 'GB'));
    expect(visitor.status).toBe(302);
    expect(visitor.headers['Cache-Control']).toBe('private, no-store');
    expect(visitor.headers['Strict-Transport-Security']).toBe('max-age=63072000');
  });

  test('the query string is kept unchanged on every default rule', () => {
    for (const path of ['/', '/uk/', '/uk/product/x', '/uk/support/y', '/uk/zzz', '/in/a']) {
      expect(engine.decide(req(`https://po.co${path}?utm_source=box&a=%2F&b=1+2`)).location).toMatch(/\?utm_source=box&a=%2F&b=1\+2$/);
    }
  });

  test('HEAD is answered like GET; other methods get 405', () => {
    expect(brief(engine.decide(req('https://po.co/uk/', '', 'HEAD')))).toBe('301 https://www.mi.com/uk/');
    const post = engine.decide(req('https://po.co/uk/', '', 'POST'));
    expect(post).toMatchObject({ action: 'respond', status: 405, rule: 'respond:method-not-allowed' });
    expect(post.headers.Allow).toBe('GET, HEAD');
  });

  test('an unknown host still gets a redirect, to the default store', () => {
    const d = engine.decide(req('https://example.com/uk/'));
    expect(brief(d)).toBe('302 https://www.mi.com/global/');
    expect(d.rule).toBe('fallback:unknown-host');
  });

  test('host case, port and trailing dot do not matter', () => {
    expect(brief(engine.decide(req('https://UK.PO.CO:443/product/x')))).toBe('301 https://www.mi.com/uk/product/x/');
    expect(brief(engine.decide({ ...req('https://po.co/uk/'), host: 'po.co.' }))).toBe('301 https://www.mi.com/uk/');
  });
});
