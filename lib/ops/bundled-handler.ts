/**
 * Runs the very bundle the stack deploys (lib/bundle.ts) in this process,
 * with its log lines handed to the caller instead of the console.
 */
import * as vm from 'vm';
import type { EdgeHandler } from '../../lambda/handler';

/**
 * Evaluates the bundle's CommonJS code and returns its `handler`. The
 * bundle logs one JSON line per decision with `console.log`; here those lines
 * go to `log`. The bundle imports nothing (no SDK), so it gets no `require`.
 */
export function loadBundledHandler(code: string, log: (line: string) => void): EdgeHandler {
  const wrapper = new vm.Script(`(function (module, exports, console) {${code}\n})`, { filename: 'edge-bundle/index.js' });
  const mod = { exports: {} as { handler?: unknown } };
  const sink = { log, info: log, warn: log, error: log, debug: log };
  (wrapper.runInThisContext() as (m: typeof mod, e: typeof mod.exports, c: typeof sink) => void)(mod, mod.exports, sink);
  if (typeof mod.exports.handler !== 'function') throw new Error('loadBundledHandler: the bundle exports no handler function; rebuild it with lib/bundle.ts.');
  return mod.exports.handler as EdgeHandler;
}
