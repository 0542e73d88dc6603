/**
 * The esbuild bundle: self-contained (no AWS SDK, no environment), within the
 * package limit of its trigger, deterministic, and answering exactly as the
 * engine does, for the default list and a generated 100,000-line list.
 */
import type { CloudFrontResultResponse } from 'aws-lambda';
import { RedirectEngine } from '../../lambda/engine';
import type { EdgeHandler } from '../../lambda/handler';
import { BundleTooLargeError, bundleEdgeFunction, EDGE_BUILD_OPTIONS, EdgeBundle, writeBundle } from '../../lib/edge/bundle';
import { CLOUDFRONT_FUNCTION_MAX_BYTES, EDGE_LIMITS, EDGE_NODE_MAJOR, EDGE_RUNTIME_NAME } from '../../lib/edge/limits';
import { frozenIndexCode } from '../../lib/edge/frozen-site';
import { originRequestEvent } from '../../lib/edge/cloudfront-event';
import { compileTables } from '../../lib/config/compile';
import { loadConfig, loadRuleset, PROJECT_ROOT } from '../../lib/config/load';
import { ProblemList } from '../../lib/config/problems';
import { hostRoles, parseRedirects } from '../../lib/config/redirects';
import { generatedSource, generateList } from '../../lib/bench/generate-list';
import { sites, tablesFor } from '../support/engine';
import { tmpDir } from '../support/tmp';

/** Loads a bundle as Lambda would: a fresh module from a file. */
function load(bundle: EdgeBundle): EdgeHandler {
  const dir = tmpDir('poco-bundle-');
  const file = writeBundle(bundle, dir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file).handler;
}

const URLS = [
  'https://po.co/',
  'https://www.po.co/global/',
  'https://po.co/FR/Product/POCO-X7/specs?ref=a',
  'https://po.co/in/product/poco-c75',
  'https://uk.po.co/blog/2024/x/',
  'https://po.co/f6?x=1',
  'https://in.po.co/x',
  'https://po.co//%2F%2Fevil.com/..%2f',
];

/**
 * The bundle at origin-request answers as the engine does: the query string
 * is not in the event (nor in the cache key), the country comes as the
 * viewer-request function's key; test/edge/forwarding.test.ts runs the rest of
 * the way (both viewer functions) from the templates.
 */
async function differential(handler: EdgeHandler, engine: RedirectEngine, urls: string[], countries: string[]): Promise<void> {
  for (const url of urls) {
    const m = /^https:\/\/([^/]+)([^?]*)\??(.*)$/.exec(url) as RegExpExecArray;
    for (const country of countries) {
      const d = engine.decide({ method: 'GET', scheme: 'https', host: m[1], path: m[2], query: '', country });
      const res = (await handler(
        originRequestEvent({ host: m[1], uri: m[2], querystring: m[3], otherHeaders: { 'x-poco-country': country || '-' } }),
      )) as CloudFrontResultResponse & { uri?: string };
      if (d.action === 'origin') expect(res.uri).toBe(m[2]);
      else expect([url, country, Number(res.status), res.headers?.location?.[0].value]).toEqual([url, country, d.status, d.location]);
    }
  }
}

describe('the default bundle', () => {
  const { tables } = loadConfig();
  const bundle = bundleEdgeFunction(tables);

  test('has no AWS SDK, no environment variables and no absolute paths', () => {
    expect(bundle.code).not.toMatch(/@aws-sdk|aws-sdk|process\.env/);
    expect(bundle.code).not.toContain(PROJECT_ROOT);
    expect(bundle.code).not.toMatch(/require\("(?!(fs|path|os)")[^"]+"\)/);
  });

  test('fits even the viewer-request package limit', () => {
    expect(bundle.compressedBytes).toBeLessThan(EDGE_LIMITS['viewer-request'].compressedPackageBytes);
  });

  test(`targets the function's Node.js (${EDGE_NODE_MAJOR}), and exports an async handler of the event alone: Node.js 24 runs no callback handlers`, () => {
    expect([EDGE_BUILD_OPTIONS.target, EDGE_RUNTIME_NAME]).toEqual([`node${EDGE_NODE_MAJOR}`, `nodejs${EDGE_NODE_MAJOR}.x`]);
    const handler = load(bundle);
    expect(handler.constructor.name).toBe('AsyncFunction');
    expect(handler.length).toBe(1);
  });

  test('is byte-identical when built twice', () => {
    expect(bundleEdgeFunction(loadConfig().tables).code).toBe(bundle.code);
  });

  test('answers as the engine does', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await differential(load(bundle), new RedirectEngine(tables), URLS, ['', 'GB', 'IN']);
  });
});

test('quotes, backslash escapes and non-ASCII in the tables survive the string literal', async () => {
  const compiled = tablesFor(
    "po.co/it's,https://www.mi.com/it/o'clock/\npo.co/caf%C3%A9,https://www.mi.com/fr/caf%C3%A9/\npo.co/%22q%22,https://www.mi.com/fr/q/",
  );
  const tables = { ...compiled, bulk: { ...compiled.bulk, file: 'C:\\lists\\"odd" \'name\'.csv' } };
  const logs: string[] = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => logs.push(line));
  const handler = load(bundleEdgeFunction(tables));
  await differential(
    handler,
    new RedirectEngine(tables),
    ["https://po.co/it's", 'https://po.co/café', 'https://po.co/"q"', 'https://po.co/%22q%22'],
    [''],
  );
  expect(JSON.parse(logs[0]).rule).toBe('bulk:C:\\lists\\"odd" \'name\'.csv:1');
});

describe('a generated 100,000-line list', () => {
  const N = 100000;
  const text = generateList(N);
  const p = new ProblemList('generated.csv');
  const entries = parseRedirects(text, p, hostRoles(sites()));
  const tables = compileTables(sites(), 'generated.csv', entries, loadRuleset(sites()));

  test('is valid and compiles every line', () => {
    expect(p.problems).toEqual([]);
    expect(entries).toHaveLength(N);
    expect(tables.bulk.keys).toHaveLength(N);
  });

  test('bundles within the origin-request package limit and answers as the engine does', async () => {
    const bundle = bundleEdgeFunction(tables);
    expect(bundle.compressedBytes).toBeLessThan(EDGE_LIMITS['origin-request'].compressedPackageBytes);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const sample = [0, 1, 2, 3, 13, 99999, 54321, 77777].map((i) => `https://${generatedSource(i)}?q=1`);
    await differential(
      load(bundle),
      new RedirectEngine(tables),
      [...sample, ...URLS, 'https://po.co/campaign/2020/offer-13/deeper/page'],
      ['', 'DE'],
    );
  });

  test('every entry is reachable: its own source resolves to it', () => {
    const engine = new RedirectEngine(tables);
    for (let i = 0; i < N; i += 997) {
      const [host, ...rest] = generatedSource(i).split('/');
      expect(engine.decide({ method: 'GET', scheme: 'https', host, path: '/' + rest.join('/'), query: '' }).rule).toBe(
        `bulk:generated.csv:${i + 1}`,
      );
    }
  });
});

test(`the frozen site's CloudFront Function fits CloudFront Functions' code limit (${CLOUDFRONT_FUNCTION_MAX_BYTES} bytes)`, () => {
  expect(CLOUDFRONT_FUNCTION_MAX_BYTES).toBe(10 * 1024);
  expect(Buffer.byteLength(frozenIndexCode())).toBeLessThanOrEqual(CLOUDFRONT_FUNCTION_MAX_BYTES);
});

test('a bundle past the package limit fails with the sizes and a fix', () => {
  expect(new BundleTooLargeError(60 * 1048576, 50 * 1048576).message).toBe(
    'The edge function bundle compresses to 60.0 MiB; the origin-request package limit is 50 MiB. Fix: shorten the bulk redirect list, for example by replacing runs of entries with one SUBPATH_MATCHING entry.',
  );
});
