/** `npm run ops -- check-targets`: requests every destination the config can produce; reports the dead ones (lib/ops/check-targets.ts). */
import {
  CheckOptions,
  checkTargetsWithProgress,
  countsLine,
  defaultDestinations,
  DestinationLoader,
  jsonLines,
  renderReport,
} from '../../ops/check-targets';
import { intOption } from '../args';
import { Command, noPositionals } from '../command';
import { CONFIG_OPTIONS, pathOption } from '../options';

/**
 * The `check-targets` command, with the destinations from `load` and the
 * checker's options overridden by `tuning` (tests shorten the backoff).
 */
export function makeCheckTargetsCommand(load: DestinationLoader, tuning: Omit<CheckOptions, 'onResult'> = {}): Command {
  return {
    name: 'check-targets',
    summary: 'request every destination the config can redirect to; report the dead ones with the rules leading there',
    invocation: 'npm run ops -- check-targets',
    description: `Sends a GET to every distinct destination the config can produce and follows
redirects by hand (up to 5, to any host). Each destination is
  live     the last answer is 2xx
  dead     4xx (but 403 and 429) or 5xx after the retries, a redirect to the
           store's error page (a path with a 404 segment, as /global/errors/404),
           a redirect loop, more than 5 redirects, or a network error after the retries
  unknown  403 or 429: bot protection or a rate limit, not a dead page; check by hand
Network errors, 5xx and 429 are retried with exponential backoff from 250 ms.
Progress goes to stderr; then the counts, each dead destination with its redirect
chain and the rules that lead to it, and each unknown one. With --json instead of
the report: one JSON object per destination on stdout, with url, verdict, why,
status (the last answer's; null on a network error), chain, attempts, rules.`,
    options: {
      concurrency: { kind: 'string', value: 'N', help: 'requests in flight, 1 to 64', default: '8' },
      retries: { kind: 'string', value: 'N', help: 'retries of a request, 0 to 10', default: '2' },
      'timeout-ms': { kind: 'string', value: 'N', help: 'milliseconds to wait for each answer', default: '10000' },
      sites: CONFIG_OPTIONS.sites,
      redirects: CONFIG_OPTIONS.redirects,
      json: { kind: 'boolean', help: 'JSON lines on stdout instead of the report' },
    },
    exitStatus: '0 when no destination is dead, 1 when any is, 2 on bad options or config.',
    async run(args, io) {
      noPositionals(args);
      const concurrency = intOption(args.options.concurrency, 'concurrency', tuning.concurrency ?? 8, 1, 64);
      const retries = intOption(args.options.retries, 'retries', tuning.retries ?? 2, 0, 10);
      const timeoutMs = intOption(args.options['timeout-ms'], 'timeout-ms', tuning.timeoutMs ?? 10000, 1, 600000);
      const destinations = await load({ sitesFile: pathOption(args.options.sites), redirectsFile: pathOption(args.options.redirects) });
      const results = await checkTargetsWithProgress(destinations, { ...tuning, concurrency, retries, timeoutMs }, (line) =>
        io.stderr.write(line + '\n'),
      );
      if (args.options.json === true) {
        io.stdout.write(jsonLines(results));
        io.stderr.write(countsLine(results) + '\n');
      } else {
        io.stdout.write(renderReport(results));
      }
      return results.some((r) => r.verdict === 'dead') ? 1 : 0;
    },
  };
}

export const checkTargetsCommand: Command = makeCheckTargetsCommand(defaultDestinations);
