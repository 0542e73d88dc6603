/**
 * Bundles the Lambda@Edge handler with esbuild (no Docker), embedding the
 * compiled tables as one JSON string so the function needs no environment
 * variables, layers or I/O at the edge. Synchronous, so constructs can call it.
 */
import { buildSync } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { deflateRawSync } from 'zlib';
import type { CompiledTables } from '../lambda/engine';
import { PROJECT_ROOT } from './config/load';

/** Lambda@Edge quotas that depend on the event type. */
export const EDGE_LIMITS = {
  'viewer-request': { compressedPackageBytes: 1024 * 1024, maxMemoryMb: 128, maxTimeoutSeconds: 5, generatedResponseBytes: 40 * 1024 },
  'origin-request': { compressedPackageBytes: 50 * 1024 * 1024, maxMemoryMb: 10240, maxTimeoutSeconds: 30, generatedResponseBytes: 1024 * 1024 },
} as const;

/** The event type the redirect function is associated with (see lambda/handler.ts). */
export const EDGE_EVENT = 'origin-request';

/** The Node.js version the bundle targets; keep in step with the function's runtime. */
export const EDGE_NODE_TARGET = 'node22';

export interface EdgeBundle {
  /** The bundled JavaScript (CommonJS, exports `handler`). */
  readonly code: string;
  /** Size of `code` in bytes. */
  readonly bytes: number;
  /** Size of `code` deflated as in a zip package, in bytes: what the package limit counts. */
  readonly compressedBytes: number;
}

/** Raised when a bundle cannot fit its trigger's package limit. */
export class BundleTooLargeError extends Error {
  constructor(readonly compressedBytes: number, readonly limitBytes: number) {
    super(
      `The edge function bundle compresses to ${(compressedBytes / 1048576).toFixed(1)} MiB; ` +
        `the ${EDGE_EVENT} package limit is ${(limitBytes / 1048576).toFixed(0)} MiB. ` +
        'Fix: shorten the bulk redirect list, for example by replacing runs of entries with one SUBPATH_MATCHING entry.',
    );
    this.name = 'BundleTooLargeError';
  }
}

/** Stands for the tables in the esbuild output; replaced by their JSON as a string literal. */
const TABLES_PLACEHOLDER = '__POCO_COMPILED_TABLES__';

let handlerCode: string | undefined;

/**
 * The handler bundled once per process: esbuild never sees the tables, so a
 * list of a million lines costs no more to bundle than an empty one.
 */
function bundledHandler(): string {
  if (handlerCode === undefined) {
    const result = buildSync({
      stdin: {
        contents:
          "import { createHandler } from './lambda/handler';\n" +
          `declare const ${TABLES_PLACEHOLDER}: string;\n` +
          `export const handler = createHandler(JSON.parse(${TABLES_PLACEHOLDER}));\n`,
        resolveDir: PROJECT_ROOT,
        sourcefile: 'edge-entry.ts',
        loader: 'ts',
      },
      absWorkingDir: PROJECT_ROOT,
      bundle: true,
      platform: 'node',
      target: EDGE_NODE_TARGET,
      format: 'cjs',
      minify: true,
      legalComments: 'none',
      write: false,
      logLevel: 'silent',
    });
    handlerCode = result.outputFiles[0].text;
    if (handlerCode.split(TABLES_PLACEHOLDER).length !== 2) throw new Error(`bundle: expected ${TABLES_PLACEHOLDER} once in the esbuild output`);
  }
  return handlerCode;
}

/** Bundles lambda/handler.ts around `tables`. Throws `BundleTooLargeError` past the package limit. */
export function bundleEdgeFunction(tables: CompiledTables): EdgeBundle {
  // A single-quoted literal: JSON needs no escaping there beyond backslash and quote.
  const literal = "'" + JSON.stringify(tables).replace(/[\\']/g, (c) => '\\' + c) + "'";
  const code = bundledHandler().replace(TABLES_PLACEHOLDER, () => literal);
  const bytes = Buffer.byteLength(code);
  const compressedBytes = deflateRawSync(code).length;
  const limit = EDGE_LIMITS[EDGE_EVENT].compressedPackageBytes;
  if (compressedBytes > limit) throw new BundleTooLargeError(compressedBytes, limit);
  return { code, bytes, compressedBytes };
}

/** Writes a bundle as `index.js` in `dir` (created if needed); returns the file's path. */
export function writeBundle(bundle: EdgeBundle, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'index.js');
  fs.writeFileSync(file, bundle.code);
  return file;
}
