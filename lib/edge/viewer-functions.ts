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

/** How a function's file is built: its `handler` returns a promise (`async`); it reads an associated key value store. */
interface BuildOptions {
  readonly define?: Record<string, string>;
  readonly async?: boolean;
  readonly keyValueStore?: boolean;
}

function build(entry: string, name: string, options: BuildOptions = {}): string {
  const out = buildSync({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [path.join(PROJECT_ROOT, 'lambda', 'viewer', entry)],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'poco',
    // cloudfront-js-2.0 is ES5.1 plus const, let, arrow functions, template literals and async/await:
    // esbuild refuses to build anything else it cannot lower (for...of, spread, destructuring, classes).
    target: 'es5',
    supported: { 'const-and-let': true, arrow: true, 'template-literal': true, 'async-await': true },
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    define: options.define ?? {},
  });
  const handler = `${options.async ? 'async ' : ''}function handler(event) { return poco.handler(event${options.keyValueStore ? ', kvs' : ''}); }`;
  const code = `${options.keyValueStore ? KEY_VALUE_STORE_PRELUDE : ''}${out.outputFiles[0].text.trim()}\n${handler}\n`;
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
    async: true,
    keyValueStore,
  });
}

/** The viewer-response function of redirect sites: the viewer's query string appended where the rule keeps it. */
export function appendQueryFunctionCode(): string {
  return build('append-query.ts', 'append-query');
}
