/**
 * The edge function's entry, as lib/edge/bundle.ts bundles it: the handler
 * around the compiled tables, which the bundler writes in place of
 * `__POCO_COMPILED_TABLES__`, and the bulk list's columns, read from
 * `bulk.bin` beside the bundle when the function loads.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { BulkIndex } from './engine/bulk';
import { createHandler } from './handler';

declare const __POCO_COMPILED_TABLES__: string;

export const handler = createHandler(JSON.parse(__POCO_COMPILED_TABLES__), {
  bulk: new BulkIndex(readFileSync(join(__dirname, 'bulk.bin'))),
});
