/**
 * Config validation: every problem reported at once, each naming the file,
 * the line or field, the bad value and the fix. Messages asserted exactly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, formatProblem, ProblemList } from '../../lib/config/problems';
import { parseSites } from '../../lib/config/sites';
import { parseStages, selectStage, zoneOf } from '../../lib/config/stages';
import { displayName, loadConfig } from '../../lib/config/load';
import { jsonErrorOffset } from '../../lib/config/json-position';
import { csvProblems, DEFAULT_SITES_TEXT, defaultRule, sites as defaultSites } from '../support/engine';
import { tmpDir } from '../support/tmp';

const FORMAT = '<SOURCE_URL>,<TARGET_URL>[,<STATUS_CODE>,<PRESERVE_QUERY_STRING>,<INCLUDE_SUBDOMAINS>,<SUBPATH_MATCHING>,<PRESERVE_PATH_SUFFIX>]';

function tmp(files: Record<string, string>): string {
  const dir = tmpDir('poco-config-');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function loadError(sitesText: string, csv: string): string[] {
  const dir = tmp({ 'sites.json': sitesText, 'list.csv': csv });
  try {
    loadConfig({ sitesFile: path.join(dir, 'sites.json'), redirectsFile: path.join(dir, 'list.csv') });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message.split('\n').map((l) => l.split(dir + path.sep).join(''));
  }
  throw new Error('expected a ConfigError');
}

describe('the default config', () => {
  test('loads and names its files relative to the project root', () => {
    const { tables, entries } = loadConfig();
    expect(tables.bulk.file).toBe('config/redirects.csv');
    expect(entries.length).toBeGreaterThan(0);
    expect(tables.sites.map((s) => s.name)).toEqual(['community', 'de', 'fr', 'global', 'in', 'other', 'uk']);
    expect(tables.rules.length).toBeGreaterThan(0);
    expect(tables.rules.every((r) => r.id.includes('@config/rules.txt:'))).toBe(true);
  });
});

describe('bulk list problems', () => {
  test.each([
    ['source_url,target_url', 'list.csv:1: "source_url,target_url" looks like a header row; the format has none. Fix: delete this line.'],
    ['po.co/a,https://evil.com/x', 'list.csv:1: TARGET_URL host "evil.com" is not on the allow-list. Fix: point it at www.mi.com, www.mi.co.id, new.c.mi.com or in.po.co, or add the host to allowedTargetHosts in config/sites.json.'],
    ['po.co/a,https://www.mi.com/uk/,303', 'list.csv:1: STATUS_CODE "303" is not a redirect status. Fix: use 301, 302, 307 or 308 (empty means 301).'],
    ['po.co/a,https://www.mi.com/uk/,301,yes', 'list.csv:1: PRESERVE_QUERY_STRING "yes" is not a boolean. Fix: write TRUE, true, FALSE, false or leave it empty (false).'],
    ['po.co/a,https://www.mi.com/uk/,301,,,,no', 'list.csv:1: PRESERVE_PATH_SUFFIX "no" is not a boolean. Fix: write TRUE, true, FALSE, false or leave it empty (true).'],
    ['po.co/d?x=1,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL "po.co/d?x=1" has a query string; sources match scheme, host and path only. Fix: remove "?x=1"; set PRESERVE_QUERY_STRING to pass queries on.'],
    ['po.co/d#x,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL "po.co/d#x" has a fragment, which browsers never send. Fix: remove "#x".'],
    ['ftp://po.co/d,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL "ftp://po.co/d" has scheme "ftp". Fix: use http://, https:// or no scheme (matches both).'],
    ['po.co:8080/d,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL "po.co:8080/d" has user information or a port. Fix: give only the hostname, such as po.co.'],
    ['in.po.co/e,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL host "in.po.co" belongs to the frozen site "in", which is never redirected. Fix: remove this line, or move the host to a redirect site in config/sites.json.'],
    ['example.com/f,https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL host "example.com" is not a hostname of any redirect site. Fix: use one of po.co, www.po.co, poco.net, www.poco.net, uk.po.co, fr.po.co, de.po.co, c.po.co or *.po.co, or add the host to a site in config/sites.json.'],
    ['example.com/f,https://www.mi.com/uk/,301,,TRUE', 'list.csv:1: SOURCE_URL host "example.com" has no redirect site hostname at or below it. Fix: use a domain of po.co, www.po.co, poco.net, www.poco.net, uk.po.co, fr.po.co, de.po.co, c.po.co or *.po.co.'],
    [',https://www.mi.com/uk/', 'list.csv:1: SOURCE_URL is empty. Fix: write the old URL, such as po.co/old-page.'],
    ['po.co/g,http://www.mi.com/uk/', 'list.csv:1: TARGET_URL "http://www.mi.com/uk/" does not use https://; every redirect must lead to HTTPS. Fix: write "https://www.mi.com/uk/".'],
    ['po.co/g,/uk/', 'list.csv:1: TARGET_URL "/uk/" is not an absolute URL. Fix: write it with https:// and a host, such as https://www.mi.com/global/.'],
    ['po.co/g,javascript://www.mi.com/%0aalert(1)', 'list.csv:1: TARGET_URL "javascript://www.mi.com/%0aalert(1)" does not use https://; every redirect must lead to HTTPS. Fix: write "https://www.mi.com/%0aalert(1)".'],
    ['po.co/h,https://www.mi.com/uk/?a=1,301,TRUE', 'list.csv:1: TARGET_URL "https://www.mi.com/uk/?a=1" has a query string while PRESERVE_QUERY_STRING is true. Fix: remove the query string from the target, or set PRESERVE_QUERY_STRING to FALSE.'],
    ['po.co/i', `list.csv:1: has 1 field; a line has 2 to 7. Fix: write ${FORMAT}.`],
    ['a,b,c,d,e,f,g,h', `list.csv:1: has 8 fields; a line has 2 to 7. Fix: write ${FORMAT}.`],
    ['po.co/k,"https://www.mi.com/uk/', 'list.csv:1: a quoted field is not closed on its line. Fix: add the closing double quote (URLs never span lines).'],
    ['po.co/n,"https://www.mi.com/x"y', 'list.csv:1: unexpected "y" after a closing double quote. Fix: put a comma after the quoted field, or double any quote inside it ("").'],
    ['po.co/n,https://www.mi.com/"x"', 'list.csv:1: a double quote inside the unquoted field "https://www.mi.com/\\"x\\"". Fix: quote the whole field and double the quote inside it ("").'],
    ['po.co/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17,https://www.mi.com/uk/,301,,,TRUE', 'list.csv:1: SOURCE_URL "po.co/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17" has 17 "/" in its path; with SUBPATH_MATCHING at most 16 are allowed. Fix: shorten the source path, or set SUBPATH_MATCHING to FALSE.'],
    ['po.co/l,https://user@www.mi.com/', 'list.csv:1: TARGET_URL "https://user@www.mi.com/" has user information or a port. Fix: give only the hostname, such as www.mi.com.'],
    ['po.co/m,https://www.mi.com/a b', 'list.csv:1: TARGET_URL "https://www.mi.com/a b" has a character URLs do not allow (a space, a control or non-ASCII character, or one of "<>\\^`{|}). Fix: percent-encode it (a space is %20).'],
    ['po.co/m,"https://www.mi.com/""x"""', 'list.csv:1: TARGET_URL "https://www.mi.com/\\"x\\"" has a character URLs do not allow (a space, a control or non-ASCII character, or one of "<>\\^`{|}). Fix: percent-encode it (a space is %20).'],
  ])('%s', (line, message) => {
    expect(csvProblems(line)).toEqual([message]);
  });

  test('16 slashes are allowed with subpath matching, and any number without', () => {
    expect(csvProblems('po.co/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16,https://www.mi.com/uk/,301,,,TRUE')).toEqual([]);
    expect(csvProblems('po.co/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18,https://www.mi.com/uk/')).toEqual([]);
  });

  test('duplicate sources, after normalisation, name both lines', () => {
    expect(csvProblems('po.co/j,https://www.mi.com/uk/\npo.co//j/,https://www.mi.com/de/\nhttps://po.co/j,https://www.mi.com/fr/')).toEqual([
      'list.csv:2: SOURCE_URL "po.co//j/" is the same source as line 1 (po.co/j). Fix: keep one of lines 1 and 2.',
    ]);
  });

  test('a target that leads to a country-dependent answer where the cache key holds no country is an error at its line', () => {
    expect(loadError(DEFAULT_SITES_TEXT, 'uk.po.co/x,https://po.co/\npo.co/uk/x,https://po.co/\npo.co/x,https://po.co/\npo.co/y,https://po.co/uk/')).toEqual([
      'Config is invalid (2 problems); nothing was written.',
      `  list.csv:1: TARGET_URL "https://po.co/" leads to an answer that depends on the visitor's country (bulk:list.csv:1 > ${defaultRule('landing')}), but the cache key of uk.po.co/x holds no country: every visitor would get the first one's answer. Fix: point the target at a page that names its region, such as https://po.co/global/..., or at the store page itself.`,
      `  list.csv:2: TARGET_URL "https://po.co/" leads to an answer that depends on the visitor's country (bulk:list.csv:2 > ${defaultRule('landing')}), but the cache key of po.co/uk/x holds no country: every visitor would get the first one's answer. Fix: point the target at a page that names its region, such as https://po.co/global/..., or at the store page itself.`,
    ]);
  });

  test('a target that leads back into the list in a loop is an error at its line', () => {
    expect(loadError(DEFAULT_SITES_TEXT, 'po.co/ok,https://www.mi.com/uk/\npo.co/loop1,https://po.co/loop2\npo.co/loop2,https://po.co/loop1')).toEqual([
      'Config is invalid (2 problems); nothing was written.',
      '  list.csv:2: TARGET_URL "https://po.co/loop2" leads back into this list in a loop, or through more than 8 of its entries. Fix: point the target at the final destination.',
      '  list.csv:3: TARGET_URL "https://po.co/loop1" leads back into this list in a loop, or through more than 8 of its entries. Fix: point the target at the final destination.',
    ]);
  });
});

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

  test('a JSON syntax error names its line and column', () => {
    expect(loadError('{\n  "sites": {},\n  "regions": {\n}', '')).toEqual([
      'Config is invalid (1 problem); nothing was written.',
      '  sites.json:4: is not valid JSON: unexpected end of file at column 2. Fix: correct the JSON there (a missing or extra comma, quote or bracket is usual).',
    ]);
    expect(loadError('{\n  "a": 1,\n  "b": \n}\n', '')[1]).toBe(
      '  sites.json:4: is not valid JSON: unexpected "}" at column 1. Fix: correct the JSON there (a missing or extra comma, quote or bracket is usual).',
    );
  });

  test('missing files are named with what they should be', () => {
    expect(() => loadConfig({ sitesFile: '/nonexistent/sites.json', redirectsFile: '/nonexistent/list.csv' })).toThrow(
      [
        'Config is invalid (2 problems); nothing was written.',
        '  /nonexistent/sites.json: does not exist. Fix: give the path of the sites file (default config/sites.json).',
        '  /nonexistent/list.csv: does not exist. Fix: give the path of a bulk redirect list in CSV (default config/redirects.csv).',
      ].join('\n'),
    );
  });
});

describe('helpers', () => {
  test('jsonErrorOffset agrees with JSON.parse on validity', () => {
    for (const text of ['{}', '[1,2,{"a":[true,false,null,-1.5e3,"\\u00e9"]}]', ' "x" ']) expect(jsonErrorOffset(text)).toBe(-1);
    expect(jsonErrorOffset('{"a":1,}')).toBe(7);
    expect(jsonErrorOffset('[1 2]')).toBe(3);
    expect(jsonErrorOffset('{"a":tru}')).toBe(5);
  });

  test('displayName is project-relative inside the project and absolute outside', () => {
    expect(displayName(path.join(__dirname, '..', '..', 'config', 'redirects.csv'))).toBe('config/redirects.csv');
    expect(displayName('/tmp/x.csv')).toBe('/tmp/x.csv');
  });
});

describe('config/stages.json', () => {
  const good = {
    account: '123456789012',
    hostedZones: { 'po.co': 'Z0123456789ABC', 'poco.net': 'Z0123456789DEF' },
    priceClass: 'PriceClass_100',
    accessLogRetentionDays: 90,
    edgeLogRetentionDays: 30,
    edgeLogRegions: ['us-east-1', 'eu-west-2'],
    alarmEmails: ['ops@example.com'],
  };
  function problems(stages: Record<string, unknown>, defaultStage: unknown = 'default'): string[] {
    const p = new ProblemList('stages.json');
    parseStages(JSON.stringify({ defaultStage, stages }), p, defaultSites());
    return p.problems.map(formatProblem);
  }

  test('the shipped file is valid, with a default and a prod stage', () => {
    const p = new ProblemList('config/stages.json');
    const config = parseStages(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'stages.json'), 'utf8'), p, defaultSites());
    expect(p.problems.map(formatProblem)).toEqual([]);
    expect(config?.defaultStage).toBe('default');
    expect([...config!.stages.keys()]).toEqual(['default', 'prod']);
    expect(config!.stages.get('default')!.alarms).toEqual({ fiveXxErrorRatePercent: 5, functionErrors: 1 });
  });

  test('every problem of every stage, in one run, each with the field, the value and the fix', () => {
    expect(
      problems({
        default: { ...good, account: '1234', priceClass: 'PriceClass_50', edgeLogRetentionDays: 31, accessLogRetentionDays: 0 },
        prod: { ...good, hostedZones: { 'po.co': '/hostedzone/Z1', 'mi.com': 'Z0123' }, edgeLogRegions: ['eu-west-2', 'Europe', 'eu-west-2'], alarmEmails: [], alarms: { fiveXxErrorRatePercent: 0, functionErors: 2 }, acount: 'x' },
      }),
    ).toEqual([
      'stages.json: stages.default.account: "1234" is not a 12-digit AWS account id. Fix: write the account id as a string of 12 digits, such as "123456789012".',
      'stages.json: stages.default.priceClass: "PriceClass_50" is not a CloudFront price class. Fix: use "PriceClass_100", "PriceClass_200" or "PriceClass_All".',
      'stages.json: stages.default.accessLogRetentionDays: 0 is not a number of days. Fix: give a whole number of days, 1 or more.',
      'stages.json: stages.default.edgeLogRetentionDays: 31 is not a number of days CloudWatch Logs accepts. Fix: use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.',
      'stages.json: stages.prod.acount: unknown key "acount". Fix: rename it to "account".',
      'stages.json: stages.prod.hostedZones.po.co: "/hostedzone/Z1" is not a Route 53 hosted zone id. Fix: copy the id of the public hosted zone from Route 53, such as "Z0123456789ABCDEFGHIJ" (without "/hostedzone/").',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "po.co" (site "global" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "www.po.co" (site "global" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "poco.net" (site "global" in sites.json). Fix: add the zone that holds it, such as "poco.net": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "www.poco.net" (site "global" in sites.json). Fix: add the zone that holds it, such as "poco.net": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "uk.po.co" (site "uk" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "fr.po.co" (site "fr" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "de.po.co" (site "de" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "c.po.co" (site "community" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "*.po.co" (site "other" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones: no hosted zone holds "in.po.co" (site "in" in sites.json). Fix: add the zone that holds it, such as "po.co": "Z...".',
      'stages.json: stages.prod.hostedZones.mi.com: no hostname in sites.json is in this zone. Fix: remove it, or add the site that uses it.',
      'stages.json: stages.prod.edgeLogRegions[1]: "Europe" is not an AWS region name. Fix: write it like "eu-west-2".',
      'stages.json: stages.prod.edgeLogRegions[2]: "eu-west-2" is listed twice. Fix: remove the second one.',
      'stages.json: stages.prod.alarmEmails: must be a non-empty list of e-mail addresses, found []. Fix: give a list such as ["platform-oncall@example.com"].',
      'stages.json: stages.prod.alarms.functionErors: unknown key "functionErors". Fix: rename it to "functionErrors".',
      'stages.json: stages.prod.alarms.fiveXxErrorRatePercent: 0 is not a percentage above 0. Fix: give a number above 0 and at most 100, such as 5.',
    ]);
  });

  test('awaitingCutover: hostnames of the sites file, each once; sorted; empty when absent', () => {
    expect(problems({ default: { ...good, awaitingCutover: ['uk.po.co', 'shop.po.co', 'uk.po.co', 7] }, prod: { ...good, awaitingCutover: 'uk.po.co' } })).toEqual([
      'stages.json: stages.default.awaitingCutover[1]: "shop.po.co" is not a hostname of sites.json. Fix: use one of *.po.co, c.po.co, de.po.co, fr.po.co, in.po.co, po.co, poco.net, uk.po.co, www.po.co or www.poco.net.',
      'stages.json: stages.default.awaitingCutover[2]: "uk.po.co" is listed twice. Fix: remove the second one.',
      'stages.json: stages.default.awaitingCutover[3]: 7 is not a hostname of sites.json. Fix: use one of *.po.co, c.po.co, de.po.co, fr.po.co, in.po.co, po.co, poco.net, uk.po.co, www.po.co or www.poco.net.',
      'stages.json: stages.prod.awaitingCutover: must be a list of hostnames, found "uk.po.co". Fix: give a list such as ["uk.po.co"], or remove it when no hostname waits for cutover.',
    ]);
    const p = new ProblemList('stages.json');
    const config = parseStages(JSON.stringify({ defaultStage: 'default', stages: { default: good, prod: { ...good, awaitingCutover: ['www.po.co', 'in.po.co'] } } }), p, defaultSites())!;
    expect(p.problems).toEqual([]);
    expect(config.stages.get('default')!.awaitingCutover).toEqual([]);
    expect(config.stages.get('prod')!.awaitingCutover).toEqual(['in.po.co', 'www.po.co']);
  });

  test('a default stage that is not defined', () => {
    expect(problems({ prod: good }, 'dev')).toEqual(['stages.json: defaultStage: "dev" is not a stage defined in stages. Fix: use one of prod.']);
  });

  test('choosing a stage that is not there names the ones that are', () => {
    const p = new ProblemList('stages.json');
    const config = parseStages(JSON.stringify({ defaultStage: 'default', stages: { default: good, prod: good } }), p, defaultSites())!;
    expect(selectStage(p, config, undefined)?.name).toBe('default');
    expect(selectStage(p, config, 'prod')?.name).toBe('prod');
    expect(selectStage(p, config, 'qa')).toBeUndefined();
    expect(p.problems.map(formatProblem)).toEqual(['stages.json: stages: there is no stage "qa" (chosen with -c stage=qa). Fix: choose one of default or prod, or add it to stages.json.']);
  });

  test.each([
    ['po.co', ['po.co'], 'po.co'],
    ['www.po.co', ['po.co', 'www.po.co'], 'www.po.co'],
    ['a.www.po.co', ['po.co', 'www.po.co'], 'www.po.co'],
    ['xpo.co', ['po.co'], undefined],
    ['poco.co.uk', ['po.co', 'co.uk'], 'co.uk'],
  ])('zoneOf(%s, %j) is %s: the longest zone equal to or above the name', (host, zones, zone) => {
    expect(zoneOf(host, zones)).toBe(zone);
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
