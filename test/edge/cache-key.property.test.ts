/**
 * The cache-key safety of the edge pipeline for arbitrary rules files and
 * bulk lists, not only the default config: whatever loads, the policies and
 * viewer functions the stack builds (lib/edge/pipeline.ts) never put two
 * different answers under one cache key, and every visitor gets what the
 * engine decides on the full request. The loader's refusals (a Country=
 * rule on paths that name a region or on hosts without the country in their
 * key, a bulk entry whose followed target is country-decided where the key
 * holds no country) are what make this hold.
 */
import fc from 'fast-check';
import type { CloudFrontResultResponse } from 'aws-lambda';
import { RedirectEngine } from '../../lambda/engine';
import { createHandler } from '../../lambda/handler';
import { cacheKey, originAnswer, redirectBehaviorModel } from '../../lib/edge/pipeline';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../lib/config/load';
import { tmpDir } from '../support/tmp';

const dir = tmpDir('cache-key-');
const rulesFile = path.join(dir, 'rules.txt');
const redirectsFile = path.join(dir, 'redirects.csv');

const SOURCES = [
  'po.co/deals/*',
  'po.co/*',
  'po.co/uk/x',
  'po.co/:region/*',
  'po.co/',
  '/x/*',
  '/*',
  '/product/:product/*',
  'uk.po.co/*',
  'po.co/:slug(poco-*)/*',
];
const TARGETS = [':landing', ':store/x/', 'https://www.mi.com/global/', ':store@uk/sale/'];
const OPTIONS = ['', 'Country=GB', 'Country=FR,IE', 'Query=drop'];
const BULK = [
  'po.co/a,https://po.co/',
  'po.co/uk/a,https://po.co/',
  'uk.po.co/a,https://po.co/x',
  'po.co/b,https://www.mi.com/uk/',
  'po.co/c,https://po.co/uk/,302',
  'po.co/d,https://po.co/deals/1',
];
const HOSTS: [string, 'region-path' | 'region-host'][] = [
  ['po.co', 'region-path'],
  ['uk.po.co', 'region-host'],
];
const PATHS = [
  '/',
  '/x/1',
  '/uk/x',
  '/UK/x',
  '/deals/1',
  '/a',
  '/uk/a',
  '/b',
  '/c',
  '/d',
  '/product/poco-f7',
  '/tw/product/poco-f7',
  '/poco-x7/specs',
  '//uk//deals/1',
  '/%75k/x',
];
const COUNTRIES = [undefined, 'GB', 'FR', 'IE', 'TW', 'US'];

test("no cache key maps to two answers, and each is the engine's, for any rules and bulk list that load", async () => {
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.constantFrom(...SOURCES), fc.constantFrom(...TARGETS), fc.constantFrom(...OPTIONS)), {
        minLength: 1,
        maxLength: 5,
      }),
      fc.subarray(BULK),
      async (rules, bulk) => {
        fs.writeFileSync(rulesFile, rules.map((r) => r.join(' ')).join('\n') + '\n');
        fs.writeFileSync(redirectsFile, bulk.join('\n') + '\n');
        let tables;
        try {
          tables = loadConfig({ rulesFile, redirectsFile }).tables; // every check synth makes
        } catch {
          return; // refused at load: nothing is deployed
        }
        checked++;
        const handler = createHandler(tables, { log: () => undefined });
        const engine = new RedirectEngine(tables);
        for (const [host, mode] of HOSTS) {
          const model = redirectBehaviorModel(mode, tables, handler);
          const seen = new Map<string, string>();
          for (const uri of PATHS) {
            for (const country of COUNTRIES) {
              const viewer = { host, uri, country };
              const key = await cacheKey(model, viewer);
              const res = (await originAnswer(model, viewer)) as CloudFrontResultResponse;
              const answer = `${res.status} ${res.headers?.location?.[0]?.value ?? ''}`;
              const want = engine.decide({ method: 'GET', scheme: 'https', host, path: uri, query: '', country });
              expect(`${host}${uri} [${country ?? '-'}]: ${answer}`).toBe(
                `${host}${uri} [${country ?? '-'}]: ${want.status} ${want.location ?? ''}`,
              );
              const first = seen.get(key);
              if (first === undefined) seen.set(key, answer);
              else expect(`${host}${uri} [${country ?? '-'}]: ${answer}`).toBe(`${host}${uri} [${country ?? '-'}]: ${first}`);
            }
          }
        }
      },
    ),
    // A fixed seed: the share of generated configs the loader accepts is then the same on every run.
    { numRuns: 300, seed: 20261201 },
  );
  expect(checked).toBeGreaterThan(30); // the property saw configs that load, not only refusals
});
