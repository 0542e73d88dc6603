/**
 * Generates realistic bulk redirect lists of any size (Cloudflare CSV), for
 * tests and the benchmark: product pages, campaign pages and blog posts on
 * every redirect host, with every parameter combination represented.
 * Deterministic: the same `n` always gives the same list.
 */

const HOSTS = ['po.co', 'www.po.co', 'uk.po.co', 'fr.po.co', 'de.po.co'];
const REGIONS = ['global', 'uk', 'fr', 'de', 'es', 'it'];
const STATUSES = ['', '301', '302', '307', '308'];

/** One generated line's source URL (scheme-less) for entry `i`. */
export function generatedSource(i: number): string {
  const host = HOSTS[i % HOSTS.length];
  const region = REGIONS[i % REGIONS.length];
  switch (i % 4) {
    case 0:
      return `${host}/${host === 'po.co' || host === 'www.po.co' ? region + '/' : ''}product/poco-model-${i}`;
    case 1:
      return `${host}/campaign/${2019 + (i % 6)}/offer-${i}`;
    case 2:
      return `${host}/blog/post-${i}`;
    default:
      return `${host}/p/${i.toString(36)}`;
  }
}

/** A list of `n` lines. Every 10th line uses subpath matching, every 7th preserves the query. */
export function generateList(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const region = REGIONS[i % REGIONS.length];
    const target = `https://www.mi.com/${region}/product/poco-${(i * 7919) % 5000}/`;
    const status = STATUSES[i % STATUSES.length];
    const preserveQuery = i % 7 === 0 ? 'TRUE' : '';
    const subpath = i % 10 === 3 ? 'TRUE' : '';
    out.push(`${generatedSource(i)},${target},${status},${preserveQuery},,${subpath},`);
  }
  return out.join('\n') + '\n';
}
