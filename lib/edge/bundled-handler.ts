/**
 * Runs the very bundle the stack deploys (lib/edge/bundle.ts) in this process,
 * with its log lines handed to the caller instead of the console.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import type { EdgeHandler } from '../../lambda/handler';

/**
 * Evaluates `index.js` of a bundle folder (as `writeBundle` writes it) and
 * returns its `handler`. The bundle logs one JSON line per decision with
 * `console.log`; here those lines go to `log`. It reads `bulk.bin` beside
 * itself at load, as it does at the edge.
 */
export function loadBundledHandler(dir: string, log: (line: string) => void): EdgeHandler {
  const file = path.join(dir, 'index.js');
  const wrapper = new vm.Script(
    `(function (module, exports, require, __filename, __dirname, console) {${fs.readFileSync(file, 'utf8')}\n})`,
    { filename: file },
  );
  const mod = { exports: {} as { handler?: unknown } };
  const sink = { log, info: log, warn: log, error: log, debug: log };
  (wrapper.runInThisContext() as (...args: unknown[]) => void)(mod, mod.exports, require, file, dir, sink);
  if (typeof mod.exports.handler !== 'function')
    throw new Error('loadBundledHandler: the bundle exports no handler function; rebuild it with lib/edge/bundle.ts.');
  return mod.exports.handler as EdgeHandler;
}
