/**
 * The CloudFront Functions of the redirect sites, built from their
 * TypeScript sources (lambda/viewer/) by esbuild into the one file
 * `cloudfront-js-2.0` runs: the module in a closure, and the top-level
 * `function handler(event)` CloudFront calls. Deterministic, so the same
 * config gives the same function code.
 */
import * as path from 'path';
import { buildSync } from 'esbuild';
import type { CompiledTables } from '../../lambda/engine';
import { CLOUDFRONT_FUNCTION_MAX_BYTES, CloudFrontFunctionTooLargeError } from './limits';
import { PROJECT_ROOT } from '../config/load';

/**
 * The lines that open a function reading its associated key value store
 * (CloudFront Developer Guide, "Helper methods for key value stores").
 */
export const KEY_VALUE_STORE_PRELUDE = "import cf from 'cloudfront';\nconst kvs = cf.kvs();\n";

/** The top-level handler of a function without a key value store: the bundle's `handler`. */
const PLAIN_HANDLER = 'function handler(event) { return poco.handler(event); }';

/**
 * The top-level handler of the country-key function with its key value store.
 * CloudFront Functions allow `async` and `await` only in a top-level function
 * (not in closures, which every function inside the bundle is), so the read is
 * here, between the bundle's two synchronous halves
 * (lambda/viewer/country-key.ts: `lookup`, `settle`). A key the store
 * does not hold (`get` rejects) leaves the country key as it is.
 */
export const COUNTRY_KEY_STORE_HANDLER = `async function handler(event) {
  var key = poco.lookup(event);
  if (key === '') return event.request;
  var apart = null;
  try {
    apart = await kvs.get(key);
  } catch (e) {
    apart = null;
  }
  return poco.settle(event, apart);
}`;

/** How a function's file is built: the top-level handler around the bundle, and whether it reads a key value store. */
interface BuildOptions {
  readonly define?: Record<string, string>;
  /** @default PLAIN_HANDLER */
  readonly handler?: string;
  readonly keyValueStore?: boolean;
}

/** `async` or `await` in the bundle: a closure, which CloudFront Functions refuse to make async. */
const ASYNC_IN_BUNDLE = /\basync\b|\bawait\b/;

function build(entry: string, name: string, options: BuildOptions = {}): string {
  const out = buildSync({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.join(PROJECT_ROOT, 'lambda', 'viewer', entry)],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'poco',
    // cloudfront-js-2.0 is ES5.1 plus const, let, arrow functions and template literals (and async/await in a
    // top-level function only): esbuild refuses to build anything else it cannot lower (for...of, spread,
    // destructuring, classes, async).
    target: 'es5',
    supported: { 'const-and-let': true, arrow: true, 'template-literal': true },
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    define: options.define ?? {},
  });
  const bundle = out.outputFiles[0].text.trim();
  if (ASYNC_IN_BUNDLE.test(bundle))
    throw new Error(
      `The CloudFront Function ${name} has async or await inside its bundle; CloudFront Functions allow them only in the top-level handler.`,
    );
  const code = `${options.keyValueStore ? KEY_VALUE_STORE_PRELUDE : ''}${bundle}\n${options.handler ?? PLAIN_HANDLER}\n`;
  const bytes = Buffer.byteLength(code);
  if (bytes > CLOUDFRONT_FUNCTION_MAX_BYTES)
    throw new CloudFrontFunctionTooLargeError(name, bytes, 'configure fewer regions, or move the work to the redirect function.');
  return code;
}

/**
 * The country key of each country whose answers can differ from the default
 * region's: a country named by a rule's `Country=` condition stands for
 * itself; any other mapped to a region is stood for by the first (in sorted
 * order) such country of its region, since the engine then answers it
 * exactly as it would the country itself. Countries left out (unmapped,
 * unknown) are `-`, the default region's key.
 */
export function countryKeys(tables: Pick<CompiledTables, 'countries' | 'rules' | 'defaultRegion'>): Record<string, string> {
  const named = new Set(tables.rules.flatMap((r) => r.countries ?? []));
  const keys: Record<string, string> = {};
  const standsFor = new Map<number, string>();
  for (const [cc, region] of [...tables.countries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (named.has(cc) || region === tables.defaultRegion) continue;
    if (!standsFor.has(region)) standsFor.set(region, cc);
    keys[cc] = standsFor.get(region)!;
  }
  for (const cc of [...named].sort()) keys[cc] = cc;
  return Object.fromEntries(Object.entries(keys).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The viewer-request function of region-path sites: the country in the cache
 * key only where the path names no region, and only as far as it changes the
 * answer; with `keyValueStore`, the function reads the country splits
 * (lib/edge/country-splits.ts) from the key value store associated with it.
 */
export function countryKeyFunctionCode(regions: readonly string[], keys: Readonly<Record<string, string>>, keyValueStore = false): string {
  return build('country-key.ts', 'country-key', {
    define: {
      POCO_REGIONS: JSON.stringify([...regions].map((r) => r.toLowerCase()).sort()),
      POCO_COUNTRY_KEYS: JSON.stringify(keys),
    },
    ...(keyValueStore ? { handler: COUNTRY_KEY_STORE_HANDLER, keyValueStore } : {}),
  });
}

/** The viewer-response function of redirect sites: the viewer's query string appended where the rule keeps it. */
export function appendQueryFunctionCode(): string {
  return build('append-query.ts', 'append-query');
}
