/**
 * The bench's traffic model: a seeded, deterministic stream of visitor
 * requests to the retired sites, for counting how often the edge function
 * runs behind CloudFront's cache (lib/bench/edge-runs.ts). Pure: the URL set
 * is built from what the caller read from the config, and the same seed
 * gives the same requests on every machine.
 *
 * The model (see docs/performance.md):
 * - URLs: a fixed set built from the config (`buildUrlSet`): the real legacy
 *   links (../shared/data/legacy-links), each region's home on every
 *   region-path hostname, product pages and subpages of every catalogued
 *   slug in each region whose store lists it and in the default region, with
 *   and without `/product/`, region-less product links (`po.co/product/x`,
 *   answered by the viewer's country), products on the regional hosts,
 *   discontinued products no store lists, support pages, the bulk list's
 *   sources, the community host, other names under a wildcard hostname,
 *   the frozen site, and case, slash and `index.html` variants of some.
 * - Popularity: Zipf (s = 1) over that set, the real legacy links and the
 *   region-path hosts' roots first, then the rest in a seeded random order.
 * - Visitors: 31 countries by `COUNTRY_WEIGHTS` (and an unknown one),
 *   independent of the URL.
 * - Query strings: `CLICK_ID_SHARE` of visits carry a unique click id
 *   (`fbclid` or `gclid`), `CAMPAIGN_SHARE` campaign tags from
 *   `CAMPAIGNS`, independently (so some carry both).
 */

/** A small, fast, seeded PRNG (xorshift32): the same seed gives the same sequence everywhere. */
export class Xorshift32 {
  private state: number;

  constructor(seed: number) {
    // A zero state would stay zero; mix the seed so that small seeds differ at once.
    this.state = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0 || 0x6d2b79f5;
  }

  /** The next 32-bit unsigned value. */
  nextUint32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/**
 * Where visitors come from: ISO country code → weight (per cent, summing
 * to 100). Poco's largest markets first (India, Indonesia, the Philippines,
 * Latin America, Europe), then countries no store serves (they get the
 * default region), and `''`: CloudFront could not tell.
 */
export const COUNTRY_WEIGHTS: Readonly<Record<string, number>> = {
  IN: 12,
  ID: 7,
  US: 5,
  PH: 5,
  BR: 4,
  MX: 5,
  TR: 4,
  RU: 4,
  VN: 4,
  DE: 4,
  GB: 4,
  FR: 4,
  ES: 4,
  IT: 4,
  MY: 3,
  TH: 3,
  PK: 3,
  TW: 2,
  CO: 2,
  AU: 2,
  RS: 1,
  PL: 2,
  NG: 2,
  BD: 2,
  EG: 1,
  SA: 1,
  AR: 1,
  CL: 1,
  NL: 1,
  UA: 1,
  KE: 1,
  '': 1,
};

/** Share of visits carrying a unique click id (`fbclid=` or `gclid=`, a fresh token each). */
export const CLICK_ID_SHARE = 0.25;
/** Share of visits carrying campaign tags (`utm_source`, `utm_medium`, `utm_campaign`) from `CAMPAIGNS`. */
export const CAMPAIGN_SHARE = 0.1;
/** The campaign tags visits carry: a small set, as links in posts, newsletters and boxes are. */
export const CAMPAIGNS: readonly string[] = [
  'utm_source=facebook&utm_medium=social&utm_campaign=poco-f7-launch',
  'utm_source=instagram&utm_medium=social&utm_campaign=poco-f7-launch',
  'utm_source=youtube&utm_medium=video&utm_campaign=poco-x7-review',
  'utm_source=twitter&utm_medium=social&utm_campaign=sale-2024',
  'utm_source=newsletter&utm_medium=email&utm_campaign=sale-2024',
  'utm_source=newsletter&utm_medium=email&utm_campaign=poco-m7-launch',
  'utm_source=box&utm_medium=qr&utm_campaign=device-setup',
  'utm_source=google&utm_medium=cpc&utm_campaign=poco-brand',
];
/** Zipf exponent of URL popularity. */
export const ZIPF_EXPONENT = 1;
/** Requests a run plays by default. */
export const DEFAULT_REQUESTS = 100000;
/** The default seed. */
export const DEFAULT_SEED = 20250101;

/** Discontinued products no store lists any more (old links land on the region's POCO page). */
export const DISCONTINUED: readonly string[] = [
  'pocophone-f1',
  'poco-f2-pro',
  'poco-f3',
  'poco-x2',
  'poco-x3-nfc',
  'poco-x3-gt',
  'poco-m3',
  'poco-m4-pro',
  'poco-f4-gt',
  'poco-c3',
];

/** What the URL set is built from: the config as read by the caller. */
export interface UrlSetInput {
  /** Region names (path segments on region-path hosts), frozen ones included. */
  readonly regions: readonly string[];
  /** The region of region-less paths when the country names none. */
  readonly defaultRegion: string;
  /** Region → product slugs its store lists (the store catalogue). */
  readonly products: ReadonlyMap<string, Iterable<string>>;
  /** Hostnames of region-path sites (po.co, www.po.co, poco.net…), most visited first. */
  readonly regionPathHosts: readonly string[];
  /** Hostnames of region-host sites with their region (uk.po.co → uk, c.po.co → global). */
  readonly regionHosts: readonly { readonly host: string; readonly region: string }[];
  /** Wildcard hostnames (`*.po.co`): requested under other names one label below. */
  readonly wildcardHosts: readonly string[];
  /** Hostnames of frozen sites (in.po.co). */
  readonly frozenHosts: readonly string[];
  /** Real legacy links (`https://www.po.co/global/`, or without the scheme). */
  readonly legacyLinks: readonly string[];
  /** Sources of the bulk list. */
  readonly bulkSources: readonly { readonly host: string; readonly path: string }[];
}

/** A URL of the set. */
export interface TrafficUrl {
  readonly host: string;
  /** The path as sent, percent-encoded, starting with `/`. */
  readonly path: string;
  /** What kind of page it is, for the model's documentation and its tests. */
  readonly kind: string;
}

/** One visitor request. */
export interface TrafficRequest {
  readonly host: string;
  readonly uri: string;
  /** Without `?`; `''` for none. */
  readonly querystring: string;
  /** Two-letter code, or `''` when CloudFront could not tell. */
  readonly country: string;
}

/** Host and path of a legacy link written with or without its scheme; undefined for anything else. */
function splitLink(link: string): { host: string; path: string } | undefined {
  const m = /^(?:https?:\/\/)?([^/?#\s]+)(\/[^?#\s]*)?/i.exec(link.trim());
  if (!m) return undefined;
  return { host: m[1].toLowerCase(), path: m[2] ?? '/' };
}

/** A case or slash variant of a path: upper-cased segments, the trailing slash toggled, or `index.html`. */
function variantOf(path: string, rng: Xorshift32): string {
  switch (rng.below(3)) {
    case 0:
      return path.replace(/[a-z]+/g, (w) => (w.length <= 2 ? w.toUpperCase() : w[0].toUpperCase() + w.slice(1))).replace(/poco/gi, 'POCO');
    case 1:
      return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path + '/';
    default:
      return (path.endsWith('/') ? path : path + '/') + 'index.html';
  }
}

/** A short lower-case DNS label. */
function randomLabel(rng: Xorshift32): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let s = '';
  const n = 3 + rng.below(6);
  for (let i = 0; i < n; i++) s += letters[rng.below(26)];
  return s;
}

/** Names visitors send under a wildcard hostname: the usual guesses, then random labels. */
const OTHER_LABELS = ['m', 'shop', 'store', 'blog', 'global', 'mobile', 'event', 'news', 'forum', 'support'];

/** The URL set as it is built: the head in order, the rest to be shuffled, no URL twice. */
class UrlSetBuilder {
  readonly head: TrafficUrl[] = [];
  readonly rest: TrafficUrl[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly rng: Xorshift32) {}

  /** Adds a URL to `list` unless the set already has it. */
  add(list: TrafficUrl[], host: string, path: string, kind: string): void {
    const k = host + path;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    list.push({ host, path, kind });
  }
}

/** Each store region's product pages (three shapes) and support pages on the region-path hosts; the default region's name every product ever sold. */
function addStorePages(b: UrlSetBuilder, input: UrlSetInput, rpHost: () => string): void {
  for (const r of input.regions.filter((region) => input.products.has(region))) {
    const slugs = new Set(input.products.get(r) ?? []);
    // The default region's links name every product ever sold (its store may not list them).
    if (r === input.defaultRegion) for (const list of input.products.values()) for (const s of list) slugs.add(s);
    for (const s of [...slugs].sort()) {
      b.add(b.rest, rpHost(), `/${r}/product/${s}/`, 'product page');
      b.add(b.rest, rpHost(), `/${r}/product/${s}/specs/`, 'product subpage');
      b.add(b.rest, rpHost(), `/${r}/${s}/specs`, 'product without /product/');
    }
    b.add(b.rest, rpHost(), `/${r}/support/`, 'support');
    b.add(b.rest, rpHost(), `/${r}/support/contact/`, 'support');
  }
}

/** Pages without a region on the region-path hosts: every product, the discontinued ones, support. */
function addRegionlessPages(b: UrlSetBuilder, input: UrlSetInput, rpHost: () => string): void {
  const everySlug = [...new Set([...input.products.values()].flatMap((l) => [...l]))].sort();
  for (const s of everySlug) {
    b.add(b.rest, rpHost(), `/product/${s}`, 'region-less product');
    b.add(b.rest, rpHost(), `/product/${s}/specs`, 'region-less product');
  }
  for (const s of DISCONTINUED) {
    b.add(b.rest, rpHost(), `/${input.defaultRegion}/product/${s}/`, 'discontinued product');
    b.add(b.rest, rpHost(), `/${input.defaultRegion}/${s}/specs/`, 'discontinued product');
    b.add(b.rest, rpHost(), `/product/${s}`, 'region-less product');
  }
  b.add(b.rest, rpHost(), '/support/', 'support');
  b.add(b.rest, rpHost(), '/support/warranty/', 'support');
}

/** The region-path hosts' pages: each region's home on every host, then pages each on one host drawn by popularity. */
function addRegionPathPages(b: UrlSetBuilder, input: UrlSetInput): void {
  const rpHosts = input.regionPathHosts;
  if (rpHosts.length === 0) return;
  // One host of the region-path site per URL: the first three 50%, 30% and 15%, the others share 5%.
  const hostCum = cumulative(rpHosts.map((_, i) => [0.5, 0.3, 0.15][i] ?? 0.05 / (rpHosts.length - 3)));
  const rpHost = (): string => rpHosts[sample(hostCum, b.rng.next())];
  for (const r of input.regions) {
    for (const h of rpHosts) b.add(b.rest, h, `/${r}/`, 'home');
  }
  addStorePages(b, input, rpHost);
  addRegionlessPages(b, input, rpHost);
}

/** Each region host's home, support, its store's product pages and a few other pages. */
function addRegionHostPages(b: UrlSetBuilder, input: UrlSetInput): void {
  for (const { host, region } of input.regionHosts) {
    b.add(b.rest, host, '/', 'home');
    b.add(b.rest, host, '/support/', 'support');
    const slugs = [...(input.products.get(region) ?? [])].sort();
    for (const s of slugs) {
      b.add(b.rest, host, `/product/${s}/`, 'product page');
      b.add(b.rest, host, `/product/${s}/buy`, 'product subpage');
    }
    for (let i = 0; i < 8; i++)
      b.add(b.rest, host, `/${b.rng.pick(['thread', 'post', 'news', 'blog'])}/${1000 + b.rng.below(9000)}`, 'other page');
  }
}

/** Other names under each wildcard hostname (the usual guesses, then random labels), not names a site has: the root and one page each. */
function addWildcardPages(b: UrlSetBuilder, input: UrlSetInput): void {
  for (const w of input.wildcardHosts) {
    const parent = w.replace(/^\*\./, '');
    const labels = [...OTHER_LABELS];
    for (let i = 0; i < 10; i++) labels.push(randomLabel(b.rng));
    for (const label of labels) {
      const host = `${label}.${parent}`;
      if (input.regionHosts.some((h) => h.host === host) || input.frozenHosts.includes(host) || input.regionPathHosts.includes(host))
        continue;
      b.add(b.rest, host, '/', 'other host');
      b.add(b.rest, host, `/${b.rng.pick(['product', 'global', 'news', 'app'])}/`, 'other host');
    }
  }
}

/** Case, slash and index.html variants of one URL in ten (frozen ones left alone). */
function addVariants(b: UrlSetBuilder): void {
  const variants: TrafficUrl[] = [];
  for (const u of [...b.head, ...b.rest]) {
    if (u.kind === 'frozen' || b.rng.next() >= 0.1) continue;
    variants.push({ host: u.host, path: variantOf(u.path, b.rng), kind: 'variant' });
  }
  for (const v of variants) b.add(b.rest, v.host, v.path, v.kind);
}

/** Fisher–Yates with the seeded PRNG, in place. */
function shuffle(list: TrafficUrl[], rng: Xorshift32): void {
  for (let i = list.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [list[i], list[j]] = [list[j], list[i]];
  }
}

/**
 * The URL set, in order of popularity: the real legacy links and the
 * region-path hosts' roots first, then everything else in a seeded random
 * order. Deterministic for a given input and seed; no duplicates.
 */
export function buildUrlSet(input: UrlSetInput, seed = DEFAULT_SEED): TrafficUrl[] {
  const b = new UrlSetBuilder(new Xorshift32(seed ^ 0x5eed));
  for (const link of input.legacyLinks) {
    const l = splitLink(link);
    if (l) b.add(b.head, l.host, l.path, 'legacy link');
  }
  for (const h of input.regionPathHosts) b.add(b.head, h, '/', 'home');
  addRegionPathPages(b, input);
  addRegionHostPages(b, input);
  addWildcardPages(b, input);
  for (const host of input.frozenHosts) {
    b.add(b.rest, host, '/', 'frozen');
    for (const s of [...(input.products.get(input.defaultRegion) ?? [])].sort().slice(0, 5))
      b.add(b.rest, host, `/product/${s}/`, 'frozen');
  }
  for (const src of input.bulkSources) b.add(b.rest, src.host, src.path, 'bulk source');
  addVariants(b);
  // Popularity beyond the head is by chance, not by category.
  shuffle(b.rest, b.rng);
  return [...b.head, ...b.rest];
}

/** Cumulative weights for sampling by binary search. */
function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
}

/** The index `u * total` falls in. */
function sample(cum: Float64Array, u: number): number {
  const x = u * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** A click id as ad platforms append them: unique per click. */
function clickId(rng: Xorshift32): string {
  let s = rng.next() < 0.6 ? 'fbclid=IwAR' : 'gclid=Cj0KCQ';
  for (let i = 0; i < 24; i++) s += TOKEN_CHARS[rng.below(TOKEN_CHARS.length)];
  return s;
}

export interface TrafficOptions {
  /** @default DEFAULT_REQUESTS */
  readonly requests?: number;
  /** @default DEFAULT_SEED */
  readonly seed?: number;
}

/**
 * `requests` visitor requests over `urls` (in popularity order): URL by
 * Zipf, country by `COUNTRY_WEIGHTS`, click id and campaign tags by their
 * shares. The same urls and seed give the same requests.
 */
export function generateTraffic(urls: readonly TrafficUrl[], options: TrafficOptions = {}): TrafficRequest[] {
  const n = options.requests ?? DEFAULT_REQUESTS;
  if (urls.length === 0) throw new Error('generateTraffic: the URL set is empty');
  const rng = new Xorshift32(options.seed ?? DEFAULT_SEED);
  const urlCum = cumulative(urls.map((_, i) => 1 / Math.pow(i + 1, ZIPF_EXPONENT)));
  const countries = Object.keys(COUNTRY_WEIGHTS);
  const countryCum = cumulative(countries.map((c) => COUNTRY_WEIGHTS[c]));
  const out: TrafficRequest[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const url = urls[sample(urlCum, rng.next())];
    const country = countries[sample(countryCum, rng.next())];
    const campaign = rng.next() < CAMPAIGN_SHARE ? rng.pick(CAMPAIGNS) : '';
    const click = rng.next() < CLICK_ID_SHARE ? clickId(rng) : '';
    out[i] = { host: url.host, uri: url.path, querystring: campaign && click ? `${campaign}&${click}` : campaign || click, country };
  }
  return out;
}
