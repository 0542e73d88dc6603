/**
 * Checks shared by the JSON config files (lib/config/fields.ts): a JSON
 * syntax error is reported at its line and column, however deep it is;
 * nesting too deep and keys given twice are errors at their line; an IP
 * address is not a hostname.
 */
import { formatProblem, ProblemList } from '../../lib/config/problems';
import { parseSites } from '../../lib/config/sites';
import { DEFAULT_SITES_TEXT } from '../support/engine';
import { loadError } from '../support/load-error';

describe('JSON syntax', () => {
  test('a JSON syntax error names its line and column', () => {
    expect(loadError('{\n  "sites": {},\n  "regions": {\n}', '')).toEqual([
      'Config is invalid (1 problem); nothing was written.',
      '  sites.json:4: is not valid JSON: unexpected end of file at column 2. Fix: correct the JSON there (a missing or extra comma, quote or bracket is usual).',
    ]);
    expect(loadError('{\n  "a": 1,\n  "b": \n}\n', '')[1]).toBe(
      '  sites.json:4: is not valid JSON: unexpected "}" at column 1. Fix: correct the JSON there (a missing or extra comma, quote or bracket is usual).',
    );
  });

  test('a syntax error after 100,000 levels of nesting is reported where it is', () => {
    expect(loadError(`{\n  "regions": ${'['.repeat(100000)}x`, '')).toEqual([
      'Config is invalid (1 problem); nothing was written.',
      '  sites.json:2: is not valid JSON: unexpected "x" at column 100014. Fix: correct the JSON there (a missing or extra comma, quote or bracket is usual).',
    ]);
  });

  test('valid JSON nested more than 1,000 levels deep is refused at the first bracket too deep', () => {
    expect(loadError(`{\n  "regions": ${'['.repeat(1500)}${']'.repeat(1500)}\n}`, '')).toEqual([
      'Config is invalid (1 problem); nothing was written.',
      '  sites.json:2: is nested more than 1000 levels deep, at column 1013. Fix: remove the extra brackets there; a config file needs a few levels only.',
    ]);
  });
});

describe('JSON duplicate keys', () => {
  test('each key given twice in one object is an error at its line, naming the object and the first line; other problems are still reported', () => {
    const lines = DEFAULT_SITES_TEXT.split('\n');
    const uk = lines.findIndex((l) => l.startsWith('    "uk": { "store"'));
    lines.splice(uk + 1, 0, '    "uk": { "store": "https://www.mi.com/gb/" },');
    const hosts = lines.findIndex((l) => l.includes('"hostnames": ["in.po.co"]'));
    lines.splice(hosts + 1, 0, '      "hostnames": ["IN.po.co"],');
    lines.splice(1, 0, '  "defaultRegion": "global",');
    // 1-based line numbers in the text as given.
    const at = (prefix: string): number[] => lines.flatMap((l, i) => (l.startsWith(prefix) ? [i + 1] : []));
    const [uk1, uk2] = at('    "uk": { "store"');
    const [region1, region2] = at('  "defaultRegion"');
    const [hosts1, hosts2] = at('      "hostnames"').slice(-2);
    expect([uk2 - uk1, region1, hosts2 - hosts1]).toEqual([1, 2, 1]);
    expect(loadError(lines.join('\n'), '')).toEqual([
      'Config is invalid (4 problems); nothing was written.',
      `  sites.json:${uk2}: key "uk" is given twice in regions (first on line ${uk1}); JSON would keep only the last one. Fix: remove one of the two, or merge them.`,
      `  sites.json:${region2}: key "defaultRegion" is given twice at the top level (first on line ${region1}); JSON would keep only the last one. Fix: remove one of the two, or merge them.`,
      `  sites.json:${hosts2}: key "hostnames" is given twice in sites.in (first on line ${hosts1}); JSON would keep only the last one. Fix: remove one of the two, or merge them.`,
      '  sites.json: sites.in.hostnames[0]: "IN.po.co" is not a lower-case hostname or wildcard. Fix: write it in lower case: "in.po.co".',
    ]);
  });

  test('keys are compared as JSON reads them: "\\u0061" is "a"', () => {
    const p = new ProblemList('sites.json');
    parseSites('{"a": 1,\n"\\u0061": 2}', p);
    expect(p.problems.map(formatProblem)[0]).toBe(
      'sites.json:2: key "a" is given twice at the top level (first on line 1); JSON would keep only the last one. Fix: remove one of the two, or merge them.',
    );
  });
});

describe('IP addresses are not hostnames', () => {
  test.each([
    ['allowedTargetHosts', ['www.mi.com', 'www.mi.co.id', 'new.c.mi.com', 'in.po.co', '203.0.113.7'], 'allowedTargetHosts[4]: "203.0.113.7" is an IP address, not a hostname. Fix: CloudFront and its certificates need a DNS name: write one such as "www.mi.com".'],
    ['hostnames', ['uk.po.co', '192.0.2.1'], 'sites.uk.hostnames[1]: "192.0.2.1" is an IP address, not a hostname. Fix: CloudFront and its certificates need a DNS name: write one such as "uk.po.co".'],
    ['hostnames', ['uk.po.co', '2001:db8::1'], 'sites.uk.hostnames[1]: "2001:db8::1" is an IP address, not a hostname. Fix: CloudFront and its certificates need a DNS name: write one such as "uk.po.co".'],
    ['hostnames', ['uk.po.co', '[2001:db8::1]'], 'sites.uk.hostnames[1]: "[2001:db8::1]" is an IP address, not a hostname. Fix: CloudFront and its certificates need a DNS name: write one such as "uk.po.co".'],
    ['hostnames', ['uk.po.co', '127.1'], 'sites.uk.hostnames[1]: "127.1" is an IP address, not a hostname. Fix: CloudFront and its certificates need a DNS name: write one such as "uk.po.co".'],
  ])('%s: %j', (key, hosts, message) => {
    const json = JSON.parse(DEFAULT_SITES_TEXT);
    if (key === 'allowedTargetHosts') json.allowedTargetHosts = hosts;
    else json.sites.uk.hostnames = hosts;
    const p = new ProblemList('sites.json');
    parseSites(JSON.stringify(json), p);
    expect(p.problems.map(formatProblem)).toEqual([`sites.json: ${message}`]);
  });
});
