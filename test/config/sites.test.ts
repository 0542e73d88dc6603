/**
 * config/sites.json (lib/config/sites.ts): every problem at once, each naming
 * the field, the bad value and the fix; content folders of frozen sites.
 * Messages asserted exactly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../lib/config/load';
import { ConfigError, formatProblem, ProblemList } from '../../lib/config/problems';
import { parseSites } from '../../lib/config/sites';
import { DEFAULT_SITES_TEXT, sites as defaultSites } from '../support/engine';
import { loadError } from '../support/load-error';
import { tmpDir } from '../support/tmp';

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

  test('a mistyped mode is said alone, not as a site that takes no region', () => {
    const sites = JSON.stringify({ ...base, sites: { ...base.sites, uk: { mode: 'region-hots', region: 'uk', hostnames: ['uk.po.co'] } } });
    expect(loadError(sites, '')).toEqual([
      'Config is invalid (1 problem); nothing was written.',
      '  sites.json: sites.uk.mode: "region-hots" is not a site mode. Fix: use "region-path", "region-host" or "frozen".',
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

describe('responseHeaders.cacheControl.perVisitor: parsed into directives', () => {
  const base = JSON.parse(DEFAULT_SITES_TEXT);
  function perVisitor(value: string): string[] {
    const json = structuredClone(base);
    json.responseHeaders.cacheControl.perVisitor = value;
    const p = new ProblemList('sites.json');
    parseSites(JSON.stringify(json), p);
    return p.problems.map(formatProblem);
  }
  const field = 'sites.json: responseHeaders.cacheControl.perVisitor:';

  test.each([
    ['public, max-age=86400, x-private', `${field} "public, max-age=86400, x-private" lets browsers or shared caches store a redirect that differs per visitor. Fix: include "private" or "no-store", such as "private, no-store".`],
    ['no-store-ish', `${field} "no-store-ish" lets browsers or shared caches store a redirect that differs per visitor. Fix: include "private" or "no-store", such as "private, no-store".`],
    ['max-age=0, no-store=1', `${field} "max-age=0, no-store=1" lets browsers or shared caches store a redirect that differs per visitor. Fix: include "private" or "no-store", such as "private, no-store".`],
    ['private="Set-Cookie"', `${field} "private=\\"Set-Cookie\\"" names header fields after "private", which lets shared caches store the rest of a redirect that differs per visitor. Fix: write "private" alone, such as "private, no-store".`],
    ['public, private', `${field} "public, private" has "public" as well as "private": a cache that takes "public" would store a redirect that differs per visitor. Fix: remove "public".`],
    ['no-store, PUBLIC', `${field} "no-store, PUBLIC" has "public" as well as "no-store": a cache that takes "public" would store a redirect that differs per visitor. Fix: remove "public".`],
    ['private; no-store', `${field} "private; no-store" is not a list of Cache-Control directives: "private; no-store" is not one. Fix: write directives separated by commas, such as "private, no-store".`],
  ])('%j is refused', (value, message) => {
    expect(perVisitor(value)).toEqual([message]);
  });

  test.each(['private', 'No-Store', 'private, no-store, max-age=0', 'no-cache="Set-Cookie, Vary", private', ' private ,, no-store '])('%j is accepted', (value) => {
    expect(perVisitor(value)).toEqual([]);
  });
});

describe('sites.json content folders on disk', () => {
  const base = JSON.parse(DEFAULT_SITES_TEXT);
  /** Problems of the default sites with `sites.in.content` set, the sites file in a folder `setup` fills; messages without that folder. */
  function contentProblems(content: string, setup: (dir: string) => void = () => {}): string[] {
    const dir = tmpDir('poco-content-');
    setup(dir);
    const json = structuredClone(base);
    json.sites.in.content = content;
    const file = path.join(dir, 'sites.json');
    fs.writeFileSync(file, JSON.stringify(json));
    // An absolute file name: the content folder is found next to it, as loadConfig finds it.
    const p = new ProblemList(file);
    parseSites(fs.readFileSync(file, 'utf8'), p);
    return p.problems.map(formatProblem).map((l) => l.split(dir + path.sep).join(''));
  }
  const fix = 'Fix: point it at the folder that holds the snapshot, such as "frozen/in".';
  const long = 'a'.repeat(300);

  test.each([
    ['a NUL', 'frozen/in\u0000x', () => {}, `sites.json: sites.in.content: "frozen/in\\u0000x" has a NUL character, which no path can hold. ${fix}`],
    [
      'a 300-character name',
      `frozen/${long}`,
      () => {},
      `sites.json: sites.in.content: "frozen/${long.slice(0, 193)}…" has a name of 300 bytes; file systems allow at most 255. Fix: shorten that folder name.`,
    ],
    ['a 1,200-byte path', 'ab/'.repeat(400), () => {}, `sites.json: sites.in.content: "${'ab/'.repeat(400).slice(0, 200)}…" is 1200 bytes long; a content path may be at most 1024. ${fix}`],
    [
      'a path through a file',
      'frozen/index.html/in',
      (dir: string) => {
        fs.mkdirSync(path.join(dir, 'frozen'));
        fs.writeFileSync(path.join(dir, 'frozen', 'index.html'), '<p>hi</p>');
      },
      `sites.json: sites.in.content: "frozen/index.html/in" goes through a file ("frozen/index.html") as if it were a folder. ${fix}`,
    ],
    ['a symbolic link loop', 'frozen/in', (dir: string) => {
      fs.mkdirSync(path.join(dir, 'frozen'));
      fs.symlinkSync('in', path.join(dir, 'frozen', 'in'));
    }, `sites.json: sites.in.content: "frozen/in" goes through symbolic links that lead round in a loop. ${fix}`],
    ['a file', 'in.zip', (dir: string) => fs.writeFileSync(path.join(dir, 'in.zip'), ''), `sites.json: sites.in.content: "in.zip" is a file, not a folder. ${fix}`],
  ])('%s is a config error', (_, content, setup, message) => {
    expect(contentProblems(content, setup)).toEqual([message]);
  });

  test("links in the snapshot that lead outside its folder are each named; links inside it and a missing folder are fine", () => {
    const snapshot = (dir: string): void => {
      fs.mkdirSync(path.join(dir, 'snap', 'sub'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'snap', 'index.html'), '<p>hi</p>');
      fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');
      fs.symlinkSync('index.html', path.join(dir, 'snap', 'home.html'));
      fs.symlinkSync('..', path.join(dir, 'snap', 'sub', 'top'));
      fs.symlinkSync('sub', path.join(dir, 'snap', 'same'));
    };
    expect(contentProblems('snap', snapshot)).toEqual([]);
    expect(contentProblems('missing/in')).toEqual([]);
    expect(
      contentProblems('snap', (dir) => {
        snapshot(dir);
        fs.symlinkSync('../secret.txt', path.join(dir, 'snap', 'secret.txt'));
        fs.symlinkSync('../..', path.join(dir, 'snap', 'sub', 'up'));
        fs.symlinkSync('/etc', path.join(dir, 'snap', 'etc'));
        fs.symlinkSync('../../nowhere', path.join(dir, 'snap', 'sub', 'gone'));
      }),
    ).toEqual([
      'sites.json: sites.in.content: the snapshot\'s link "etc" leads outside "snap" (to "/etc"); deploying would publish what it leads to. Fix: replace the link with a copy of what it should show, or remove it.',
      'sites.json: sites.in.content: the snapshot\'s link "secret.txt" leads outside "snap" (to "../secret.txt"); deploying would publish what it leads to. Fix: replace the link with a copy of what it should show, or remove it.',
      'sites.json: sites.in.content: the snapshot\'s link "sub/gone" leads outside "snap" (to "../../nowhere"); deploying would publish what it leads to. Fix: replace the link with a copy of what it should show, or remove it.',
      'sites.json: sites.in.content: the snapshot\'s link "sub/up" leads outside "snap" (to "../.."); deploying would publish what it leads to. Fix: replace the link with a copy of what it should show, or remove it.',
    ]);
  });

  test('loading fails with a ConfigError, before anything is synthesized', () => {
    const dir = tmpDir('poco-content-');
    const json = structuredClone(base);
    json.sites.in.content = 'in';
    fs.mkdirSync(path.join(dir, 'in'));
    fs.symlinkSync('..', path.join(dir, 'in', 'up'));
    fs.writeFileSync(path.join(dir, 'sites.json'), JSON.stringify(json));
    fs.writeFileSync(path.join(dir, 'list.csv'), '');
    let error: unknown;
    try {
      loadConfig({ sitesFile: path.join(dir, 'sites.json'), redirectsFile: path.join(dir, 'list.csv') });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message.split(dir + path.sep).join('')).toBe(
      [
        'Config is invalid (1 problem); nothing was written.',
        '  sites.json: sites.in.content: the snapshot\'s link "up" leads outside "in" (to ".."); deploying would publish what it leads to. Fix: replace the link with a copy of what it should show, or remove it.',
      ].join('\n'),
    );
  });
});
