/**
 * `catalog`: which URLs are product pages of which store, sitemaps and URL
 * lists (plain and gzip) read within bounds, the catalogue file and the
 * summary exactly, usage errors.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { main } from '../../lib/cli/poco';
import {
  buildCatalog,
  canonicalSlug,
  CATALOG_COMMENT,
  catalogJson,
  classifyUrl,
  decodeXmlText,
  readUrlFile,
  SKIP,
  UrlRecord,
} from '../../lib/ops/catalog';
import { tmpDir } from '../support/tmp';

const dir = tmpDir('catalog-');
const write = (name: string, content: string | Buffer): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
};

/** The stores of the sites config (the regions' `store`s). */
const STORES = [
  'https://www.mi.com/global/',
  'https://www.mi.com/uk/',
  'https://www.mi.com/de/',
  'https://www.mi.com/rs/',
  'https://www.mi.com/mx/',
  'https://www.mi.co.id/id/',
];
const sitesFile = write(
  'sites.json',
  JSON.stringify({
    regions: {
      global: { store: 'https://www.mi.com/global/' },
      uk: { store: 'https://www.mi.com/uk/' },
      de: { store: 'https://www.mi.com/de/' },
      rs: { store: 'https://www.mi.com/rs/' },
      mx: { store: 'https://www.mi.com/mx/' },
      id: { store: 'https://www.mi.co.id/id/' },
      in: { frozen: 'https://in.po.co/' },
    },
  }),
);

describe('classifyUrl: store and slug, or why not', () => {
  const page = (store: string, slug: string): string => `${store} ${slug}`;
  test.each([
    // Real shapes from the public store links.
    ['https://www.mi.com/global/product/poco-f7/', page('https://www.mi.com/global/', 'poco-f7')],
    ['https://www.mi.com/global/product/poco-f6/specs', page('https://www.mi.com/global/', 'poco-f6')],
    [
      'https://www.mi.com/de/product/poco-x3-pro?srsltid=AfmBOoqKmKAtF-_P0cmo5_mUh5KyV_rqULEeFMbqT99BiuWWyo8BDJRW',
      page('https://www.mi.com/de/', 'poco-x3-pro'),
    ],
    ['https://www.mi.com/rs/product/poco-x8-pro/buy/?gid=4223715620', page('https://www.mi.com/rs/', 'poco-x8-pro')],
    ['https://www.mi.com/mx/product/poco-x5-pro-5g/?skupanel=1', page('https://www.mi.com/mx/', 'poco-x5-pro-5g')],
    ['https://www.mi.co.id/id/product/poco-f6/specs/', page('https://www.mi.co.id/id/', 'poco-f6')],
    ['https://www.mi.com/in/product/poco-f5/', page('https://www.mi.com/in/', 'poco-f5')],
    ['https://www.mi.com/global/poco-f7-ultra', SKIP.notProduct],
    ['https://www.mi.com/global/poco-f4/_images/overview/pocoF4_hero.jpg', SKIP.notProduct],
    ['https://www.mi.com/global/product-list/phone/poco/', SKIP.notProduct],
    ['https://www.mi.com/mx/support/faq/details/KA-909269/', SKIP.notProduct],
    [
      'https://ams-go.buy.mi.com/it/servicecenter/file/POCO_M5_Safety_Information_it/?binaryId=221160&namespaceId=2&publicationId=221166',
      SKIP.notProduct,
    ],
    // Case, scheme, fragments, escapes.
    ['HTTP://WWW.MI.COM/global/PRODUCT/POCO-F7#specs', page('https://www.mi.com/global/', 'poco-f7')],
    ['https://www.mi.com/global/product/Poco-%c3%A9/', page('https://www.mi.com/global/', 'poco-%C3%A9')],
    ['https://www.mi.com/global/product/poco%2DF7/', page('https://www.mi.com/global/', 'poco-f7')],
    ['https://www.mi.com/global/product/poco_f7.x~1/', page('https://www.mi.com/global/', 'poco_f7.x~1')],
    ['https://www.mi.com/global/product/', SKIP.notProduct],
    ['https://www.mi.com/global/product', SKIP.notProduct],
    ['https://www.mi.com//product/poco-f7/', SKIP.notProduct],
    ['https://www.mi.com/global/product/poco+f7/', SKIP.badSlug],
    ['https://www.mi.com/global/product/poco%2f7/', page('https://www.mi.com/global/', 'poco%2F7')],
    ['https://www.mi.com/global/product/poco%zz/', SKIP.badSlug],
    ['https://www.mi.com/global/product/%2E%2E/', SKIP.badSlug],
    ['https://www.mi.com/global/product/pocó/', SKIP.badSlug],
    ['ftp://www.mi.com/global/product/poco-f7/', SKIP.notUrl],
    ['www.mi.com/global/product/poco-f7/', SKIP.notUrl],
    ['/global/product/poco-f7/', SKIP.notUrl],
    ['https://www.mi.com/global/product/poco f7/', SKIP.notUrl],
    ['https://user@www.mi.com/global/product/poco-f7/', SKIP.notUrl],
  ])('%s', (url, want) => {
    const got = classifyUrl(url);
    expect('skip' in got ? got.skip : page(got.store, got.slug)).toBe(want);
  });

  test('canonicalSlug gives what the engine canonicalises a path segment to, lower-cased', () => {
    expect(['POCO-F7', 'poco%2d%41', 'x%c3%a9', '%7E', '.', '', 'a/b'].map(canonicalSlug)).toEqual([
      'poco-f7',
      'poco-a',
      'x%C3%A9',
      '~',
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('decodeXmlText decodes the five entities and character references; anything else is undefined', () => {
    expect(decodeXmlText('a&amp;b&lt;&gt;&quot;&apos;&#65;&#x42;&#x1F600;')).toBe('a&b<>"\'AB\u{1F600}');
    expect(['&nbsp;', '&#xD800;', '&#0;', '&#x110000;', '& b', '&#x;', '&amp'].map(decodeXmlText)).toEqual(Array(7).fill(undefined));
  });
});

describe('buildCatalog', () => {
  const rec = (text: string, i: number): UrlRecord => ({ text, where: `list:${i + 1}` });
  test('keeps configured stores, sorted and unique; counts the rest by reason with the first example', () => {
    const urls = [
      'https://www.mi.com/uk/product/poco-f8-ultra/',
      'https://www.mi.com/global/product/poco-x7/',
      'https://www.mi.com/global/product/POCO-F5/',
      'https://www.mi.com/global/product/poco-f5/specs/',
      'https://www.mi.com/in/product/poco-f5/',
      'https://www.mi.com/in/product/poco-x6-pro/',
      'https://www.mi.com/fr/poco-f2-pro/',
      'not a url',
    ].map(rec);
    const r = buildCatalog([...urls, { text: 'https://x', where: 'list:9', problem: SKIP.lineTooLong }], STORES, 'config/sites.json');
    expect(r.stores).toEqual({ 'https://www.mi.com/global/': ['poco-f5', 'poco-x7'], 'https://www.mi.com/uk/': ['poco-f8-ultra'] });
    expect(Object.keys(r.stores)).toEqual(['https://www.mi.com/global/', 'https://www.mi.com/uk/']);
    expect([r.read, r.used]).toEqual([9, 4]);
    expect(r.skipped).toEqual([
      {
        reason: 'store https://www.mi.com/in/ is not a store of config/sites.json',
        count: 2,
        first: 'list:5: https://www.mi.com/in/product/poco-f5/',
      },
      { reason: SKIP.lineTooLong, count: 1, first: 'list:9: https://x' },
      { reason: SKIP.notProduct, count: 1, first: 'list:7: https://www.mi.com/fr/poco-f2-pro/' },
      { reason: SKIP.notUrl, count: 1, first: 'list:8: not a url' },
    ]);
  });

  test('catalogJson is the file exactly: 2-space indented, one slug a line, trailing newline', () => {
    expect(catalogJson({ 'https://www.mi.co.id/id/': ['poco-f6', 'poco-f7'], 'https://www.mi.com/global/': ['poco-x7'] })).toBe(
      `{
  "$comment": ${JSON.stringify(CATALOG_COMMENT)},
  "stores": {
    "https://www.mi.co.id/id/": [
      "poco-f6",
      "poco-f7"
    ],
    "https://www.mi.com/global/": [
      "poco-x7"
    ]
  }
}
`,
    );
  });
});

const SITEMAP = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.mi.com/global/product/poco-f7/</loc><lastmod>2025-01-01</lastmod></url>
  <url>
    <loc>
      https://www.mi.com/global/product/poco-x7-pro/specs/?a=1&amp;b=2
    </loc>
  </url>
  <url><loc>https://www.mi.com/global/product/poco-&#x46;8/</loc></url>
  <url><loc>https://www.mi.com/global/product/poco-m8/?x=&#xD800;</loc></url>
  <url><loc><![CDATA[https://www.mi.com/uk/product/poco-f8-pro/buy/]]></loc></url>
  <url><loc>https://www.mi.com/global/poco/</loc></url>
</urlset>
`;

async function read(file: string): Promise<{ stats: Awaited<ReturnType<typeof readUrlFile>>; records: UrlRecord[] }> {
  const records: UrlRecord[] = [];
  const stats = await readUrlFile(file, (r) => records.push(r));
  return { stats, records };
}

describe('readUrlFile', () => {
  test('a sitemap, plain or gzip: each <loc> with its line, entities decoded, a bad one flagged', async () => {
    const want = [
      { text: 'https://www.mi.com/global/product/poco-f7/', where: 'L:3' },
      { text: 'https://www.mi.com/global/product/poco-x7-pro/specs/?a=1&b=2', where: 'L:5' },
      { text: 'https://www.mi.com/global/product/poco-F8/', where: 'L:9' },
      { text: 'https://www.mi.com/global/product/poco-m8/?x=&#xD800;', where: 'L:10', problem: SKIP.badEntity },
      { text: 'https://www.mi.com/uk/product/poco-f8-pro/buy/', where: 'L:11' },
      { text: 'https://www.mi.com/global/poco/', where: 'L:12' },
    ];
    for (const [name, content, gzip] of [
      ['sitemap.xml', SITEMAP, false],
      ['sitemap.xml.gz', gzipSync(SITEMAP), true],
      ['bom.xml', '\uFEFF\n\n' + SITEMAP, false],
    ] as const) {
      const file = write(name, content);
      const { stats, records } = await read(file);
      const shift = name === 'bom.xml' ? 2 : 0;
      expect(stats).toEqual({ file, format: 'sitemap', gzip, records: 6, cutShort: undefined });
      expect(records).toEqual(want.map((w) => ({ ...w, where: `${file}:${Number(w.where.slice(2)) + shift}` })));
    }
  });

  test('a URL list, CRLF or LF: blank lines and comments skipped, lines numbered', async () => {
    const file = write(
      'links.txt',
      '# store pages\r\n\r\nhttps://www.mi.com/uk/product/poco-f7/specs/\r\n  https://www.mi.com/uk/product/poco-f8-ultra/  \n   # indented comment\nlast-line-without-newline',
    );
    const { stats, records } = await read(file);
    expect(stats).toEqual({ file, format: 'url list', gzip: false, records: 3, cutShort: undefined });
    expect(records).toEqual([
      { text: 'https://www.mi.com/uk/product/poco-f7/specs/', where: `${file}:3` },
      { text: 'https://www.mi.com/uk/product/poco-f8-ultra/', where: `${file}:4` },
      { text: 'last-line-without-newline', where: `${file}:6` },
    ]);
  });

  test('a line or <loc> over 64 KiB is skipped without being kept; the reading goes on after it', async () => {
    const long = 'https://www.mi.com/global/product/' + 'x'.repeat(70000) + '/';
    const list = write('long.txt', `${long}\nhttps://www.mi.com/global/product/poco-f7/\n${'y'.repeat(65536)}\n`);
    const { records } = await read(list);
    expect(records.map((r) => [r.where.slice(list.length), r.problem ?? r.text, r.text.length])).toEqual([
      [':1', SKIP.lineTooLong, 103],
      [':2', 'https://www.mi.com/global/product/poco-f7/', 42],
      [':3', 'y'.repeat(65536), 65536],
    ]);
    const xml = write(
      'long.xml.gz',
      gzipSync(`<urlset>\n<loc>${long}</loc>\n<loc>https://www.mi.com/global/product/poco-f7/</loc>\n</urlset>\n`),
    );
    const x = await read(xml);
    expect(x.records.map((r) => [r.where.slice(xml.length), r.problem ?? r.text])).toEqual([
      [':2', SKIP.locTooLong],
      [':3', 'https://www.mi.com/global/product/poco-f7/'],
    ]);
  });

  test('hostile input is read in linear time and bounded memory: 8 MB without a newline, unclosed <loc>s, stray ampersands', async () => {
    const started = Date.now();
    const noNewline = await read(write('one-line.txt', 'h'.repeat(8 << 20)));
    expect(noNewline.records.map((r) => r.problem)).toEqual([SKIP.lineTooLong]);
    const unclosed = await read(write('unclosed.xml', '<urlset>' + '<loc>&'.repeat(1 << 20)));
    expect(unclosed.records.map((r) => [r.where.slice(-2), r.problem])).toEqual([[':1', SKIP.unclosedLoc]]);
    const amps = await read(write('amps.xml', `<urlset><loc>${'&'.repeat(60000)}</loc><loc>${'&amp;'.repeat(13000)}</loc></urlset>`));
    expect(amps.records.map((r) => r.problem ?? r.text.length)).toEqual([SKIP.badEntity, 13000]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('<loc> tags split between gzip chunks are found; a gzip file cut short is read as far as it goes', async () => {
    const many = `<urlset>\n${Array.from({ length: 5000 }, (_, i) => `<url><loc>https://www.mi.com/global/product/p${i}/</loc></url>`).join('\n')}\n</urlset>\n`;
    const whole = write('many.xml.gz', gzipSync(many));
    const all = await read(whole);
    expect([
      all.stats.records,
      all.records[4999].where.slice(whole.length),
      all.records.every((r, i) => r.text === `https://www.mi.com/global/product/p${i}/`),
    ]).toEqual([5000, ':5001', true]);
    const gz = gzipSync(many);
    const cut = write('cut.xml.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const half = await read(cut);
    expect(half.stats.records).toBeGreaterThan(100);
    expect(half.stats.records).toBeLessThan(5000);
    expect(half.stats.cutShort).toBe('unexpected end of file');
  });
});

describe('npm run ops -- catalog', () => {
  function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    return main(['catalog', ...args], {
      stdin: process.stdin,
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    }).then((code) => ({ code, stdout: out.join(''), stderr: err.join('') }));
  }

  const links = write(
    'public-links.txt',
    [
      'https://ams-go.buy.mi.com/it/servicecenter/file/POCO_M5_Safety_Information_it/?binaryId=221160&namespaceId=2&publicationId=221166',
      'https://www.mi.co.id/id/product/poco-f7/',
      'https://www.mi.co.id/id/product/poco-f6/specs/',
      'https://www.mi.com/de/product/poco-x3-pro?srsltid=AfmBOoqKmKAtF-_P0cmo5_mUh5KyV_rqULEeFMbqT99BiuWWyo8BDJRW',
      'https://www.mi.com/global/poco-f7-ultra',
      'https://www.mi.com/in/product/poco-f5/',
      'https://www.mi.com/rs/product/poco-x8-pro/buy/?gid=4223715620',
      '',
    ].join('\n'),
  );
  const sitemapGz = write('store.xml.gz', gzipSync(SITEMAP));

  test('writes the catalogue whole; what it read, skipped and wrote on stderr', async () => {
    const out = path.join(dir, 'catalog.json');
    const r = await run(['--sites', sitesFile, '--output', out, links, sitemapGz]);
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(fs.readFileSync(out, 'utf8')).toBe(
      `{
  "$comment": "Store catalogue: per store, the product slugs with a page there. Built by \`npm run ops -- catalog FILE...\`; see docs/contract.md, 'The store catalogue'.",
  "stores": {
    "https://www.mi.co.id/id/": [
      "poco-f6",
      "poco-f7"
    ],
    "https://www.mi.com/de/": [
      "poco-x3-pro"
    ],
    "https://www.mi.com/global/": [
      "poco-f7",
      "poco-f8",
      "poco-x7-pro"
    ],
    "https://www.mi.com/rs/": [
      "poco-x8-pro"
    ],
    "https://www.mi.com/uk/": [
      "poco-f8-pro"
    ]
  }
}
`,
    );
    expect(r.stderr).toBe(
      [
        `catalog: ${links}: url list, 7 lines, 4 used`,
        `catalog: ${sitemapGz}: sitemap (gzip), 6 <loc>s, 4 used`,
        'catalog: 5 skipped:',
        `  3  not a /<region>/product/<slug>/ page (first: ${links}:1: https://ams-go.buy.mi.com/it/servicecenter/file/POCO_M5_Safety_Information_it/?binaryId=221160&namespaceId=2&publicationId=221166)`,
        `  1  a bad XML entity or character reference (first: ${sitemapGz}:10: https://www.mi.com/global/product/poco-m8/?x=&#xD800;)`,
        `  1  store https://www.mi.com/in/ is not a store of ${sitesFile} (first: ${links}:6: https://www.mi.com/in/product/poco-f5/)`,
        `catalog: wrote 5 stores and 8 slugs to ${out}`,
        '',
      ].join('\n'),
    );
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('--output - writes to stdout; the same input gives the same bytes', async () => {
    const a = await run(['--sites', sitesFile, '--output', '-', sitemapGz, links]);
    const b = await run(['--sites', sitesFile, '--output=-', links, sitemapGz]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toBe(fs.readFileSync(path.join(dir, 'catalog.json'), 'utf8'));
    expect(a.stderr.split('\n').slice(-2)).toEqual(['catalog: wrote 5 stores and 8 slugs to stdout', '']);
  });

  test('a gzip file cut short is read as far as it goes, and said so', async () => {
    const gz = gzipSync(
      `<urlset>\n${Array.from({ length: 3000 }, (_, i) => `<url><loc>https://www.mi.com/uk/product/p${i}/</loc></url>`).join('\n')}\n</urlset>\n`,
    );
    const cut = write('cut-store.xml.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    const r = await run(['--sites', sitesFile, '--output', '-', cut]);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^catalog: ${cut.replace(/[.\\/]/g, '\\$&')}: sitemap \\(gzip\\), (\\d+) <loc>s, (\\d+) used; the file ends in the middle \\(unexpected end of file\\), read as far as it goes$`,
      ),
    );
    const [, locs, used] = /(\d+) <loc>s, (\d+) used/.exec(r.stderr)!;
    expect(Number(used)).toBeGreaterThan(100);
    expect(Number(locs) - Number(used)).toBeLessThanOrEqual(1);
  });

  test('no product page of a configured store: nothing written, exit 1', async () => {
    const out = path.join(dir, 'empty.json');
    const none = write('none.txt', 'https://www.mi.com/in/product/poco-f5/\n');
    const r = await run(['--sites', sitesFile, '--output', out, none]);
    expect([r.code, r.stdout, r.stderr.split('\n').slice(-2)]).toEqual([
      1,
      '',
      [`ops catalog: no URL is a product page of a store of ${sitesFile}; nothing was written`, ''],
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('usage errors: one clear line, exit 2, nothing written', async () => {
    const out = path.join(dir, 'never.json');
    const notJson = write('bad-sites.json', '{ regions: ');
    const noStore = write('no-store.json', '{"regions": {"in": {"frozen": "https://in.po.co/"}}}');
    for (const [args, message] of [
      [[], 'ops catalog: give at least one sitemap or URL list'],
      [[links, path.join(dir, 'nope.txt')], `ops catalog: ${path.join(dir, 'nope.txt')} does not exist`],
      [[dir], `ops catalog: ${dir} is not a file`],
      [['--sites', path.join(dir, 'nope.json'), links], `ops catalog: --sites ${path.join(dir, 'nope.json')} does not exist`],
      [
        ['--sites', notJson, links],
        expect.stringMatching(new RegExp(`^ops catalog: --sites ${notJson.replace(/[.\\/]/g, '\\$&')} is not JSON \\(`)),
      ],
      [['--sites', noStore, links], `ops catalog: --sites ${noStore} has no region with a "store"`],
      [
        ['--output', path.join(dir, 'no', 'such', 'x.json'), links],
        `ops catalog: --output ${path.join(dir, 'no', 'such', 'x.json')}: the folder ${path.join(dir, 'no', 'such')} does not exist`,
      ],
      [['--output', dir, links], `ops catalog: --output ${dir} is a folder`],
      [['--top', '3', links], 'ops catalog: unknown option "--top"; this command takes --output, --sites'],
    ] as const) {
      const r = await run(args[0] === '--output' ? [...args] : ['--output', out, ...args]);
      expect([r.code, r.stdout, r.stderr.split('\n')[0]]).toEqual([2, '', message]);
    }
    expect(fs.existsSync(out)).toBe(false);
  });

  test('an unreadable file is refused before anything is read', async () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const locked = write('locked.txt', 'https://www.mi.com/uk/product/poco-f7/\n');
    fs.chmodSync(locked, 0o000);
    const r = await run(['--sites', sitesFile, '--output', '-', locked]);
    expect([r.code, r.stdout, r.stderr.split('\n')[0]]).toEqual([2, '', `ops catalog: ${locked} cannot be read (EACCES)`]);
  });

  test('--help prints the usage', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run ops -- catalog \[options\] FILE\.\.\.\n/);
    expect(r.stdout).toContain('--output FILE  where to write the catalogue; - for stdout  [config/catalog.json]');
  });
});

test('the default catalogue is the one built from the public store links', () => {
  const catalog = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'catalog.json'), 'utf8')) as {
    $comment: string;
    stores: Record<string, string[]>;
  };
  expect(catalog.$comment).toBe(CATALOG_COMMENT);
  expect(catalog.stores['https://www.mi.co.id/id/']).toEqual(['poco-f6', 'poco-f7', 'poco-f7-pro', 'poco-x6-pro', 'poco-x7-pro']);
  expect(catalog.stores['https://www.mi.com/in/']).toBeUndefined();
  for (const slugs of Object.values(catalog.stores)) expect(slugs).toEqual([...new Set(slugs)].sort());
});

describe('readUrlFile: limits', () => {
  test('a flood of blank lines (64 MiB, gzipped to 64 KB) costs little; line numbers still count them', async () => {
    // Before: about 30 s for this file.
    const flood = write(
      'flood.txt.gz',
      gzipSync(
        Buffer.concat([
          Buffer.from('https://www.mi.com/uk/product/a/\n'),
          Buffer.alloc(64 << 20, 0x0a),
          Buffer.from('\r\n\r\nhttps://www.mi.com/uk/product/b/\n'),
        ]),
      ),
    );
    const started = Date.now();
    const { stats, records } = await read(flood);
    expect(Date.now() - started).toBeLessThan(15000);
    expect(stats).toEqual({ file: flood, format: 'url list', gzip: true, records: 2, cutShort: undefined });
    expect(records.map((r) => r.where)).toEqual([`${flood}:1`, `${flood}:${(64 << 20) + 4}`]);
  }, 30000);

  test('past the size limit (decompressed) the rest is not read; the line cut there is dropped; the stats say how much was read', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `https://www.mi.com/uk/product/p${String(i).padStart(2, '0')}/`); // 35 bytes and LF
    const big = write('big-list.txt.gz', gzipSync(lines.join('\n') + '\n'));
    const records: UrlRecord[] = [];
    const stats = await readUrlFile(big, (r) => records.push(r), big, 36 * 5 + 10);
    expect(stats).toMatchObject({ records: 5, readBytes: 190 });
    expect(records.map((r) => r.text)).toEqual(lines.slice(0, 5));
  });
});
