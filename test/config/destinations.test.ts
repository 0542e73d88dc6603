/**
 * The destinations `check-targets` requests: every URL the config can send a
 * visitor to, each with the rules that lead there (lib/config/destinations.ts).
 */
import { listDestinations } from '../../lib/config/destinations';
import { defaultRule, tablesFor } from '../support/engine';

const of = (list: ReturnType<typeof listDestinations>, url: string): readonly string[] | undefined => list.find((d) => d.url === url)?.rules;

describe('the default config', () => {
  const list = listDestinations({ tables: tablesFor('po.co/old,https://www.mi.com/uk/old,301\npo.co/f6,https://po.co/global/product/poco-f6,301') });

  test('sorted by URL, each once', () => {
    const urls = list.map((d) => d.url);
    expect(urls).toEqual([...new Set(urls)].sort());
  });

  test('each landing, the frozen site and the fallback', () => {
    expect(of(list, 'https://www.mi.co.id/id/product-list/phone/poco/')).toContain('landing of region id');
    expect(of(list, 'https://www.mi.com/global/poco/')).toEqual(expect.arrayContaining(['fallback:*', 'landing of region global', defaultRule('unknown-product')]));
    expect(of(list, 'https://in.po.co/')).toEqual(['default:frozen-passthrough']);
  });

  test('each catalogued product page and subpage, with every rule that leads to it', () => {
    expect(of(list, 'https://www.mi.com/tw/product/poco-c40/')).toEqual([defaultRule('product-page')]);
    expect(of(list, 'https://www.mi.com/tw/product/poco-c40/buy/')).toEqual([defaultRule('product-subpage', 2)]);
    expect(of(list, 'https://www.mi.com/global/product/poco-x7/specs/')).toEqual(
      [defaultRule('product-subpage', 0), defaultRule('product-subpage', 1), defaultRule('product-subpage', 3), defaultRule('product-subpage', 4)].sort(),
    );
    // Not sold in the region: no page of the region's store is listed for it.
    expect(of(list, 'https://www.mi.com/tw/product/poco-x7/')).toBeUndefined();
  });

  test('the community, support pages and every bulk target but those followed to another rule', () => {
    expect(of(list, 'https://new.c.mi.com/global/')).toEqual([defaultRule('community')]);
    expect(of(list, 'https://www.mi.co.id/id/support/')).toEqual([defaultRule('support')]);
    expect(of(list, 'https://www.mi.com/uk/old')).toEqual(['bulk:list.csv:1']);
    expect(list.some((d) => d.url.startsWith('https://po.co/'))).toBe(false);
  });
});

test('a target part that cannot be listed (a splat, any segment) is cut back to the page above it', () => {
  const list = listDestinations({ tables: tablesFor('', undefined, '/deals/:name/* :store/deals/:name/:splat Name=deals\n/* :landing\n') });
  expect(of(list, 'https://www.mi.com/uk/deals/')).toEqual(['rule:deals@config/rules.txt:1']);
});
