/**
 * config/sites.json (lib/config/sites.ts): every problem at once, each naming
 * the field, the bad value and the fix; content folders of frozen sites.
 * Messages asserted exactly.
 */
import { formatProblem, ProblemList } from '../../lib/config/problems';
import { parseSites } from '../../lib/config/sites';
import { DEFAULT_SITES_TEXT, sites as defaultSites } from '../support/engine';
import { loadError } from '../support/load-error';

describe('sites problems', () => {
  const base = JSON.parse(DEFAULT_SITES_TEXT);
  const broken = JSON.stringify({
    ...base,
    allowedTargetHosts: ['www.mi.com', 'IN.po.co'],
    regions: { ...base.regions, uk: { store: 'https://shop.example.com/uk/' }, fr: { store: 'http://www.mi.com/fr' }, it: { store: 'x', frozen: 'y' } },
    defaultRegion: 'world',
    countries: { GB: 'uk', fr: 'fr', NL: 'nl' },
    sites: {
      global: base.sites.global,
      uk: { mode: 'region-host', region: 'ukk', hostname: ['uk.po.co'] },
      de: { mode: 'region-host', region: 'de', hostnames: ['po.co'] },
      in: { mode: 'frozn', hostnames: ['in.po.co'] },
    },
    responseHeaders: { cacheControl: { perVisitor: 'public, max-age=60' }, strictTransportSecurity: 'max-age=600' },
  });

  test('every problem at once, with field, value and fix; the bulk list is still checked for format', () => {
    expect(loadError(broken, 'po.co/a,https://www.mi.com/uk/,999')).toEqual([
      'Config is invalid (18 problems); nothing was written.',
      '  sites.json: allowedTargetHosts[1]: "IN.po.co" is not a lower-case hostname. Fix: write it in lower case: "in.po.co".',
      '  sites.json: regions.uk.store: host "shop.example.com" is not in allowedTargetHosts. Fix: add "shop.example.com" to allowedTargetHosts, or use one of www.mi.com.',
      '  sites.json: regions.fr.store: "http://www.mi.com/fr" is not an absolute https:// URL with a path ending in "/" and no query or fragment. Fix: write it like "https://www.mi.com/uk/".',
      '  sites.json: regions.it: has both "store" and "frozen". Fix: give exactly one: "store" for a Xiaomi store, "frozen" for a site served unchanged.',
      '  sites.json: regions.id.store: host "www.mi.co.id" is not in allowedTargetHosts. Fix: add "www.mi.co.id" to allowedTargetHosts, or use one of www.mi.com.',
      '  sites.json: regions.id.landing: host "www.mi.co.id" is not in allowedTargetHosts. Fix: add "www.mi.co.id" to allowedTargetHosts, or use one of www.mi.com.',
      '  sites.json: regions.in.frozen: host "in.po.co" is not in allowedTargetHosts. Fix: add "in.po.co" to allowedTargetHosts, or use one of www.mi.com.',
      '  sites.json: defaultRegion: "world" is not a region defined in regions. Fix: use one of global, uk, fr, de, es, it, ru, tr, rs, ph, th, my, vn, tw, pk, au, mx, co, br, id or in.',
      '  sites.json: countries.fr: "fr" is not an upper-case ISO 3166-1 alpha-2 country code. Fix: write it as "FR".',
      '  sites.json: countries.NL: "nl" is not a region defined in regions. Fix: use one of global, uk, fr, de, es, it, ru, tr, rs, ph, th, my, vn, tw, pk, au, mx, co, br, id or in.',
      '  sites.json: sites.uk.hostname: unknown key "hostname". Fix: rename it to "hostnames".',
      '  sites.json: sites.uk.region: "ukk" is not a region defined in regions. Fix: use one of global, uk, fr, de, es, it, ru, tr, rs, ph, th, my, vn, tw, pk, au, mx, co, br, id or in.',
      '  sites.json: sites.uk.hostnames: must be a non-empty list of hostnames, found nothing. Fix: list the DNS names the site answers on, such as ["uk.po.co"].',
      '  sites.json: sites.de.hostnames[0]: "po.co" is already a hostname of site "global". Fix: give each hostname to one site only.',
      '  sites.json: sites.in.mode: "frozn" is not a site mode. Fix: use "region-path", "region-host" or "frozen".',
      '  sites.json: responseHeaders.cacheControl.perVisitor: "public, max-age=60" lets browsers or shared caches store a redirect that differs per visitor. Fix: include "private" or "no-store", such as "private, no-store".',
      '  sites.json: responseHeaders.strictTransportSecurity: max-age 600 is shorter than a year. Fix: use max-age=31536000 or more.',
      '  list.csv:1: STATUS_CODE "999" is not a redirect status. Fix: use 301, 302, 307 or 308 (empty means 301).',
    ]);
  });

});

describe('sites.json content folders', () => {
  const base = JSON.parse(DEFAULT_SITES_TEXT);

  test('the frozen site names its snapshot folder', () => {
    expect(defaultSites().sites.find((s) => s.name === 'in')?.content).toBe('frozen/in');
  });

  test.each([
    ['uk', 'frozen/uk', 'sites.json: sites.uk.content: a "region-host" site has no content of its own (found "frozen/uk"). Fix: remove "content"; only a "frozen" site serves a snapshot.'],
    ['in', '/srv/in', 'sites.json: sites.in.content: "/srv/in" is not a folder path relative to the sites file\'s folder. Fix: write a relative path without "..", such as "frozen/in", so the config means the same on every checkout.'],
    ['in', '../in', 'sites.json: sites.in.content: "../in" is not a folder path relative to the sites file\'s folder. Fix: write a relative path without "..", such as "frozen/in", so the config means the same on every checkout.'],
  ])('%s with content %j', (site, content, message) => {
    const json = structuredClone(base);
    json.sites[site].content = content;
    const p = new ProblemList('sites.json');
    parseSites(JSON.stringify(json), p);
    expect(p.problems.map(formatProblem)).toEqual([message]);
  });
});
