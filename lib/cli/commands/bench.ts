/**
 * `npm run bench`: measures on this machine, with the default bulk list and
 * generated lists, decision costs, compile time, package size, cold start,
 * synth time and how often the edge function runs behind CloudFront's cache
 * (lib/bench/). Prints a table and the targets of docs/performance.md, met or not, and
 * writes the numbers as JSON. Nothing here is asserted by the test suite.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from '../../config/load';
import { OpsError, UsageError } from '../../config/problems';
import { benchEdgeRuns, DEFAULT_BASELINE_REF, EdgeRunsReport } from '../../bench/edge-runs';
import { fmt, listTable, markdownTable } from '../../bench/format';
import { measureIsolated } from '../../bench/isolated';
import { isList, measureList } from '../../bench/lists';
import type { ListRow } from '../../bench/stats';
import { measureSynth, SynthResult } from '../../bench/synth';
import { Target, targets } from '../../bench/targets';
import { ParsedArgs, stringOption } from '../args';
import { Command, noPositionals } from '../command';
import type { CliIo } from '../io';
import { pathOption } from '../options';

const DEFAULT_OUT = path.join(PROJECT_ROOT, '.bench', 'results.json');

interface BenchOptions {
  readonly sizes: readonly number[];
  readonly synthRuns: number;
  readonly runs: number;
  readonly processes: number;
  /** Measure this one list in this process (how each list runs in its own). */
  readonly list?: string;
  readonly out: string;
  readonly traffic: { readonly requests: number; readonly baseline: string; readonly app?: string; readonly only: boolean };
}

/** A number option as the bench has always read it (`Number`), or `fallback` when absent. */
function numberOf(args: ParsedArgs, name: string, fallback: number): number {
  const value = stringOption(args.options[name]);
  return value === undefined ? fallback : Number(value);
}

/** The options, checked. */
function benchOptionsOf(args: ParsedArgs): BenchOptions {
  const sizes = stringOption(args.options.sizes)?.split(',').map(Number) ?? [1000, 10000, 100000, 1000000];
  const [synthRuns, runs, processes] = [numberOf(args, 'synth-runs', 3), numberOf(args, 'runs', 1), numberOf(args, 'processes', 1)];
  const requests = numberOf(args, 'traffic-requests', 100000);
  if (!Number.isInteger(requests) || requests < 1) throw new UsageError('--traffic-requests takes a whole number from 1');
  if (
    sizes.some((n) => !Number.isInteger(n) || n < 1) ||
    !Number.isInteger(synthRuns) ||
    synthRuns < 0 ||
    !Number.isInteger(runs) ||
    runs < 1 ||
    !Number.isInteger(processes) ||
    processes < 1
  ) {
    throw new UsageError(
      '--sizes takes whole numbers separated by commas, such as 1000,100000; --synth-runs a whole number; --runs and --processes a whole number from 1',
    );
  }
  const list = stringOption(args.options.list);
  if (list !== undefined && !isList(list)) throw new UsageError('--list takes default, rules or a number of lines');
  const traffic = {
    requests,
    baseline: stringOption(args.options.baseline) ?? DEFAULT_BASELINE_REF,
    app: pathOption(args.options.app),
    only: args.options['traffic-only'] === true,
  };
  return { sizes, synthRuns, runs, processes, list, out: pathOption(args.options.out) ?? DEFAULT_OUT, traffic };
}

/** One list measured in this process, its row written to `out` as JSON; nothing printed. */
async function benchOneList(list: string, o: BenchOptions): Promise<number> {
  const row = await measureList(list, o.runs);
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify({ rows: [row] }) + '\n');
  return 0;
}

/** The lists, each in a fresh process, and the synth, unless --traffic-only (or --synth-runs 0 for the synth). */
function measureListsAndSynth(o: BenchOptions, say: (line: string) => unknown): { rows: ListRow[]; synth?: SynthResult } {
  if (o.traffic.only) return { rows: [] };
  const rows = measureIsolated({ entry: process.argv[1], processes: o.processes, sizes: o.sizes, runs: o.runs, say });
  if (o.synthRuns === 0) return { rows };
  say(`bench: cdk synth of the app and of a minimal one-distribution app, ${o.synthRuns} times each, alternating`);
  return { rows, synth: measureSynth(o.synthRuns) };
}

/** The lists' table, the edge runs' table, the synth times and the targets. */
function printResults(
  io: CliIo,
  o: BenchOptions,
  rows: readonly ListRow[],
  synth: SynthResult | undefined,
  edgeRuns: EdgeRunsReport,
  goals: readonly Target[],
): void {
  const timings = o.runs * o.processes;
  if (timings > 1)
    io.stdout.write(
      `Decision costs: medians of ${timings} side-by-side timings per list${o.processes > 1 ? ` (${o.runs} in each of ${o.processes} processes)` : ''}; the ratios to Map.get are the medians of each timing's ratio.\n\n`,
    );
  if (rows.length > 0) io.stdout.write(listTable(rows));
  io.stdout.write(
    `\nEdge function runs (traffic model: ${fmt(o.traffic.requests)} requests over ${fmt(edgeRuns.urls)} URLs, through each distribution's cache policies):\n\n${edgeRuns.text}`,
  );
  if (synth)
    io.stdout.write(
      `\nsynth (cdk synth --quiet, ${synth.appSeconds.length} runs each): app ${synth.appSeconds.map((x) => fmt(x, 2)).join(', ')} s; minimal ${synth.minimalSeconds.map((x) => fmt(x, 2)).join(', ')} s\n`,
    );
  io.stdout.write(
    '\n' +
      markdownTable(
        ['target', 'measured', 'goal', 'met'],
        goals.map((g) => [g.what, g.measured, g.target, g.met ? 'yes' : 'NO']),
        1,
      ),
  );
}

/** The whole bench: measures, prints, and writes the numbers to `out`. */
async function benchAll(o: BenchOptions, io: CliIo): Promise<number> {
  const say = (s: string): unknown => io.stderr.write(s + '\n');
  say(`bench: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node.js ${process.version}`);
  const { rows, synth } = measureListsAndSynth(o, say);
  // How often the edge function runs behind the cache: lib/bench/edge-runs.ts.
  const edgeRuns = await benchEdgeRuns({ ...o.traffic, say });
  const goals = [...targets(rows, synth), edgeRuns.target];
  printResults(io, o, rows, synth, edgeRuns, goals);
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(
    o.out,
    JSON.stringify(
      {
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
        date: new Date().toISOString(),
        rows,
        synth,
        edgeRuns: edgeRuns.results,
        targets: goals,
      },
      null,
      2,
    ) + '\n',
  );
  say(`bench: wrote ${path.relative(process.cwd(), o.out) || o.out}`);
  return 0;
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measures decision cost, compile time, package size, cold start, synth time and edge function runs on this machine',
  invocation: 'npm run bench --',
  description: `Measures on this machine, with the default bulk list and generated lists:
- decision cost per request: the engine alone (bundled by esbuild as it
  ships), and the bundled handler with a CloudFront event, beside a single
  Map.get of the request path (the floor) and a first-match scan over the
  same rules;
- compile time (parse, validate, compile) and the package's size;
- cold start: loading the bundle in a fresh Node.js process;
- synth time of the app beside a minimal CDK app with one distribution,
  both through the pinned CLI, alternating, in the same run;
- how often the edge function runs behind CloudFront's cache: a traffic
  model played through the current templates and the last release's
  (--traffic-only measures only this).
Prints a table and the targets of docs/performance.md (Budgets), met or not, and writes the numbers
as JSON. Each list is measured in a fresh Node.js process of its own, as a
deployed function runs with one set of tables. Decision costs are each
subject's fastest of 15 rounds taken side by side; the table shows medians
over all the timings (--runs, --processes). Cold start and synth are medians.`,
  options: {
    sizes: { kind: 'string', value: 'N,N...', help: 'lines of the generated lists', default: '1000,10000,100000,1000000' },
    runs: { kind: 'string', value: 'N', help: 'timings per list in its process', default: '1' },
    processes: { kind: 'string', value: 'N', help: 'fresh processes per list', default: '1' },
    'synth-runs': { kind: 'string', value: 'N', help: 'synths of each app (0 skips synth)', default: '3' },
    out: { kind: 'string', value: 'FILE', help: 'where the numbers are written as JSON', default: '.bench/results.json' },
    'traffic-requests': { kind: 'string', value: 'N', help: 'requests of the traffic model', default: '100000' },
    baseline: { kind: 'string', value: 'REF', help: 'the last release, for the traffic model', default: DEFAULT_BASELINE_REF },
    app: { kind: 'string', value: 'DIR', help: 'a cdk.out to model instead of synthesizing' },
    'traffic-only': { kind: 'boolean', help: 'measure only the traffic model' },
    list: { kind: 'string', value: 'LIST', help: 'one list (default, rules or N) in this process, its row to --out' },
  },
  exitStatus: '0; 1 when a measurement fails; 2 on bad options.',
  async run(args, io) {
    noPositionals(args);
    const o = benchOptionsOf(args);
    try {
      return o.list !== undefined ? await benchOneList(o.list, o) : await benchAll(o, io);
    } catch (err) {
      // A failed measurement is printed as its message, exit status 1, whatever threw it.
      if (err instanceof OpsError) throw err;
      throw new OpsError(err instanceof Error ? err.message : String(err));
    }
  },
};
