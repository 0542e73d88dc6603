/**
 * Bulk redirect lists: Cloudflare Bulk Redirects' CSV format, parameters and
 * matching precedence, against the default sites config.
 */
import { brief, bulkMatch, DEFAULT_SITES_TEXT, defaultRule, engineFor, entries, req, tablesFor } from '../../support/engine';
import { parseCsv } from '../../../lib/config/redirects';
import * as fs from 'fs';
import * as path from 'path';
import {
  BULK_PRESERVE_PATH_SUFFIX,
  BULK_PRESERVE_QUERY,
  BULK_SCHEME_HTTP,
  BULK_STATUS_SHIFT,
  BULK_SUBPATH_MATCHING,
  BulkIndex,
  CompiledBulk,
  packBulk,
} from '../../../lambda/engine';
import { fnv, FNV_BASIS } from '../../../lambda/engine/hash';
import { generateList } from '../../../lib/bench/generate-list';
import { bulkIndexOf } from '../../../lib/edge/packed-v1';
import { columnsOfPackedV1 } from '../../../lib/edge/packed-v1';

describe('CSV format', () => {
  test('two to seven fields, quoted fields, blank lines, CRLF and a BOM', () => {
    const list =
      '\uFEFFpo.co/a,https://www.mi.com/uk/\r\n\r\n"po.co/b","https://www.mi.com/uk/?a=x,y",302\n  po.co/c , https://www.mi.com/de/ ,308,true,FALSE,TRUE,false\n';
    expect(
      entries(list).map((e) => [
        e.line,
        e.host + e.path,
        e.target,
        e.status,
        e.preserveQueryString,
        e.subpathMatching,
        e.preservePathSuffix,
      ]),
    ).toEqual([
      [1, 'po.co/a', 'https://www.mi.com/uk/', 301, false, false, true],
      [3, 'po.co/b', 'https://www.mi.com/uk/?a=x,y', 302, false, false, true],
      [4, 'po.co/c', 'https://www.mi.com/de/', 308, true, true, false],
    ]);
  });

  test('a quoted field must close on its line, so a stray quote costs one line, not the rest of the file', () => {
    expect(parseCsv('a,"b\nc",d\ne,f\n')).toEqual([
      {
        line: 1,
        fields: ['a'],
        error: { message: 'a quoted field is not closed on its line.', fix: 'add the closing double quote (URLs never span lines).' },
      },
      {
        line: 2,
        fields: [],
        error: {
          message: 'a double quote inside the unquoted field "c\\"".',
          fix: 'quote the whole field and double the quote inside it ("").',
        },
      },
      { line: 3, fields: ['e', 'f'] },
    ]);
  });

  test('a doubled quote inside a quoted field is one quote', () => {
    expect(parseCsv('"a""b",  "c" ,d')).toEqual([{ line: 1, fields: ['a"b', 'c', 'd'] }]);
  });

  test('defaults: status 301, booleans false, preserve path suffix true', () => {
    const [e] = entries('po.co/a,https://www.mi.com/uk/,,,,,');
    expect(e).toMatchObject({
      status: 301,
      preserveQueryString: false,
      includeSubdomains: false,
      subpathMatching: false,
      preservePathSuffix: true,
      scheme: 'any',
    });
  });

  test('sources are normalised as requests are, so equivalent spellings match', () => {
    expect(entries('PO.CO//a/./b/%7Ex/index.html,https://www.mi.com/uk/').map((e) => e.host + e.path)).toEqual(['po.co/a/b/~x']);
  });
});

describe('matching', () => {
  test('exact path: the source path and nothing below it; trailing slash and index.html do not matter', () => {
    const e = engineFor('po.co/old,https://www.mi.com/uk/new/');
    expect(brief(e.decide(req('https://po.co/old')))).toBe('301 https://www.mi.com/uk/new/');
    expect(brief(e.decide(req('https://po.co/old/')))).toBe('301 https://www.mi.com/uk/new/');
    expect(brief(e.decide(req('https://po.co/old/index.html')))).toBe('301 https://www.mi.com/uk/new/');
    expect(e.decide(req('https://po.co/old/deeper')).rule).not.toMatch(/^bulk:/);
    expect(e.decide(req('https://www.po.co/old')).rule).not.toMatch(/^bulk:/);
  });

  test('paths match case-sensitively, as in Cloudflare; hosts do not', () => {
    const e = engineFor('po.co/Old,https://www.mi.com/uk/new/');
    expect(e.decide(req('https://PO.co/Old')).rule).toBe('bulk:list.csv:1');
    expect(e.decide(req('https://po.co/old')).rule).not.toMatch(/^bulk:/);
  });

  test('subpath matching with preserved suffix (Cloudflare example: /foo/ -> /qux/, /foo/bar -> /qux/bar)', () => {
    const e = engineFor('po.co/foo/,https://www.mi.com/qux/,301,FALSE,FALSE,TRUE');
    expect(brief(e.decide(req('https://po.co/foo/bar')))).toBe('301 https://www.mi.com/qux/bar');
    expect(brief(e.decide(req('https://po.co/foo/bar/baz/')))).toBe('301 https://www.mi.com/qux/bar/baz/');
    expect(brief(e.decide(req('https://po.co/foo')))).toBe('301 https://www.mi.com/qux/');
    expect(e.decide(req('https://po.co/foobar')).rule).not.toMatch(/^bulk:/);
  });

  test('subpath matching without the suffix', () => {
    const e = engineFor('po.co/a,https://www.mi.com/b/,301,FALSE,FALSE,TRUE,FALSE');
    expect(brief(e.decide(req('https://po.co/a/foo')))).toBe('301 https://www.mi.com/b/');
  });

  test('the suffix is added to a target without a trailing slash, before its query and fragment', () => {
    const e = engineFor('po.co/a,https://www.mi.com/b?x=1#top,301,FALSE,FALSE,TRUE');
    expect(brief(e.decide(req('https://po.co/a/c/d')))).toBe('301 https://www.mi.com/b/c/d?x=1#top');
  });

  test('the most specific subpath wins (Cloudflare: /folder vs /folder/subfolder)', () => {
    const e = engineFor(
      ['po.co/folder,https://www.mi.com/one/,301,,,TRUE', 'po.co/folder/subfolder,https://www.mi.com/two/,301,,,TRUE'].join('\n'),
    );
    expect(brief(e.decide(req('https://po.co/folder/subfolder/item')))).toBe('301 https://www.mi.com/two/item');
    expect(brief(e.decide(req('https://po.co/folder/other')))).toBe('301 https://www.mi.com/one/other');
  });

  test('a subpath source at the root covers the whole host', () => {
    const e = engineFor('de.po.co/,https://www.mi.com/de/,302,TRUE,FALSE,TRUE,FALSE');
    expect(brief(e.decide(req('https://de.po.co/any/thing?q=1')))).toBe('302 https://www.mi.com/de/?q=1');
  });

  test('include subdomains: the host and every subdomain of it', () => {
    const e = engineFor('po.co/about,https://www.mi.com/global/about/,301,FALSE,TRUE');
    for (const host of ['po.co', 'www.po.co', 'uk.po.co', 'de.po.co']) {
      expect(e.decide(req(`https://${host}/about`)).rule).toBe('bulk:list.csv:1');
    }
    expect(e.decide(req('https://in.po.co/about')).action).toBe('origin'); // the frozen site is never redirected
  });

  test('an exact hostname beats include subdomains', () => {
    const e = engineFor(['po.co/x,https://www.mi.com/parent/,301,FALSE,TRUE', 'uk.po.co/x,https://www.mi.com/exact/'].join('\n'));
    expect(brief(e.decide(req('https://uk.po.co/x')))).toBe('301 https://www.mi.com/exact/');
    expect(brief(e.decide(req('https://de.po.co/x')))).toBe('301 https://www.mi.com/parent/');
  });

  test('a more specific domain beats a less specific one', () => {
    const sitesText = JSON.stringify({
      ...JSON.parse(DEFAULT_SITES_TEXT),
      sites: { global: { mode: 'region-path', hostnames: ['po.co', 'qux.foo.po.co'] } },
    });
    const e = engineFor(
      ['po.co/x,https://www.mi.com/less/,301,FALSE,TRUE', 'foo.po.co/x,https://www.mi.com/more/,301,FALSE,TRUE'].join('\n'),
      sitesText,
    );
    expect(brief(e.decide(req('https://qux.foo.po.co/x')))).toBe('301 https://www.mi.com/more/');
  });

  test('path specificity comes before host specificity', () => {
    const e = engineFor(
      ['po.co/a/b,https://www.mi.com/deep/,301,FALSE,TRUE,TRUE', 'uk.po.co/a,https://www.mi.com/shallow/,301,FALSE,FALSE,TRUE'].join('\n'),
    );
    expect(brief(e.decide(req('https://uk.po.co/a/b/c')))).toBe('301 https://www.mi.com/deep/c');
  });

  test('a scheme-specific source beats a scheme-less one; each scheme matches only itself', () => {
    const e = engineFor(
      ['po.co/s,https://www.mi.com/any/', 'https://po.co/s,https://www.mi.com/https/', 'http://po.co/h,https://www.mi.com/http-only/'].join(
        '\n',
      ),
    );
    expect(brief(e.decide(req('https://po.co/s')))).toBe('301 https://www.mi.com/https/');
    expect(brief(e.decide(req('http://po.co/s')))).toBe('301 https://www.mi.com/any/');
    expect(brief(e.decide(req('http://po.co/h')))).toBe('301 https://www.mi.com/http-only/');
    expect(e.decide(req('https://po.co/h')).rule).not.toMatch(/^bulk:/);
  });

  test('preserve query string', () => {
    const e = engineFor(['po.co/q,https://www.mi.com/keep/,301,TRUE', 'po.co/d,https://www.mi.com/drop/'].join('\n'));
    expect(brief(e.decide(req('https://po.co/q?a=1&b=%20')))).toBe('301 https://www.mi.com/keep/?a=1&b=%20');
    expect(brief(e.decide(req('https://po.co/d?a=1')))).toBe('301 https://www.mi.com/drop/');
  });

  test('status codes 301, 302, 307 and 308 with their caching', () => {
    const e = engineFor(
      [
        'po.co/1,https://www.mi.com/a/,301',
        'po.co/2,https://www.mi.com/a/,302',
        'po.co/7,https://www.mi.com/a/,307',
        'po.co/8,https://www.mi.com/a/,308',
      ].join('\n'),
    );
    const seen = ['1', '2', '7', '8'].map((p) => e.decide(req(`https://po.co/${p}`)));
    expect(seen.map((d) => d.status)).toEqual([301, 302, 307, 308]);
    expect(seen.map((d) => d.headers['Cache-Control'])).toEqual([
      'public, max-age=86400',
      'public, max-age=300',
      'public, max-age=300',
      'public, max-age=86400',
    ]);
  });

  test('bulk entries win over the default rules', () => {
    const e = engineFor('po.co/uk/product/poco-f6,https://www.mi.com/uk/product/poco-f6-renamed/');
    expect(brief(e.decide(req('https://po.co/uk/product/poco-f6')))).toBe('301 https://www.mi.com/uk/product/poco-f6-renamed/');
    expect(e.decide(req('https://po.co/uk/product/poco-f6')).rule).toBe('bulk:list.csv:1');
  });

  test('a target on a redirect host is followed so the visitor gets one hop', () => {
    const e = engineFor(
      ['po.co/f6,https://po.co/old-f6,301,TRUE', 'po.co/old-f6,https://po.co/global/product/poco-f6#buy,308,TRUE'].join('\n'),
    );
    const d = e.decide(req('https://po.co/f6?ref=qr'));
    expect(brief(d)).toBe('301 https://www.mi.com/global/product/poco-f6/?ref=qr#buy');
    expect(d.rule).toBe(`bulk:list.csv:1 > bulk:list.csv:2 > ${defaultRule('product-page')}`);
  });

  test('a followed chain is temporary if any hop is, and per visitor if a hop depends on the country', () => {
    const e = engineFor(['po.co/t,https://po.co/uk/,302', 'po.co/v,https://po.co/'].join('\n'));
    expect(e.decide(req('https://po.co/t')).status).toBe(302);
    const v = e.decide(req('https://po.co/v', 'FR'));
    expect(brief(v)).toBe('302 https://www.mi.com/fr/');
    expect(v.headers['Cache-Control']).toBe('private, no-store');
  });
});

describe('the packed index (bulk.bin)', () => {
  const N = 100000;
  const tables = tablesFor(generateList(N));
  const index = new BulkIndex(packBulk(tables.bulk));

  test('finds every source of a 100,000-line list, as its own entry, and only sources', () => {
    expect(index.size).toBe(N);
    const wrong: string[] = [];
    tables.bulk.keys.forEach((key, i) => {
      const slash = key.indexOf('/');
      const path = key.slice(slash);
      const segments = path.split('/').filter((s) => s !== '');
      const m = bulkMatch(index, key.slice(0, slash), path);
      if (m?.entry !== i || m.depth !== segments.length) wrong.push(`${key}: ${JSON.stringify(m)}`);
      // One character more, or less, is no source (nor a subpath of one, when the entry has no subpath matching).
      const longer = bulkMatch(index, key.slice(0, slash), path + 'x');
      if (longer && !(tables.bulk.meta[longer.entry] & BULK_SUBPATH_MATCHING)) wrong.push(`${key}x matched ${longer.entry}`);
    });
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  test('reads the columns back exactly: meta, target, line, targets, internal targets', () => {
    const packed = new BulkIndex(
      packBulk(tablesFor('po.co/f6,https://po.co/global/product/poco-f6,301,TRUE\nhttp://po.co/f6,https://www.mi.com/global/,308\n').bulk),
    );
    expect([packed.size, packed.file, packed.targets]).toEqual([
      2,
      'list.csv',
      ['https://po.co/global/product/poco-f6', 'https://www.mi.com/global/'],
    ]);
    expect([0, 1].map((i) => [packed.meta(i), packed.targetIndex(i), packed.line(i), packed.isInternal(packed.targetIndex(i))])).toEqual([
      [BULK_PRESERVE_QUERY | BULK_PRESERVE_PATH_SUFFIX, 0, 1, true],
      [BULK_SCHEME_HTTP | (3 << BULK_STATUS_SHIFT) | BULK_PRESERVE_PATH_SUFFIX, 1, 2, false],
    ]);
  });

  test('its header lists each source host with the depths of its subpath sources, and of its include-subdomains ones', () => {
    const csv = [
      'po.co/a/b,https://www.mi.com/uk/ab,301,,,TRUE',
      'po.co/a/b/c/d,https://www.mi.com/uk/abcd,301,,,TRUE',
      'po.co/x,https://www.mi.com/uk/x,301,,TRUE,TRUE',
      'uk.po.co/y,https://www.mi.com/uk/y',
    ].join('\n');
    const packed = packBulk(tablesFor(csv).bulk);
    const words = new Uint32Array(packed.buffer, packed.byteOffset, 5);
    const header = JSON.parse(Buffer.from(packed.subarray(packed.length - words[4])).toString('utf8'));
    expect(header.hosts).toEqual([
      ['po.co', 0b10110, 0b10],
      ['uk.po.co', 0, null],
    ]);
  });

  test('compares host and path when hashes agree: two paths of one host, and two hosts whose keys start from one hash', () => {
    const hash = (key: string): number => fnv(FNV_BASIS, key, 0, key.length);
    expect(hash('po.co/fdpldrth')).toBe(hash('po.co/ntpxdfzn'));
    expect(hash('blhlfz.po.co/')).toBe(hash('jzxvbb.po.co/'));
    const bulk: CompiledBulk = {
      file: 'collisions.csv',
      keys: ['po.co/ntpxdfzn', 'jzxvbb.po.co/same', 'blhlfz.po.co/same'],
      meta: [0, 0, 0],
      target: [0, 1, 2],
      line: [1, 2, 3],
      targets: ['https://www.mi.com/uk/', 'https://www.mi.com/fr/', 'https://www.mi.com/de/'],
      internalTargets: [],
    };
    const index = new BulkIndex(packBulk(bulk));
    const found = (key: string): number | null =>
      bulkMatch(index, key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/')))?.entry ?? null;
    expect(['po.co/ntpxdfzn', 'po.co/fdpldrth', 'jzxvbb.po.co/same', 'blhlfz.po.co/same'].map(found)).toEqual([0, null, 1, 2]);
    expect([0, 1, 2].map((i) => index.key(i))).toEqual(bulk.keys);
  });

  test('is deterministic, and refuses what is not a packed list', () => {
    expect(Buffer.from(packBulk(tables.bulk)).equals(Buffer.from(packBulk(tablesFor(generateList(N)).bulk)))).toBe(true);
    expect(() => new BulkIndex(new Uint8Array(64))).toThrow('BulkIndex: not a packed bulk list (bad magic); rebuild the bundle.');
  });
});

describe('packages of format 1 (PBK1), which older baselines hold', () => {
  // bulk-v1.bin is bulk-v1.csv packed by packBulk as of commit efc0034, the last to write format 1.
  const csv = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'bulk-v1.csv'), 'utf8');
  const v1 = new Uint8Array(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'bulk-v1.bin')));
  const tables = tablesFor(csv);

  test('give back exactly the columns they were packed from', () => {
    expect(columnsOfPackedV1(v1)).toEqual(tables.bulk);
  });

  test('are read by the review tools with the answers of the same list packed today', () => {
    const paths = ['/f6', '/F7/Pro', '/campaign/2021/x', '/x/y', '/p/42', '/old', '/blog/2020/post-%C3%A9t%C3%A9/more', '/q'];
    // Per host, per path: entry@depth of the match, or '-'.
    const answers = (index: BulkIndex): string[] =>
      ['po.co', 'uk.po.co', 'www.po.co', 'fr.po.co', 'de.po.co', 'a.b.po.co'].map((host) =>
        [host, ...paths.map((p) => bulkMatch(index, host, p)).map((m) => (m ? `${m.entry}@${m.depth}` : '-'))].join(' '),
      );
    const expected = [
      'po.co 0@1 2@2 3@2 4@1 - - - -',
      'uk.po.co - - - 4@1 5@2 - - -',
      'www.po.co - - - 4@1 - 6@1 - -',
      'fr.po.co - - - 4@1 - - 7@3 -',
      'de.po.co 8@0 8@0 8@0 4@1 8@0 8@0 8@0 8@0',
      'a.b.po.co - - - 4@1 - - - -',
    ];
    expect(answers(new BulkIndex(packBulk(tables.bulk)))).toEqual(expected);
    expect(answers(bulkIndexOf(v1))).toEqual(expected);
  });

  test('the edge function refuses one; the tools read only format 1 with this reader, and say when one is cut short', () => {
    expect(() => new BulkIndex(v1)).toThrow('BulkIndex: not a packed bulk list (bad magic); rebuild the bundle.');
    expect(columnsOfPackedV1(packBulk(tables.bulk))).toBeUndefined();
    expect(() => columnsOfPackedV1(v1.subarray(0, v1.length - 1))).toThrow(
      `bulk.bin (format 1) is ${v1.length - 1} bytes, but its sizes need ${v1.length}: the package is cut short; synthesize the baseline again`,
    );
  });
});
