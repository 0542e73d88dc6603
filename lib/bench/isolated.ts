/**
 * Each list measured in a fresh Node.js process of its own, as a deployed
 * function runs with one set of tables in its process.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OpsError } from '../config/problems';
import { listsOf, listTitle } from './lists';
import { ListRow, mergeProcesses } from './stats';

export interface IsolatedRun {
  /** The bench's entry script: run with `--list LIST --runs N --out FILE`, it measures one list and writes `{ rows: [row] }` to FILE. */
  readonly entry: string;
  readonly processes: number;
  readonly sizes: readonly number[];
  readonly runs: number;
  readonly say: (line: string) => unknown;
}

/** One list measured by the entry script in a child process, which writes its row to a file in `dir`. */
function measureInChild(run: IsolatedRun, list: string, p: number, dir: string): ListRow {
  const name = listTitle(list);
  run.say(
    `bench: measuring ${name} in a fresh process${run.processes > 1 ? ` (round ${p} of ${run.processes})` : ''}${run.runs > 1 ? `, timing it ${run.runs} times` : ''}`,
  );
  const file = path.join(dir, `${p}-${list}.json`);
  const args = [...process.execArgv, run.entry, '--list', list, '--runs', String(run.runs), '--out', file];
  const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (child.status !== 0) throw new OpsError(`measuring ${name} failed (exit ${String(child.status)})`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { rows: ListRow[] }).rows[0];
}

/**
 * Each list measured in a fresh Node.js process of its own (the entry
 * script with `--list`, writing JSON to a temporary file), as a deployed
 * function runs with one set of tables in its process; `processes` times
 * over, and the rows merged. In one process, lists measured earlier left
 * V8's hidden classes and the harness's call sites shaped by their tables,
 * and the 100,000-line engine ran about 12% slower after the 1,000 and
 * 10,000-line lists than alone (185 against 165 ns). Each process is also
 * one draw of V8's hash seed, which moves the floor's `Map.get` by several
 * percent.
 */
export function measureIsolated(run: IsolatedRun): ListRow[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poco-bench-lists-'));
  try {
    const perProcess: ListRow[][] = [];
    for (let p = 1; p <= run.processes; p++) perProcess.push(listsOf(run.sizes).map((list) => measureInChild(run, list, p, dir)));
    return mergeProcesses(perProcess);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
