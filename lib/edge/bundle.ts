/**
 * Bundles the Lambda@Edge handler with esbuild (no Docker) into a package of
 * two files: `index.js`, with the compiled tables (sites, regions, countries,
 * headers) embedded as a JSON string, and `bulk.bin`, the bulk list packed as
 * a hash table (`packBulk`), which index.js reads once at cold start. No
 * environment variables, no layers, no I/O after cold start. Synchronous, so
 * constructs can call it.
 */
import { BuildOptions, buildSync } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { deflateRawSync } from 'zlib';
import { CompiledTables, packBulk } from '../../lambda/engine';
import { withoutBulkColumns } from '../config/compile';
import { PROJECT_ROOT } from '../config/load';
import { EDGE_EVENT, EDGE_LIMITS, EDGE_NODE_TARGET } from './limits';

/** The file the bundle reads its bulk index from, beside index.js. */
export const BULK_FILE = 'bulk.bin';

export interface EdgeBundle {
  /** The bundled JavaScript (CommonJS, exports `handler`): `index.js`. */
  readonly code: string;
  /** The packed bulk list: `bulk.bin`. */
  readonly bulk: Uint8Array;
  /** Size of both files in bytes. */
  readonly bytes: number;
  /** Size of both files deflated as in a zip package, in bytes: what the package limit counts. */
  readonly compressedBytes: number;
}

/** Raised when a bundle cannot fit its trigger's package limit. */
export class BundleTooLargeError extends Error {
  constructor(
    readonly compressedBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `The edge function bundle compresses to ${(compressedBytes / 1048576).toFixed(1)} MiB; ` +
        `the ${EDGE_EVENT} package limit is ${(limitBytes / 1048576).toFixed(0)} MiB. ` +
        'Fix: shorten the bulk redirect list, for example by replacing runs of entries with one SUBPATH_MATCHING entry.',
    );
    this.name = 'BundleTooLargeError';
  }
}

/** How esbuild builds edge code: one minified CommonJS file for the edge runtime. The bench builds the engine the same way. */
export const EDGE_BUILD_OPTIONS = {
  absWorkingDir: PROJECT_ROOT,
  bundle: true,
  platform: 'node',
  target: EDGE_NODE_TARGET,
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'silent',
} as const satisfies BuildOptions;

/** The function's entry: the handler around the tables and bulk.bin. */
export const ENTRY_FILE = path.join(PROJECT_ROOT, 'lambda', 'index.ts');

/** Stands for the tables in lambda/index.ts; replaced by their JSON as a string literal. */
const TABLES_PLACEHOLDER = '__POCO_COMPILED_TABLES__';

let handlerCode: string | undefined;

/**
 * The handler bundled once per process: esbuild never sees the tables, so a
 * list of a million lines costs no more to bundle than an empty one.
 */
function bundledHandler(): string {
  if (handlerCode === undefined) {
    const result = buildSync({
      entryPoints: [ENTRY_FILE],
      // Built without "use strict", as when the entry was esbuild's stdin: the bundle's bytes,
      // and so the function's version, did not change when the entry became a file.
      tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
      ...EDGE_BUILD_OPTIONS,
      write: false,
    });
    handlerCode = result.outputFiles[0].text;
    if (handlerCode.split(TABLES_PLACEHOLDER).length !== 2)
      throw new Error(`bundle: expected ${TABLES_PLACEHOLDER} once in the esbuild output`);
  }
  return handlerCode;
}

/** Bundles lambda/handler.ts around `tables`. Throws `BundleTooLargeError` past the package limit. */
export function bundleEdgeFunction(tables: CompiledTables): EdgeBundle {
  // A single-quoted literal: JSON needs no escaping there beyond backslash and quote.
  const literal = "'" + JSON.stringify(withoutBulkColumns(tables)).replace(/[\\']/g, (c) => '\\' + c) + "'";
  const code = bundledHandler().replace(TABLES_PLACEHOLDER, () => literal);
  const bulk = packBulk(tables.bulk);
  const bytes = Buffer.byteLength(code) + bulk.length;
  // Level 1 is fast on a 50 MB table and within a few percent of the zip the CDK writes.
  const compressedBytes = deflateRawSync(code).length + deflateRawSync(bulk, { level: 1 }).length;
  const limit = EDGE_LIMITS[EDGE_EVENT].compressedPackageBytes;
  if (compressedBytes > limit) throw new BundleTooLargeError(compressedBytes, limit);
  return { code, bulk, bytes, compressedBytes };
}

/** Writes a bundle as `index.js` and `bulk.bin` in `dir` (created if needed); returns index.js's path. */
export function writeBundle(bundle: EdgeBundle, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'index.js');
  fs.writeFileSync(file, bundle.code);
  fs.writeFileSync(path.join(dir, BULK_FILE), bundle.bulk);
  return file;
}
